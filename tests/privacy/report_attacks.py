"""The subtraction attacks on the union reports, as an outsider would mount them.

A *hidden count* is a true count from 1 to threshold - 1: one that suppression
would hide were it asked for directly. An attack *recovers* it when a
combination of published figures equals it exactly. Each attack below takes
published figures and the true counts behind them (the true counts only to score
the attack, never to mount it) and returns the recoveries it made.

Published figures are dictionaries ``{(row, measure): value or None}``, None for a
hidden cell; ``row`` is "total" or a group's key.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from django.utils import translation
from openpyxl import load_workbook

from scheduling.reports.labels import MEASURE_LABELS
from scheduling.reports.outcomes import OUTCOME_MEASURES
from scheduling.reports.turnout import MEASURES

Figures = dict[tuple[str, str], int | None]
Range = tuple[date | None, date | None]
COUNT_COLUMNS = (*MEASURES, "quota_used")


@dataclass(frozen=True)
class Recovery:
    attack: str
    target: str
    value: int


def window_ranges(first: date, last: date) -> list[Range]:
    """Every range of whole days inside the window, and the unbounded one."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ranges: list[Range] = [(a, b) for a, b in combinations(days, 2)]
    ranges += [(d, d) for d in days]
    return [*ranges, (None, None)]


def contains(outer: Range, inner: Range) -> bool:
    lo = outer[0] is None or (inner[0] is not None and outer[0] <= inner[0])
    hi = outer[1] is None or (inner[1] is not None and inner[1] <= outer[1])
    return lo and hi and outer != inner


def nested_pairs(ranges: Iterable[Range]) -> list[tuple[Range, Range]]:
    ranges = list(ranges)
    return [(a, b) for a in ranges for b in ranges if contains(a, b)]


def subtract(
    attack: str,
    bigger: Figures,
    smaller: Figures,
    true_bigger: Mapping[tuple[str, str], int],
    true_smaller: Mapping[tuple[str, str], int],
    *,
    threshold: int,
    label: str,
) -> list[Recovery]:
    """Every cell published in both answers whose difference is a hidden count
    and equals it."""
    found = []
    for cell, big in bigger.items():
        small = smaller.get(cell)
        if big is None or small is None:
            continue
        truth = true_bigger.get(cell, 0) - true_smaller.get(cell, 0)
        if 0 < abs(truth) < threshold and big - small == truth:
            found.append(Recovery(attack, f"{label} {cell}", truth))
    return found


def against(
    attack: str,
    published: Figures,
    hidden_truth: Mapping[tuple[str, str], int],
    *,
    threshold: int,
    label: str,
) -> list[Recovery]:
    """Cells hidden in one report, read off another that publishes the same
    quantity (``hidden_truth`` maps the other's cell to the true hidden count)."""
    found = []
    for cell, truth in hidden_truth.items():
        shown = published.get(cell)
        if 0 < truth < threshold and shown is not None and shown == truth:
            found.append(Recovery(attack, f"{label} {cell}", truth))
    return found


# --- Reading each format back into figures.


def from_json(body: Mapping[str, Any]) -> Figures:
    figures: Figures = {}
    for name in COUNT_COLUMNS:
        if name in body["totals"]:
            figures[("total", name)] = body["totals"][name]["value"]
    for group in body["groups"]:
        for name in MEASURES:
            if name in group:
                figures[(group["key"], name)] = group[name]["value"]
    return figures


def outcomes_from_json(body: Mapping[str, Any]) -> Figures:
    return {("total", m): body["counts"][m]["value"] for m in OUTCOME_MEASURES}


def _number(text: Any) -> int | None:
    if text is None or text == "":
        return None
    if isinstance(text, int):
        return text
    text = str(text)
    if text.startswith("<") or text == "\u2013":
        return None
    return int(text)


def _column_names() -> tuple[dict[str, str], set[str]]:
    """The files speak the reader's language: each measure's heading, in every
    language, back to its name, and the totals row's label."""
    names: dict[str, str] = {}
    totals: set[str] = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.update({str(label): m for m, label in MEASURE_LABELS.items()})
            totals.add(translation.gettext("All"))
    return names, totals


def _rows_to_figures(
    header: list[str], rows: Iterable[list[Any]], keys: Mapping[str, str]
) -> Figures:
    names, totals = _column_names()
    columns = [names.get(str(h), str(h)) for h in header]
    figures: Figures = {}
    for row in rows:
        if not row or row[0] in (None, ""):
            break
        values = dict(zip(columns[1:], row[1:], strict=False))
        key = "total" if str(row[0]) in totals else keys[str(row[0]).lstrip("'")]
        for name in COUNT_COLUMNS:
            if name in values and values[name] not in (None, ""):
                figures[(key, name)] = _number(values[name])
    return figures


def from_csv(text: str, keys: Mapping[str, str]) -> Figures:
    """``keys`` maps a group's label to its key (the JSON answer gives both)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader)
    return _rows_to_figures(header, reader, keys)


def from_xlsx(content: bytes, keys: Mapping[str, str]) -> Figures:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return _rows_to_figures([str(h) for h in rows[0]], rows[1:], keys)


def labels_to_keys(body: Mapping[str, Any]) -> dict[str, str]:
    return {g["label"]: g["key"] for g in body["groups"]}


def truth_of(table: Any) -> dict[tuple[str, str], int]:
    """True counts of a `common.suppression.Table`, keyed like the figures."""
    truth = {("total", m): v for m, v in table.total.items()}
    for row, values in table.groups.items():
        for m, v in values.items():
            truth[(row, m)] = v
    return truth


def tally(recoveries: Iterable[Recovery]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in recoveries:
        counts[r.attack] = counts.get(r.attack, 0) + 1
    return counts
