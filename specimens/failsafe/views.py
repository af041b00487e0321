"""The desk's failsafe pages: the worklist by tier and age, closing an item with
its reason, today's digest, and the turnaround of her sites."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from specimens.failsafe.digest import failsafe_digest_rows
from specimens.failsafe.selectors import (
    PAGE_SIZE,
    WorklistRow,
    failsafe_counts,
    failsafe_worklist,
)
from specimens.failsafe.services import failsafe_item_close
from specimens.failsafe.turnaround import turnaround_exact
from specimens.failsafe_models import CloseReason, Tier
from specimens.models import SpecimenKind
from specimens.scope import allowed_site_ids
from specimens.views import desk_page

# What the desk does at each tier (a draft the hospital approves).
TIER_ACTIONS = {
    Tier.REMIND: gettext_lazy("Ask the lab where the tube is."),
    Tier.ESCALATE: gettext_lazy("Escalate to the lab lead and the clinic lead."),
    Tier.LOST: gettext_lazy(
        "Declared lost: she has been asked back; close once she is recalled."
    ),
}
TURNAROUND_DEFAULT_DAYS = 90
TURNAROUND_MAX_DAYS = 400


def _small_int(raw: str | None, default: int | None, *, top: int) -> int | None:
    """A small positive number from the query string; anything else is the
    default (a list page never answers bad input with an error page)."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 6:
        value = int(raw)
        if 1 <= value <= top:
            return value
    return default


def _worklist_context(request: HttpRequest, error: Any = None) -> dict[str, Any]:
    site_ids = allowed_site_ids(request.user)
    tier = _small_int(request.GET.get("tier"), None, top=max(Tier.values))
    page = _small_int(request.GET.get("page"), 1, top=10_000) or 1
    rows = failsafe_worklist(site_ids=site_ids, tier=tier, page=page)
    counts = failsafe_counts(site_ids=site_ids)
    return {
        "rows": _shown(rows),
        "reason_options": _reason_options(),
        "counts": [(Tier(t), counts[t]) for t in sorted(counts, reverse=True)],
        "total": sum(counts.values()),
        "tier": tier,
        "page": page,
        "next_page": page + 1 if len(rows) == PAGE_SIZE else None,
        "error": error,
    }


def _shown(rows: list[WorklistRow]) -> list[dict[str, Any]]:
    """Each row's words worked out once here: a page of 50 rows renders in a
    few milliseconds instead of translating inside every cell."""
    kinds = dict(SpecimenKind.choices)
    tiers = {t.value: str(t.label) for t in Tier}
    actions = {int(t): str(text) for t, text in TIER_ACTIONS.items()}
    return [
        {
            "row": row,
            "tier_label": tiers.get(row.tier, ""),
            "kind_label": str(kinds.get(row.kind, row.kind)),
            "action": actions.get(row.tier, ""),
            "collected": timezone.localtime(row.collected_at).strftime(
                "%Y-%m-%d %H:%M"
            ),
            "close_label": _("Reason for closing %(code)s") % {"code": row.barcode},
        }
        for row in rows
    ]


def _reason_options() -> str:
    options = [format_html('<option value="">{}</option>', _("Choose…"))]
    options += [
        format_html('<option value="{}">{}</option>', value, label)
        for value, label in CloseReason.choices
    ]
    return mark_safe("".join(options))  # noqa: S308 - each part escaped by format_html


@require_GET
@desk_page
def worklist_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "specimens/failsafe/worklist.html", _worklist_context(request)
    )


@require_POST
@desk_page
def item_close(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        failsafe_item_close(
            item_id=item_id,
            reason=request.POST.get("reason", ""),
            by=request.user,
            site_ids=allowed_site_ids(request.user),
        )
    except ApplicationError as error:
        return render(
            request,
            "specimens/failsafe/worklist.html",
            _worklist_context(request, error),
            status=error.status,
        )
    messages.success(request, _("The item is closed, with its reason."))
    return redirect(reverse("failsafe-worklist"))


@require_GET
@desk_page
def digest_page(request: HttpRequest) -> HttpResponse:
    rows = failsafe_digest_rows(site_ids=allowed_site_ids(request.user))
    return render(
        request,
        "specimens/failsafe/digest.html",
        {"rows": rows, "day": timezone.localdate()},
    )


def _range(request: HttpRequest) -> tuple[date, date, str | None]:
    today = timezone.localdate()
    default = (today - timedelta(days=TURNAROUND_DEFAULT_DAYS), today)
    try:
        start = date.fromisoformat(request.GET.get("from") or default[0].isoformat())
        end = date.fromisoformat(request.GET.get("to") or default[1].isoformat())
    except ValueError:
        return (*default, _("Enter dates as YYYY-MM-DD."))
    if end < start or (end - start).days > TURNAROUND_MAX_DAYS:
        return (
            *default,
            _("Choose a range of at most 400 days, ending after it starts."),
        )
    return start, end, None


@require_GET
@desk_page
def turnaround_page(request: HttpRequest) -> HttpResponse:
    start, end, problem = _range(request)
    rows = turnaround_exact(
        site_ids=allowed_site_ids(request.user), start=start, end=end
    )
    return render(
        request,
        "specimens/failsafe/turnaround.html",
        {"rows": rows, "start": start, "end": end, "problem": problem},
        status=400 if problem else 200,
    )
