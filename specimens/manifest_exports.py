"""A manifest as the lab takes it: CSV (UTF-8 with BOM, for Excel) and XLSX.
Barcode, reference, test and times only: the lab needs no name."""

import csv
import io

from django.utils import timezone
from openpyxl import Workbook

from specimens.manifests import manifest_rows
from specimens.models import Manifest

HEADER = ["barcode", "reference", "test", "collected_at", "dispatched_at"]


def _local(value) -> str:  # type: ignore[no-untyped-def]
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rows(manifest: Manifest) -> list[list[str]]:
    return [
        [
            s.barcode,
            s.visit.reference,
            s.kind,
            _local(s.collected_at),
            _local(s.dispatched_at),
        ]
        for s in manifest_rows(manifest)
    ]


def _safe(cell: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def manifest_csv(manifest: Manifest) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in _rows(manifest):
        writer.writerow([_safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def manifest_xlsx(manifest: Manifest) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"manifest {manifest.pk}"
    sheet.append(HEADER)
    for row in _rows(manifest):
        sheet.append([_safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
