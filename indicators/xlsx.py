"""The hospital's two files: the quarterly programme table and the funding
reconciliation, as XLSX. Labels come in Chinese with English beside them, as the
national form has them; site names are typed by staff, so none may start a
formula."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from indicators.quarterly import QuarterlyTable
from indicators.quarterly_form import CHECKS, RATES, ROWS
from indicators.reconciliation import Line

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SECTIONS = {
    "basic": "基本情况 Basic",
    "cervix": "宫颈癌检查 Cervical",
    "breast": "乳腺癌检查 Breast",
    "knowledge": "核心知识 Knowledge",
}


def safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _widths(sheet: Any, widths: list[int]) -> None:
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def quarterly_xlsx(table: QuarterlyTable, *, unit: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "季报表"
    labels = [p.label for p in table.periods]
    sheet.append([safe(f"两癌筛查工作季报表 {table.name}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            f"活动 Campaign: {safe(table.campaign.name)}",
            "",
            f"填报单位 Unit: {safe(unit)}",
        ]
    )
    sheet.append(["类别 Section", "项目", "Item", *labels])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for section, code, zh, en, _m in ROWS:
        values = [table.columns[label].get(code) for label in labels]
        sheet.append([SECTIONS[section], zh, en, *values])
    for code, zh, en, _n, _d in RATES:
        rates = [table.rates[label][code] for label in labels]
        rounded = [None if r is None else round(r, 2) for r in rates]
        sheet.append(["检出率 Detection", zh, en, *rounded])
    _widths(sheet, [20, 26, 34, *[12] * len(labels)])
    sheet.freeze_panes = "D4"
    checks = book.create_sheet("逻辑校验")
    checks.append(["校验 Check", "结果 Result"])
    failed = {(f.check, f.column) for f in table.failures}
    for code, _larger, _smaller, words in CHECKS:
        bad = [label for label in labels if (code, label) in failed]
        checks.append(
            [str(words), "通过 passed" if not bad else "未通过 " + ", ".join(bad)]
        )
    _widths(checks, [50, 30])
    for row in checks.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True)
    return _save(book)


ITEM_NAMES = {
    "hpv": "HPV检测 hrHPV test",
    "cytology": "宫颈细胞学 Cervical cytology",
    "cbe": "临床乳腺检查 Clinical breast exam",
    "breast_ultrasound": "乳腺超声 Breast ultrasound",
    "mammography": "乳腺X线 Mammography",
}
RECONCILIATION_HEADER = [
    "站点 Site",
    "月份 Month",
    "项目 Item",
    "完成数 Done",
    "单价(元) Unit price",
    "金额(元) Amount",
    "无法判读(不计费) Unreadable, not paid",
    "拒收标本(不计费) Rejected tubes, not paid",
]


def reconciliation_xlsx(lines: list[Line], *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "经费核算"
    sheet.append([safe(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(RECONCILIATION_HEADER)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for x in lines:
        sheet.append([
            safe(x.site), x.month, ITEM_NAMES.get(x.item, x.item), x.done,
            x.price, x.amount, x.unreadable, x.rejected,
        ])  # fmt: skip
    priced = [x.amount for x in lines if x.amount is not None]
    sheet.append([
        "合计 Total", "", "", sum(x.done for x in lines), None, sum(priced),
        sum(x.unreadable for x in lines), sum(x.rejected for x in lines),
    ])  # fmt: skip
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    if any(x.price is None and x.done for x in lines):
        sheet.append(
            ["未设单价的项目未计金额 Items without a unit price are not priced."]
        )
    _widths(sheet, [22, 10, 30, 12, 16, 16, 22, 22])
    return _save(book)
