"""Union report API: aggregates only, suppressed in `common.suppression`."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsUnionStaff
from common.audit import audit_record
from common.errors import ApplicationError
from scheduling.reports.exports import export_filename, turnout_csv, turnout_xlsx
from scheduling.reports.outcomes import (
    INDICATORS,
    OUTCOME_MEASURES,
    outcome_report,
    outcome_report_as_dict,
)
from scheduling.reports.turnout import (
    GROUP_BYS,
    MEASURES,
    SERIES_MEASURES,
    TurnoutReport,
    campaign_get_for_report,
    parse_group_by,
    parse_report_range,
    report_as_dict,
    turnout_report,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CampaignRequired(ApplicationError):
    code = "campaign_required"
    status = 400

    def default_detail(self) -> str:
        return str(_("Choose a campaign."))


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A count stays an integer and a rate a fraction; null when hidden."""

    def to_representation(self, value: int | float) -> int | float:
        return value


class CellSerializer(serializers.Serializer):
    value = NumberField(allow_null=True)
    suppressed = serializers.BooleanField()

    class Meta:
        ref_name = "ReportCell"


class ReportCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    class Meta:
        ref_name = "ReportCampaign"


def _cells(names: tuple[str, ...], *, required: bool = True) -> dict:
    return {name: CellSerializer(required=required) for name in names}


TurnoutTotalsSerializer = type(
    "TurnoutTotalsSerializer",
    (serializers.Serializer,),
    {
        **_cells((*MEASURES, "quota_used", "turnout_rate", "no_show_rate")),
        "Meta": type("Meta", (), {"ref_name": "TurnoutTotals"}),
    },
)
TurnoutGroupSerializer = type(
    "TurnoutGroupSerializer",
    (serializers.Serializer,),
    {
        "key": serializers.CharField(),
        "label": serializers.CharField(),
        # Site and day groups describe appointments, so they have no "registered".
        **_cells(MEASURES, required=False),
        **_cells(("turnout_rate", "no_show_rate")),
        "Meta": type("Meta", (), {"ref_name": "TurnoutGroup"}),
    },
)
TurnoutDaySerializer = type(
    "TurnoutDaySerializer",
    (serializers.Serializer,),
    {
        "day": serializers.DateField(),
        **_cells(SERIES_MEASURES),
        "Meta": type("Meta", (), {"ref_name": "TurnoutDay"}),
    },
)
OutcomeCountsSerializer = type(
    "OutcomeCountsSerializer",
    (serializers.Serializer,),
    {
        **_cells(OUTCOME_MEASURES),
        "Meta": type("Meta", (), {"ref_name": "OutcomeCounts"}),
    },
)
OutcomeIndicatorsSerializer = type(
    "OutcomeIndicatorsSerializer",
    (serializers.Serializer,),
    {
        **_cells(tuple(INDICATORS)),
        "Meta": type("Meta", (), {"ref_name": "OutcomeIndicators"}),
    },
)


class TurnoutReportSerializer(serializers.Serializer):
    campaign = ReportCampaignSerializer()
    from_ = serializers.DateField(allow_null=True)
    to = serializers.DateField(allow_null=True)
    group_by = serializers.ChoiceField(choices=GROUP_BYS, allow_null=True)
    threshold = serializers.IntegerField()
    quota = serializers.IntegerField()
    totals = TurnoutTotalsSerializer()
    groups = TurnoutGroupSerializer(many=True)
    series = TurnoutDaySerializer(many=True)
    replica_lag_seconds = serializers.FloatField(
        allow_null=True,
        help_text="Seconds the reports replica was behind the primary when "
        "read; null when reports read the primary.",
    )

    class Meta:
        ref_name = "TurnoutReport"

    def get_fields(self) -> dict:
        # "from" is a Python keyword, so the field is declared as from_.
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class OutcomeReportSerializer(serializers.Serializer):
    campaign = ReportCampaignSerializer()
    from_ = serializers.DateField(allow_null=True)
    to = serializers.DateField(allow_null=True)
    threshold = serializers.IntegerField()
    counts = OutcomeCountsSerializer()
    indicators = OutcomeIndicatorsSerializer()
    replica_lag_seconds = serializers.FloatField(
        allow_null=True,
        help_text="Seconds the reports replica was behind the primary when "
        "read; null when reports read the primary.",
    )

    class Meta:
        ref_name = "OutcomeReport"

    def get_fields(self) -> dict:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


