"""Charts drawn on the server as inline SVG: no script, no style attribute (the CSP
allows neither), so they show on any phone and in a saved page.

Sizes are in a fixed viewBox and the CSS stretches the drawing to the screen's
width. A hidden (suppressed) value is drawn as a grey stub labelled "<5", never as
a bar whose length would give the value away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from unicodedata import east_asian_width

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.suppression import Cell

WIDTH = 360
# The labels' font size in the drawing's units (union.css sets the same).
LABEL_SIZE = 12
PALETTE = ("#b0305a", "#2e6f9e", "#2e7d4f", "#c77700", "#6b4fa0", "#5b6770")


@dataclass(frozen=True)
class Bar:
    label: str
    cell: Cell


def _text(x: float, y: float, text: str, css: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">'
        f"{escape(text)}</text>"
    )


def _text_width(text: str, size: float = LABEL_SIZE) -> float:
    """Roughly how wide `text` draws: a Chinese character is one em, a Latin one
    a little over half (the drawing cannot measure text, and need not be exact)."""
    return sum(size if east_asian_width(ch) in "WF" else size * 0.62 for ch in text)


def _fit(text: str, width: float) -> str:
    """`text` cut to `width`, with an ellipsis when it had to be cut."""
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(label: str, width: float) -> list[str]:
    """The label on one line, or on two (at a space for words, anywhere in
    Chinese), the second cut with an ellipsis only when two lines are not enough."""
    if _text_width(label) <= width:
        return [label]
    words = label.split(" ")
    first, rest = "", label
    for i in range(len(words) - 1, 0, -1):
        head = " ".join(words[:i])
        if _text_width(head) <= width:
            first, rest = head, " ".join(words[i:])
            break
    if not first:
        first = label
        while len(first) > 1 and _text_width(first) > width:
            first = first[:-1]
        rest = label[len(first) :]
    return [first, _fit(rest.strip(), width)]


def _label(x: float, y: float, lines: list[str]) -> str:
    if len(lines) == 1:
        return _text(x, y, lines[0], "lbl", "end")
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LABEL_SIZE + 1}">{escape(line)}'
        "</tspan>"
        for i, line in enumerate(lines)
    )
    top = y - (LABEL_SIZE + 1) / 2
    return (
        f'<text x="{x:.1f}" y="{top:.1f}" class="lbl" text-anchor="end">{spans}</text>'
    )


def bar_chart(bars: Sequence[Bar], *, title: str, threshold: int) -> SafeString:
    """Horizontal bars, one per row, so long group names fit a phone. The label
    column is as wide as the longest label needs, up to half the drawing; a longer
    label goes on two lines, so an English name is not cut to a few letters."""
    top = 8
    widest = max((_text_width(b.label) for b in bars), default=0)
    label_width = min(max(widest + 12, 60), WIDTH / 2)
    labels = [_wrap(b.label, label_width - 6) for b in bars]
    row_height = 40 if any(len(lines) > 1 for lines in labels) else 30
    area = WIDTH - label_width - 44
    values = [b.cell.value for b in bars if not b.cell.suppressed and b.cell.value]
    largest = max(values, default=0) or 1
    height = top + row_height * max(len(bars), 1) + 4
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (bar, lines) in enumerate(zip(bars, labels, strict=True)):
        y = top + i * row_height
        bar_y = y + (row_height - 18) / 2
        baseline = bar_y + 13
        parts.append(f"<g><title>{escape(bar.label)}</title>")
        parts.append(_label(label_width - 6, baseline, lines))
        if bar.cell.suppressed:
            parts.append(
                f'<rect x="{label_width:.1f}" y="{bar_y:.1f}" width="10" height="18" '
                f'class="hidden-bar" fill="#c9cfd4"/>'
            )
            parts.append(_text(label_width + 16, baseline, f"<{threshold}", "val"))
        else:
            value = bar.cell.value or 0
            length = area * value / largest
            parts.append(
                f'<rect x="{label_width:.1f}" y="{bar_y:.1f}" width="{length:.1f}" '
                f'height="18" fill="{PALETTE[0]}"/>'
            )
            parts.append(_text(label_width + length + 4, baseline, str(value), "val"))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in the SVG is escaped # nosec B308 B703


@dataclass(frozen=True)
class Line:
    label: str
    cells: Sequence[Cell]


LINE_HEIGHT, LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 220, 34, 8, 34, 30


@dataclass(frozen=True)
class _LineAxes:
    """Where a day and a value go in the line chart."""

    dates: Sequence[date]
    largest: int
    left: float = LINE_LEFT
    top: float = LINE_TOP
    plot_w: float = WIDTH - LINE_LEFT - LINE_RIGHT
    plot_h: float = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM

    @property
    def span(self) -> int:
        dates = self.dates
        return max((dates[-1] - dates[0]).days, 1) if dates else 1

    def x(self, i: int) -> float:
        if len(self.dates) < 2:
            return self.left + self.plot_w / 2
        return (
            self.left + self.plot_w * (self.dates[i] - self.dates[0]).days / self.span
        )

    def y(self, value: float) -> float:
        return self.top + self.plot_h - self.plot_h * value / self.largest


def _line_frame(axes: _LineAxes, days: Sequence[str], title: str) -> list[str]:
    """The drawing's opening, its two axes with their ends labelled."""
    left, top, plot_h = axes.left, axes.top, axes.plot_h
    parts = [
        f'<svg class="chart lines" viewBox="0 0 {WIDTH} {LINE_HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - LINE_RIGHT}" '
        f'y2="{top + plot_h}" stroke="#9aa4ab"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
        f'stroke="#9aa4ab"/>',
        _text(left - 4, top + 4, str(axes.largest), "axis", "end"),
        _text(left - 4, top + plot_h, "0", "axis", "end"),
    ]
    if days:
        parts.append(_text(left, LINE_HEIGHT - 10, days[0], "axis"))
        if len(days) > 1:
            parts.append(
                _text(WIDTH - LINE_RIGHT, LINE_HEIGHT - 10, days[-1], "axis", "end")
            )
    return parts


