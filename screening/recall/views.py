"""The next-due register for program admins: a page and its CSV export.

Each read lists individual women, so each is audited (who, when, the filter).
"""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import staff_page
from common.audit import audit_record
from screening.recall.register import TESTS, register_csv, register_page


def _due_by(request: HttpRequest) -> tuple[date | None, bool]:
    raw = request.GET.get("due_by", "").strip()
    if not raw:
        return None, True
    try:
        return date.fromisoformat(raw), True
    except ValueError:
        return None, False


@require_GET
@staff_page(Role.ADMIN)
def register_view(request: HttpRequest) -> HttpResponse:
    due_by, valid = _due_by(request)
    today = timezone.localdate()
    rows, total = register_page(today=today, due_by=due_by) if valid else ([], 0)
    audit_record(
        actor=request.user,
        action="recall.register.view",
        obj_type="recall_register",
        obj_id="-",
        request=request,
        details={"due_by": str(due_by or ""), "rows": total},
    )
    return render(
        request,
        "recall/register.html",
        {
            "rows": rows,
            "total": total,
            "due_by": due_by,
            "invalid": not valid,
            "tests": TESTS,
            "raw_due_by": request.GET.get("due_by", ""),
        },
        status=200 if valid else 400,
    )


@require_GET
@staff_page(Role.ADMIN)
def register_export(request: HttpRequest) -> HttpResponse:
    due_by, valid = _due_by(request)
    if not valid:
        return HttpResponse("due_by: YYYY-MM-DD", status=400, content_type="text/plain")
    body = register_csv(today=timezone.localdate(), due_by=due_by)
    audit_record(
        actor=request.user,
        action="recall.register.export",
        obj_type="recall_register",
        obj_id="-",
        request=request,
        details={"due_by": str(due_by or "")},
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="next-due.csv"'
    return response
