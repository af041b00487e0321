"""Turnout as CSV and XLSX: the same suppressed cells the page shows, as "<5".

Headers, group names and notes are in the reader's language, as on the dashboard:
the files go to a union chair's spreadsheet, not to a program.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.suppression import Cell
from scheduling.reports.labels import GROUP_BY_LABELS, MEASURE_LABELS, SERIES_LABELS
from scheduling.reports.presentation import (
    HIDDEN_RATE,
    HIDDEN_RATE_NOTE,
    PERTURBED_NOTE,
    cell_text,
    turnout_rate_note,
)
from scheduling.reports.turnout import MEASURES, SERIES_MEASURES, TurnoutReport

RATE_COLUMNS = ("turnout_rate", "no_show_rate")
COLUMNS = (*MEASURES, "quota_used", *RATE_COLUMNS)
# A spreadsheet runs a cell that starts like a formula; site names are typed by staff.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_filename(report: TurnoutReport, extension: str) -> str:
    start = report.date_from.isoformat() if report.date_from else "all"
    end = report.date_to.isoformat() if report.date_to else "all"
    return f"turnout-{report.campaign.pk}-{start}-{end}.{extension}"


def _header(report: TurnoutReport) -> list[str]:
    """The breakdown's name over the group names, then each measure's name."""
    lead = GROUP_BY_LABELS.get(report.group_by or "") or gettext("Group")
    return [str(lead), *(str(MEASURE_LABELS[m]) for m in COLUMNS)]


def _series_header() -> list[str]:
    return [gettext("Day"), *(str(SERIES_LABELS[m]) for m in SERIES_MEASURES)]


def _rows(report: TurnoutReport) -> list[tuple[str, dict[str, Cell]]]:
    rows = [(gettext("All"), report.totals)]
    rows += [(g.label, g.cells) for g in report.groups]
    return rows


def _notes(report: TurnoutReport) -> list[str]:
    return [
        gettext("Counts from 1 to %(n)s are shown as <%(m)s.")
        % {"n": report.threshold - 1, "m": report.threshold},
        str(HIDDEN_RATE_NOTE),
        turnout_rate_note(),
        str(PERTURBED_NOTE),
    ]


def _text(cells: dict[str, Cell], name: str, threshold: int) -> str:
    return cell_text(cells.get(name), threshold=threshold, rate=name in RATE_COLUMNS)


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def turnout_csv(report: TurnoutReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(report))
    for label, cells in _rows(report):
        writer.writerow(
            [_safe(label), *(_text(cells, m, report.threshold) for m in COLUMNS)]
        )
    writer.writerow([])
    writer.writerow(_series_header())
    for row in report.series:
        writer.writerow(
            [row.key, *(_text(row.cells, m, report.threshold) for m in SERIES_MEASURES)]
        )
    writer.writerow([])
    for note in _notes(report):
        writer.writerow([note])
    return out.getvalue()


def _xlsx_value(cells: dict[str, Cell], name: str, threshold: int) -> Any:
    cell = cells.get(name)
    if cell is None:
        return None
    if cell.suppressed:
        return HIDDEN_RATE if name in RATE_COLUMNS else f"<{threshold}"
    return cell.value


def _dress(sheet: Any, widths: list[int]) -> None:
    """A bold header row kept in view, and columns wide enough for their names."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _width(text: str) -> int:
    # A Chinese character takes about two of a column's character widths.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) + 2


def turnout_xlsx(report: TurnoutReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Turnout")[:31]
    header = _header(report)
    sheet.append(header)
    rows = _rows(report)
    for label, cells in rows:
        sheet.append(
            [_safe(label), *(_xlsx_value(cells, m, report.threshold) for m in COLUMNS)]
        )
    first_rate = 2 + COLUMNS.index(RATE_COLUMNS[0])
    for row in sheet.iter_rows(min_row=2, min_col=first_rate):
        for cell in row:
            cell.number_format = "0.0%"
    longest_label = max((_width(label) for label, _cells in rows), default=0)
    _dress(
        sheet,
        [
            max(_width(header[0]), longest_label),
            *(max(_width(h), 8) for h in header[1:]),
        ],
    )
    sheet.append([])
    for note in _notes(report):
        sheet.append([note])
    series = workbook.create_sheet(gettext("Per day")[:31])
    series_header = _series_header()
    series.append(series_header)
    for row in report.series:
        series.append(
            [
                row.key,
                *(_xlsx_value(row.cells, m, report.threshold) for m in SERIES_MEASURES),
            ]
        )
    _dress(series, [12, *(max(_width(h), 8) for h in series_header[1:])])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