def _line_runs(
    line: Line, axes: _LineAxes, days: Sequence[str], threshold: int
) -> tuple[list[str], list[list[str]]]:
    """The grey ticks of the line's hidden days, and its runs of points: a run
    stops at a hidden or empty day and across a day without events."""
    ticks: list[str] = []
    run: list[str] = []
    segments: list[list[str]] = []
    base, dates = axes.top + axes.plot_h, axes.dates
    for i, cell in enumerate(line.cells):
        if cell.suppressed or cell.value is None:
            if run:
                segments.append(run)
            run = []
            if cell.suppressed:
                ticks.append(
                    f'<line x1="{axes.x(i):.1f}" y1="{base}" x2="{axes.x(i):.1f}" '
                    f'y2="{base + 5}" stroke="#c9cfd4" stroke-width="3">'
                    f"<title>{escape(days[i])} &lt;{threshold}</title></line>"
                )
            continue
        if run and (dates[i] - dates[i - 1]).days > 1:
            segments.append(run)
            run = []
        run.append(f"{axes.x(i):.1f},{axes.y(cell.value):.1f}")
    if run:
        segments.append(run)
    return ticks, segments


def _line_drawn(segments: list[list[str]], colour: str) -> list[str]:
    """A lone point as a dot, a run as a polyline."""
    parts = []
    for points in segments:
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
    return parts


def line_chart(
    days: Sequence[str], lines: Sequence[Line], *, title: str, threshold: int
) -> SafeString:
    """One line per measure over the days (ISO dates, ascending); a hidden day
    breaks the line and is marked with a grey tick on the axis instead of a point.
    Only consecutive days are joined: across a day without events the line
    stops rather than pretend to know the days between."""
    values = [
        c.value for line in lines for c in line.cells if not c.suppressed and c.value
    ]
    # Days without events are absent from the series: place each on a time axis,
    # so a gap of a month looks like one.
    axes = _LineAxes(
        dates=[date.fromisoformat(day) for day in days],
        largest=max(values, default=0) or 1,
    )
    parts = _line_frame(axes, days, title)
    for n, line in enumerate(lines):
        colour = PALETTE[n % len(PALETTE)]
        legend_x = LINE_LEFT + n * 108
        parts.append(
            f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(_text(legend_x + 16, 18, line.label, "legend"))
        ticks, segments = _line_runs(line, axes, days, threshold)
        parts.extend(ticks)
        parts.extend(_line_drawn(segments, colour))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in the SVG is escaped # nosec B308 B703
