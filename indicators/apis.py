"""The reporting API of SPEC §8.4: indicators (JSON), the quarterly table (JSON
and XLSX) and the funding reconciliation (XLSX). Thin: the figures come from
indicators.report, quarterly and reconciliation; who sees what from access."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import is_staff_with_role
from common.audit import audit_record
from common.errors import ApplicationError
from indicators.access import audience_for, exact_audience_for
from indicators.presentation import report_as_dict
from indicators.quarterly import ChecksFailed, quarterly_table
from indicators.reconciliation import reconciliation_lines
from indicators.report import GROUP_BYS, indicator_report
from indicators.xlsx import XLSX, quarterly_xlsx, reconciliation_xlsx
from scheduling.reports.ranges import parse_report_range
from scheduling.reports.turnout import campaign_get_for_report
from screening.models import Campaign


class IsReportingStaff(permissions.BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return is_staff_with_role(request.user, Role.CLINIC, Role.UNION, Role.ADMIN)


class CampaignRequired(ApplicationError):
    code = "campaign_required"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Choose a campaign.")


class InvalidIndicatorGroupBy(ApplicationError):
    code = "invalid_group_by"
    status = 400

    def default_detail(self) -> str | Promise:
        return _("Group by site or occupation.")


def _group_by(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in GROUP_BYS:
        raise InvalidIndicatorGroupBy
    return raw


def indicators_for_request(request: Any, params: Any) -> dict[str, Any]:
    """Shared by the API and the page: the report this user may see."""
    campaign = _campaign_from(params)
    audience = audience_for(request.user, params.get("site"))
    group_by = _group_by(params.get("group_by"))
    date_from, date_to = parse_report_range(params.get("from"), params.get("to"))
    report = indicator_report(
        campaign=campaign,
        exact=audience.exact,
        date_from=date_from,
        date_to=date_to,
        site_ids=audience.site_ids,
        group_by=group_by,
    )
    return report_as_dict(
        report, group_by=group_by, date_from=date_from, date_to=date_to
    )


def _campaign_from(params: Any) -> Campaign:
    raw = params.get("campaign")
    if not raw:
        raise CampaignRequired
    return campaign_get_for_report(campaign_id=raw)


COMMON = [
    OpenApiParameter("campaign", int, required=True),
    OpenApiParameter("site", int, description="One of your sites (clinic staff)."),
]


class IndicatorsApi(APIView):
    permission_classes = [IsReportingStaff]

    @extend_schema(
        operation_id="reports_indicators",
        parameters=[
            *COMMON,
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter("group_by", str, enum=list(GROUP_BYS)),
        ],
        responses=OpenApiTypes.OBJECT,
        description="DOMAIN §1.6 indicators, one woman per ID hash. Clinic staff: "
        "their sites, exact. Union staff: counts from 1 to 9 (and what would reveal "
        "them) null with suppressed: true; the rest rounded by cell key to "
        "multiples of 10 (ADR 0012).",
    )
    def get(self, request: Request) -> Response:
        return Response(indicators_for_request(request, request.query_params))


def _export(
    request: Request, body: bytes, name: str, report: str, details: dict
) -> HttpResponse:
    audit_record(
        actor=request.user,
        action="report.exported",
        obj_type="campaign",
        obj_id=details["campaign"],
        request=request,
        purpose=f"{report} report",
        details={"report": report, **details},
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _unit(site_ids: list[int] | None) -> str:
    from scheduling.models import Site

    if site_ids is None:
        return "全部站点 All sites"
    return "、".join(
        Site.objects.filter(pk__in=site_ids).values_list("name", flat=True)
    )


class QuarterlyApi(APIView):
    permission_classes = [IsReportingStaff]

    @extend_schema(
        operation_id="reports_quarterly",
        parameters=[*COMMON, OpenApiParameter("quarter", str, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        campaign = _campaign_from(request.query_params)
        audience = exact_audience_for(request.user, request.query_params.get("site"))
        table = quarterly_table(
            campaign=campaign,
            quarter=request.query_params.get("quarter"),
            site_ids=audience.site_ids,
        )
        return Response(
            {
                "campaign": {"id": campaign.pk, "name": campaign.name},
                "quarter": table.name,
                "periods": [p.label for p in table.periods],
                "columns": table.columns,
                "rates": table.rates,
                "failures": [f.__dict__ for f in table.failures],
            }
        )


class QuarterlyXlsxApi(APIView):
    permission_classes = [IsReportingStaff]

    @extend_schema(
        operation_id="reports_quarterly_xlsx",
        parameters=[*COMMON, OpenApiParameter("quarter", str, required=True)],
        responses={(200, XLSX): OpenApiTypes.BINARY},
        description="422 quarterly_checks_failed, with the failures listed, when a "
        "logic check fails: nothing is exported until the records are right.",
    )
    def get(self, request: Request) -> HttpResponse:
        campaign = _campaign_from(request.query_params)
        audience = exact_audience_for(request.user, request.query_params.get("site"))
        table = quarterly_table(
            campaign=campaign,
            quarter=request.query_params.get("quarter"),
            site_ids=audience.site_ids,
        )
        if table.failures:
            raise ChecksFailed(extra={"failures": [f.__dict__ for f in table.failures]})
        body = quarterly_xlsx(table, unit=_unit(audience.site_ids))
        name = f"quarterly-{campaign.pk}-{table.name}.xlsx"
        details = {
            "campaign": campaign.pk,
            "quarter": table.name,
            "sites": audience.site_ids,
        }
        return _export(request, body, name, "quarterly", details)


class ReconciliationXlsxApi(APIView):
    permission_classes = [IsReportingStaff]

    @extend_schema(
        operation_id="reports_reconciliation_xlsx",
        parameters=[*COMMON, OpenApiParameter("month", str, description="YYYY-MM")],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request) -> HttpResponse:
        campaign = _campaign_from(request.query_params)
        audience = exact_audience_for(request.user, request.query_params.get("site"))
        month = request.query_params.get("month")
        lines = reconciliation_lines(
            campaign=campaign, month=month, site_ids=audience.site_ids
        )
        title = f"两癌筛查经费核算 {campaign.name} {month or ''}".strip()
        body = reconciliation_xlsx(lines, title=title)
        name = f"reconciliation-{campaign.pk}-{month or 'all'}.xlsx"
        details = {"campaign": campaign.pk, "month": month, "sites": audience.site_ids}
        return _export(request, body, name, "reconciliation", details)