RANGE_PARAMETERS = [
    OpenApiParameter("campaign", int, required=True),
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First visit day (appointments) and registration day "
        "(registrations) counted.",
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day counted."),
]
TURNOUT_PARAMETERS = [
    *RANGE_PARAMETERS,
    OpenApiParameter("group_by", str, enum=list(GROUP_BYS)),
]


def _turnout_from_request(request: Request) -> TurnoutReport:
    params = request.query_params
    if not params.get("campaign"):
        raise CampaignRequired
    group_by = parse_group_by(params.get("group_by"))
    date_from, date_to = parse_report_range(params.get("from"), params.get("to"))
    campaign = campaign_get_for_report(campaign_id=params.get("campaign"))
    return turnout_report(
        campaign=campaign, group_by=group_by, date_from=date_from, date_to=date_to
    )


class TurnoutReportApi(APIView):
    permission_classes = [IsUnionStaff]

    @extend_schema(
        operation_id="reports_turnout",
        parameters=TURNOUT_PARAMETERS,
        responses=TurnoutReportSerializer,
        description="Turnout counts and rates; a count from 1 to 4 (and what "
        "would reveal it) is null with suppressed: true. Every other count is "
        "rounded by its records' cell keys to a multiple of 5 (10 for checked_in, "
        "screened and check_ins), the same each time it is asked (ADR 0012).",
    )
    def get(self, request: Request) -> Response:
        report = _turnout_from_request(request)
        return Response(TurnoutReportSerializer(report_as_dict(report)).data)


def _csv_for_excel(report: TurnoutReport) -> str:
    # The byte-order mark makes Excel read the Chinese names as UTF-8.
    return "\ufeff" + turnout_csv(report)


class _TurnoutExportApi(APIView):
    """One export format: the subclass names its extension, content type and the
    function that renders a report in it."""

    permission_classes = [IsUnionStaff]
    extension: str
    content_type: str
    renderer: Callable[[TurnoutReport], str | bytes]

    def get(self, request: Request) -> HttpResponse:
        report = _turnout_from_request(request)
        body = type(self).renderer(report)
        filename = export_filename(report, self.extension)
        audit_record(
            actor=request.user,
            action="report.exported",
            obj_type="campaign",
            obj_id=report.campaign.pk,
            request=request,
            purpose="turnout report",
            details={
                "report": "turnout",
                "format": self.extension,
                "group_by": report.group_by,
                "from": report.date_from.isoformat() if report.date_from else None,
                "to": report.date_to.isoformat() if report.date_to else None,
            },
        )
        response = HttpResponse(body, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class TurnoutCsvApi(_TurnoutExportApi):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    renderer = staticmethod(_csv_for_excel)

    @extend_schema(
        operation_id="reports_turnout_csv",
        parameters=TURNOUT_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class TurnoutXlsxApi(_TurnoutExportApi):
    extension = "xlsx"
    content_type = XLSX

    renderer = staticmethod(turnout_xlsx)

    @extend_schema(
        operation_id="reports_turnout_xlsx",
        parameters=TURNOUT_PARAMETERS,
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request) -> HttpResponse:
        return super().get(request)


class OutcomeReportApi(APIView):
    permission_classes = [IsUnionStaff]

    @extend_schema(
        operation_id="reports_outcomes",
        parameters=RANGE_PARAMETERS,
        responses=OutcomeReportSerializer,
        description="Aggregated outcomes; a count from 1 to 9 (and what would "
        "reveal it) is null with suppressed: true. Every other count is rounded "
        "by its records' cell keys to a multiple of 10 (ADR 0012).",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        if not params.get("campaign"):
            raise CampaignRequired
        date_from, date_to = parse_report_range(params.get("from"), params.get("to"))
        campaign = campaign_get_for_report(campaign_id=params.get("campaign"))
        report = outcome_report(campaign=campaign, date_from=date_from, date_to=date_to)
        return Response(OutcomeReportSerializer(outcome_report_as_dict(report)).data)
