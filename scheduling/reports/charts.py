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

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.suppression import Cell

WIDTH = 360
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


def _short(label: str, limit: int = 9) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(bars: Sequence[Bar], *, title: str, threshold: int) -> SafeString:
    """Horizontal bars, one per row, so long group names fit a phone."""
    row_height, label_width, top = 30, 118, 8
    area = WIDTH - label_width - 44
    values = [b.cell.value for b in bars if not b.cell.suppressed and b.cell.value]
    largest = max(values, default=0) or 1
    height = top + row_height * max(len(bars), 1) + 4
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = top + i * row_height
        parts.append(f"<g><title>{escape(bar.label)}</title>")
        parts.append(_text(label_width - 6, y + 19, _short(bar.label), "lbl", "end"))
        if bar.cell.suppressed:
            parts.append(
                f'<rect x="{label_width}" y="{y + 6}" width="10" height="18" '
                f'class="hidden-bar" fill="#c9cfd4"/>'
            )
            parts.append(_text(label_width + 16, y + 19, f"<{threshold}", "val"))
        else:
            value = bar.cell.value or 0
            length = area * value / largest
            parts.append(
                f'<rect x="{label_width}" y="{y + 6}" width="{length:.1f}" '
                f'height="18" fill="{PALETTE[0]}"/>'
            )
            parts.append(_text(label_width + length + 4, y + 19, str(value), "val"))
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in the SVG is escaped # nosec B308 B703


@dataclass(frozen=True)
class Line:
    label: str
    cells: Sequence[Cell]


def line_chart(
    days: Sequence[str], lines: Sequence[Line], *, title: str, threshold: int
) -> SafeString:
    """One line per measure over the days (ISO dates, ascending); a hidden day
    breaks the line and is marked with a grey tick on the axis instead of a point.
    Only consecutive days are joined: across a day without events the line
    stops rather than pretend to know the days between."""
    height, left, right, top, bottom = 220, 34, 8, 34, 30
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [
        c.value for line in lines for c in line.cells if not c.suppressed and c.value
    ]
    largest = max(values, default=0) or 1
    # Days without events are absent from the series: place each on a time axis,
    # so a gap of a month looks like one.
    dates = [date.fromisoformat(day) for day in days]
    span = max((dates[-1] - dates[0]).days, 1) if dates else 1

    def x(i: int) -> float:
        if len(dates) < 2:
            return left + plot_w / 2
        return left + plot_w * (dates[i] - dates[0]).days / span

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / largest

    parts = [
        f'<svg class="chart lines" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" '
        f'y2="{top + plot_h}" stroke="#9aa4ab"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
        f'stroke="#9aa4ab"/>',
        _text(left - 4, top + 4, str(largest), "axis", "end"),
        _text(left - 4, top + plot_h, "0", "axis", "end"),
    ]
    if days:
        parts.append(_text(left, height - 10, days[0], "axis"))
        if len(days) > 1:
            parts.append(_text(WIDTH - right, height - 10, days[-1], "axis", "end"))
    for n, line in enumerate(lines):
        colour = PALETTE[n % len(PALETTE)]
        legend_x = left + n * 108
        parts.append(
            f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(_text(legend_x + 16, 18, line.label, "legend"))
        run: list[str] = []
        segments: list[list[str]] = []
        for i, cell in enumerate(line.cells):
            if cell.suppressed or cell.value is None:
                if run:
                    segments.append(run)
                run = []
                if cell.suppressed:
                    parts.append(
                        f'<line x1="{x(i):.1f}" y1="{top + plot_h}" x2="{x(i):.1f}" '
                        f'y2="{top + plot_h + 5}" stroke="#c9cfd4" stroke-width="3">'
                        f"<title>{escape(days[i])} &lt;{threshold}</title></line>"
                    )
                continue
            if run and (dates[i] - dates[i - 1]).days > 1:
                segments.append(run)
                run = []
            run.append(f"{x(i):.1f},{y(cell.value):.1f}")
        if run:
            segments.append(run)
        for points in segments:
            if len(points) == 1:
                cx, cy = points[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            else:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in the SVG is escaped # nosec B308 B703
