"""The desk's lab import pages: upload with format help and a template to
fill in, then the import's progress and, once it has run, what it recorded
and why any rows were refused."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from common.errors import ApplicationError
from scheduling.desk.apis import import_body, uploaded_csv
from scheduling.desk.common import desk_page, desk_url, require_site
from scheduling.desk.forms import ResultImportForm
from scheduling.desk.selectors import upload_site_ids
from screening import selectors as screening_selectors
from screening import services as screening_services
from screening.models import ImportStatus, ResultTest
from screening.results.codes import TEST_ALIASES, allowed_codes
from screening.results.imports import DEFAULT_MAX_BYTES
from screening.results.lab_csv import BARCODE_TEMPLATE_HEADER, TEMPLATE_HEADER
from screening.results.recording import NOTES_MAX_LENGTH

FINISHED_IMPORT_STATUSES = {ImportStatus.DONE, ImportStatus.FAILED}
# Row errors name the column at fault by its code; the desk reads it by the
# header she typed.
COLUMN_LABELS = {
    "reference": _("Booking reference"),
    "test": _("Test"),
    "value": _("Result"),
    "notes": _("Notes"),
    "barcode": _("Barcode"),
    "hpv_types": _("HPV genotypes"),
    "received_at": _("Received at"),
    "resulted_at": _("Resulted at"),
    "rejection": _("Rejection reason"),
}


def _tests_help() -> list[dict[str, Any]]:
    """Each test: its code, name, the Chinese names a lab may use, its codes."""
    codes = allowed_codes()
    return [
        {
            "code": test,
            "label": label,
            "aliases": sorted(
                alias
                for alias, target in TEST_ALIASES.items()
                if target == test and not alias.isascii()
            ),
            "values": sorted(codes.get(test, ())),
        }
        for test, label in ResultTest.choices
    ]


@require_http_methods(["GET", "POST"])
@desk_page
def desk_imports(request: HttpRequest) -> HttpResponse:
    site = require_site(request)
    form = ResultImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            uploaded = uploaded_csv(request.FILES)
            result_import = screening_services.result_import_create(
                uploaded_file=uploaded,
                by=request.user,
                site_ids=upload_site_ids(user=request.user),
            )
        except ApplicationError as error:
            form.add_error("file", str(error.detail))
        else:
            url = reverse("desk-import", args=[result_import.pk])
            return redirect(url + "?" + urlencode({"site": site.pk}))
    return render(
        request,
        "scheduling/desk/imports.html",
        {
            "site": site,
            "form": form,
            "tests": _tests_help(),
            "max_mb": DEFAULT_MAX_BYTES // (1024 * 1024),
            "notes_max": NOTES_MAX_LENGTH,
            "template_url": reverse("desk-import-template")
            + "?"
            + urlencode({"site": site.pk}),
            "back": desk_url(site),
        },
        status=400 if form.errors else 200,
    )


@require_GET
@desk_page
def desk_import_template(request: HttpRequest) -> HttpResponse:
    """An empty CSV with the columns named, in UTF-8 with a byte-order mark so
    that Excel opens the Chinese header as text, not as mojibake."""
    text = io.StringIO()
    by_barcode = request.GET.get("by") == "barcode"
    header = BARCODE_TEMPLATE_HEADER if by_barcode else TEMPLATE_HEADER
    csv.writer(text).writerow(header)
    response = HttpResponse(
        codecs.BOM_UTF8 + text.getvalue().encode(),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        'attachment; filename="lab-results-template.csv"; '
        "filename*=UTF-8''%E6%A3%80%E9%AA%8C%E7%BB%93%E6%9E%9C%E6%A8%A1%E6%9D%BF.csv"
    )
    return response


def _summary(body: dict[str, Any], error_count: int) -> dict[str, Any]:
    """Rows recorded, rows refused, and the refused rows counted by column."""
    by_column = Counter(str(error.get("field", "")) for error in body["errors"])
    return {
        "recorded": body.get("recorded") or 0,
        "refused": error_count,
        "by_column": [
            {"label": COLUMN_LABELS.get(field, field), "count": count}
            for field, count in by_column.most_common()
        ],
    }


@require_GET
@desk_page
def desk_import(request: HttpRequest, import_id: int) -> HttpResponse:
    site = require_site(request)
    try:
        result_import = screening_selectors.result_import_get(
            import_id=import_id, by=request.user
        )
    except ApplicationError as error:
        raise PermissionDenied from error
    body = import_body(result_import)
    total = body.get("total") or 0
    processed = body.get("processed") or 0
    errors = [
        {**error, "column": COLUMN_LABELS.get(error["field"], error["field"])}
        for error in body["errors"]
    ]
    return render(
        request,
        "scheduling/desk/import.html",
        {
            "site": site,
            "import": body,
            "errors": errors,
            "status_label": result_import.get_status_display(),
            "failed": result_import.status == ImportStatus.FAILED,
            "summary": _summary(body, result_import.error_count),
            "percent": int(processed * 100 / total) if total else 0,
            "finished": result_import.status in FINISHED_IMPORT_STATUSES,
            "api_url": reverse("api-clinic-result-import", args=[import_id]),
            "back": desk_url(site),
        },
    )
