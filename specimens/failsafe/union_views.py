"""The union's turnaround page: one campaign as a whole, suppressed and
cell-key rounded (specimens.failsafe.turnaround), never a woman's tube."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import staff_page
from common.suppression import OUTCOME_THRESHOLD, TOTAL, Cell
from screening.models import Campaign, CampaignStatus
from specimens.failsafe.turnaround import turnaround_for_union
from specimens.models import SpecimenKind


def union_campaigns() -> list[Campaign]:
    return list(
        Campaign.objects.exclude(status=CampaignStatus.DRAFT).order_by("-starts_on")
    )


def campaign_from(raw: str | None, campaigns: list[Campaign]) -> Campaign | None:
    """The chosen published campaign, the newest by default, None for a bad id."""
    if not raw:
        return campaigns[0] if campaigns else None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return next((c for c in campaigns if c.pk == int(raw)), None)


def _text(cell: Cell, *, rate: bool) -> str:
    if cell.suppressed:
        return "—" if rate else f"<{OUTCOME_THRESHOLD}"
    if cell.value is None:
        return "—"
    return f"{cell.value:.0%}" if rate else str(cell.value)


def union_rows(campaign_id: int) -> list[dict[str, Any]]:
    report = turnaround_for_union(campaign_id=campaign_id)
    kinds = dict(SpecimenKind.choices)
    named = [
        (name, report.labels[name][0], kinds.get(report.labels[name][1], ""))
        for name in report.table.groups
    ]
    rows = []
    for name, site, test in [*named, (TOTAL, "", "")]:
        cells = report.table.total if name == TOTAL else report.table.groups[name]
        p50, p90 = report.percentiles[name]
        rows.append(
            {
                "total": name == TOTAL,
                "site": site,
                "test": test,
                "tubes": _text(cells["tubes"], rate=False),
                "within_14": _text(cells["within_14"], rate=False),
                "within_28": _text(cells["within_28"], rate=False),
                "share_14": _text(cells["share_14"], rate=True),
                "share_28": _text(cells["share_28"], rate=True),
                "p50": p50,
                "p90": p90,
            }
        )
    return rows


@require_GET
@staff_page(Role.UNION, Role.ADMIN)
def union_turnaround_page(request: HttpRequest) -> HttpResponse:
    campaigns = union_campaigns()
    campaign = campaign_from(request.GET.get("campaign"), campaigns)
    bad = campaign is None and bool(request.GET.get("campaign"))
    return render(
        request,
        "specimens/failsafe/union_turnaround.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "rows": union_rows(campaign.pk) if campaign else [],
            "threshold": OUTCOME_THRESHOLD,
            "bad_campaign": bad,
        },
        status=400 if bad else 200,
    )
