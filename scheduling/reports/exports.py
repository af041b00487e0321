"""Turnout as CSV and XLSX: the same suppressed cells the page shows, as "<5"."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext
from openpyxl import Workbook

from common.suppression import Cell
from scheduling.reports.presentation import (
    HIDDEN_RATE,
    HIDDEN_RATE_NOTE,
    cell_text,
    turnout_rate_note,
)
from scheduling.reports.turnout import MEASURES, SERIES_MEASURES, TurnoutReport

RATE_COLUMNS = ("turnout_rate", "no_show_rate")
# A spreadsheet runs a cell that starts like a formula; site names are typed by staff.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_filename(report: TurnoutReport, extension: str) -> str:
    start = report.date_from.isoformat() if report.date_from else "all"
    end = report.date_to.isoformat() if report.date_to else "all"
    return f"turnout-{report.campaign.pk}-{start}-{end}.{extension}"


def _header() -> list[str]:
    return ["group_by", "group", *MEASURES, "quota_used", *RATE_COLUMNS]


def _rows(report: TurnoutReport) -> list[tuple[str, str, dict[str, Cell]]]:
    rows = [("total", gettext("All"), report.totals)]
    rows += [(report.group_by or "", g.label, g.cells) for g in report.groups]
    return rows


def _text(cells: dict[str, Cell], name: str, threshold: int) -> str:
    return cell_text(cells.get(name), threshold=threshold, rate=name in RATE_COLUMNS)


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def turnout_csv(report: TurnoutReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for kind, label, cells in _rows(report):
        writer.writerow(
            [
                kind,
                _safe(label),
                *(
                    _text(cells, m, report.threshold)
                    for m in (*MEASURES, "quota_used", *RATE_COLUMNS)
                ),
            ]
        )
    writer.writerow([])
    writer.writerow(["day", *SERIES_MEASURES])
    for row in report.series:
        writer.writerow(
            [row.key, *(_text(row.cells, m, report.threshold) for m in SERIES_MEASURES)]
        )
    return out.getvalue()


def _xlsx_value(cells: dict[str, Cell], name: str, threshold: int) -> Any:
    cell = cells.get(name)
    if cell is None:
        return None
    if cell.suppressed:
        return HIDDEN_RATE if name in RATE_COLUMNS else f"<{threshold}"
    return cell.value


def turnout_xlsx(report: TurnoutReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "turnout"
    sheet.append(_header())
    columns = (*MEASURES, "quota_used", *RATE_COLUMNS)
    for kind, label, cells in _rows(report):
        sheet.append(
            [
                kind,
                _safe(label),
                *(_xlsx_value(cells, m, report.threshold) for m in columns),
            ]
        )
    for row in sheet.iter_rows(min_row=2, min_col=3 + len(MEASURES) + 1):
        for cell in row:
            cell.number_format = "0.0%"
    sheet.append([])
    sheet.append(
        [
            gettext("Counts from 1 to %(n)s are shown as <%(m)s.")
            % {"n": report.threshold - 1, "m": report.threshold}
        ]
    )
    sheet.append([str(HIDDEN_RATE_NOTE)])
    sheet.append([turnout_rate_note()])
    series = workbook.create_sheet("daily")
    series.append(["day", *SERIES_MEASURES])
    for row in report.series:
        series.append(
            [
                row.key,
                *(_xlsx_value(row.cells, m, report.threshold) for m in SERIES_MEASURES),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
