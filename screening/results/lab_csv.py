"""Reading a lab's CSV export: the columns, the encodings, the rows.

The file is read as a stream (csv over a text wrapper), never as a list of
rows, so a 100,000-row export fits in a small worker. Columns, in any order:
`reference,test,value,notes` or 预约号,检查项目,结果,备注; `notes` may be left
out. Encoding: UTF-8, UTF-8 with BOM, or GBK (what Chinese Excel saves).
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext

from screening.results.codes import normalise_test, normalise_value

DECODE_CHUNK = 1 << 16

COLUMN_ALIASES = {
    "reference": "reference",
    "预约号": "reference",
    "test": "test",
    "检查项目": "test",
    "value": "value",
    "结果": "value",
    "notes": "notes",
    "备注": "notes",
    "barcode": "barcode",
    "条码号": "barcode",
    "条码": "barcode",
    "hpv_types": "hpv_types",
    "hpv分型": "hpv_types",
    "分型": "hpv_types",
    "received_at": "received_at",
    "接收时间": "received_at",
    "resulted_at": "resulted_at",
    "报告时间": "resulted_at",
    "rejection": "rejection",
    "拒收原因": "rejection",
}
REQUIRED_COLUMNS = ("reference", "test", "value")
OPTIONAL_COLUMNS = (
    "notes",
    "barcode",
    "hpv_types",
    "received_at",
    "resulted_at",
    "rejection",
)
# The header of the template the desk hands out: the Chinese names, in order.
TEMPLATE_HEADER = ("预约号", "检查项目", "结果", "备注")
BARCODE_TEMPLATE_HEADER = (
    "条码号",
    "结果",
    "HPV分型",
    "接收时间",
    "报告时间",
    "拒收原因",
    "备注",
)
BINARY_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "an Excel workbook or zip file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook"),
)


class ImportFileError(Exception):
    """The file as a whole cannot be read; `message` tells the desk why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _decodes(content: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    view = memoryview(content)
    try:
        for start in range(0, len(view), DECODE_CHUNK):
            decoder.decode(view[start : start + DECODE_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(content: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030 (a superset of GBK); ImportFileError if the
    bytes are empty, binary, or text in none of these."""
    if not content.strip():
        raise ImportFileError(gettext("The file is empty."))
    for signature, what in BINARY_SIGNATURES:
        if content.startswith(signature):
            raise ImportFileError(
                gettext(
                    "This is %(what)s, not a CSV file. In Excel, use Save As "
                    "and choose CSV."
                )
                % {"what": what}
            )
    if b"\x00" in content:
        raise ImportFileError(
            gettext("This is not a CSV file: it contains binary data.")
        )
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _decodes(content, "utf-8"):
        return "utf-8"
    if _decodes(content, "gb18030"):
        return "gb18030"
    raise ImportFileError(
        gettext("This file is not text in UTF-8 or GBK, so it cannot be a CSV file.")
    )


def _column_map(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = COLUMN_ALIASES.get(cell.strip().lstrip("\ufeff").lower())
        if name is not None and name not in columns:
            columns[name] = index
    # A tube's barcode names her visit and its test: with it, a row may carry
    # only a received time or a rejection.
    required = ("barcode",) if "barcode" in columns else REQUIRED_COLUMNS
    if any(name not in columns for name in required):
        raise ImportFileError(
            gettext(
                "The first row must name the columns reference, test, value and "
                "optionally notes (or 预约号, 检查项目, 结果, 备注), or a barcode "
                "column (条码号)."
            )
        )
    return columns


@dataclass(frozen=True)
class Row:
    number: int
    reference: str
    test: str
    value: str
    notes: str
    barcode: str = ""
    hpv_types: str = ""
    received_at: str = ""
    resulted_at: str = ""
    rejection: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What names one result: the tube, or the reference and the test."""
        if self.barcode:
            return ("#" + self.barcode, "")
        return (self.reference, self.test)


def _cell(cells: list[str], at: int | None) -> str:
    return cells[at].strip() if at is not None else ""


def iter_rows(content: bytes, encoding: str) -> Iterator[Row]:
    """Data rows as they stream past; `number` is the row as a spreadsheet shows
    it (the header is row 1). Blank lines are skipped."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError(gettext("The file is empty."))
        columns = _column_map(header)
        width = max(columns.values()) + 1
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield Row(
                number=number,
                reference=_cell(cells, columns.get("reference")).upper(),
                test=normalise_test(_cell(cells, columns.get("test"))),
                value=normalise_value(_cell(cells, columns.get("value"))),
                notes=_cell(cells, columns.get("notes")),
                barcode="".join(_cell(cells, columns.get("barcode")).split()).upper(),
                hpv_types=_cell(cells, columns.get("hpv_types")),
                received_at=_cell(cells, columns.get("received_at")),
                resulted_at=_cell(cells, columns.get("resulted_at")),
                rejection=_cell(cells, columns.get("rejection")),
            )
    except csv.Error as exc:
        raise ImportFileError(
            gettext("This file could not be read as CSV: %(reason)s")
            % {"reason": str(exc)}
        ) from None


def check_file(content: bytes) -> str:
    """The encoding, once the header has been read; ImportFileError otherwise."""
    encoding = detect_encoding(content)
    for _row in iter_rows(content, encoding):
        break
    return encoding
