"""The reporting page: indicators with their definitions for every staff role,
and, for the hospital's staff, the quarterly table's checks and the two XLSX
files. Thin: the figures come from the same functions as the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import staff_page
from common.errors import ApplicationError
from indicators.apis import indicators_for_request
from indicators.quarterly import quarterly_table
from scheduling.desk.selectors import desk_sites as clinic_sites
from screening.models import Campaign


def _value(item: dict[str, Any], threshold: int | None) -> str:
    if item["suppressed"]:
        return f"<{threshold}"
    if item["value"] is None:
        return "—"
    if item["per"] == 1:
        return str(int(item["value"]))
    suffix = "%" if item["per"] == 100 else "/10万"
    return f"{item['value']:.2f}{suffix}"


def _side(item: dict[str, Any], side: str, hidden: str) -> Any:
    if item[side] is not None:
        return item[side]
    has_side = side == "numerator" or item["denominator_definition"]
    return hidden if item["suppressed"] and has_side else "—"


def _rows(items: list[dict[str, Any]], threshold: int | None) -> list[dict[str, Any]]:
    hidden = f"<{threshold}"
    return [
        {
            **item,
            "shown": _value(item, threshold),
            "num": _side(item, "numerator", hidden),
            "den": _side(item, "denominator", hidden),
        }
        for item in items
    ]


def _checks(request: HttpRequest, campaign_id: str, quarter: str) -> dict[str, Any]:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {}
    site_ids = None
    if request.user.role == Role.CLINIC:
        site_ids = list(clinic_sites(user=request.user).values_list("pk", flat=True))
    table = quarterly_table(campaign=campaign, quarter=quarter, site_ids=site_ids)
    return {"quarter": table.name, "failures": table.failures}


@require_GET
@staff_page(Role.CLINIC, Role.UNION, Role.ADMIN)
def indicators_page(request: HttpRequest) -> HttpResponse:
    params = request.GET
    campaigns = list(Campaign.objects.order_by("-starts_on", "-pk"))
    chosen = params.get("campaign") or (str(campaigns[0].pk) if campaigns else "")
    context: dict[str, Any] = {
        "campaigns": campaigns,
        "chosen": chosen,
        "group_by": params.get("group_by", ""),
        "hospital": request.user.role in (Role.CLINIC, Role.ADMIN),
        "quarter": params.get("quarter", ""),
        "month": params.get("month", ""),
    }
    status = 200
    if chosen:
        try:
            report = indicators_for_request(
                request, {**params.dict(), "campaign": chosen}
            )
            context["report"] = report
            context["rows"] = _rows(report["indicators"], report["threshold"])
            context["groups"] = [
                {
                    "label": g["label"],
                    "rows": _rows(g["indicators"], report["threshold"]),
                }
                for g in report["groups"]
            ]
            if context["hospital"] and context["quarter"]:
                context["checks"] = _checks(request, chosen, context["quarter"])
        except ApplicationError as error:
            context["error"] = str(error.detail)
            status = error.status
        query = {"campaign": chosen}
        context["quarterly_url"] = (
            reverse("api-report-quarterly-xlsx")
            + "?"
            + urlencode({**query, "quarter": context["quarter"]})
        )
        context["reconciliation_url"] = (
            reverse("api-report-reconciliation-xlsx")
            + "?"
            + urlencode(
                {**query, **({"month": context["month"]} if context["month"] else {})}
            )
        )
    return render(request, "indicators/indicators.html", context, status=status)
