"""The failsafe's JSON API: the worklist and its close (clinic staff, their
sites), the digest, and turnaround (exact for the desk, suppressed for the
union). Thin: parse, call a selector or service, serialise."""

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsClinicStaff, IsUnionStaff
from common.errors import ApplicationError
from common.schema import bad_request
from specimens.failsafe.digest import failsafe_digest_rows, local_day
from specimens.failsafe.selectors import failsafe_counts, failsafe_worklist
from specimens.failsafe.services import failsafe_item_close
from specimens.failsafe.turnaround import turnaround_exact
from specimens.failsafe.union_views import campaign_from, union_campaigns, union_rows
from specimens.failsafe.views import TURNAROUND_MAX_DAYS
from specimens.failsafe_models import CloseReason, Tier
from specimens.scope import allowed_site_ids

TIER_CODES = {int(Tier.REMIND): "remind", int(Tier.ESCALATE): "escalate"}
TIER_CODES[int(Tier.LOST)] = "lost"


class QueryInvalid(ApplicationError):
    code = "query_invalid"
    status = 400


class WorklistQuery(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(TIER_CODES.values()), required=False)
    page = serializers.IntegerField(min_value=1, max_value=10_000, default=1)


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    specimen = serializers.IntegerField(source="specimen_id")
    barcode = serializers.CharField()
    kind = serializers.CharField()
    site = serializers.IntegerField(source="site_id")
    site_name = serializers.CharField()
    status = serializers.CharField()
    tier = serializers.SerializerMethodField()
    collected_at = serializers.DateTimeField()
    age_days = serializers.IntegerField()
    recalled = serializers.BooleanField()

    def get_tier(self, row: Any) -> str:
        return TIER_CODES[row.tier]


class CountsSerializer(serializers.Serializer):
    remind = serializers.IntegerField()
    escalate = serializers.IntegerField()
    lost = serializers.IntegerField()


class WorklistOutput(serializers.Serializer):
    counts = CountsSerializer()
    results = ItemSerializer(many=True)


class CloseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    closed_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=CloseReason.choices)


class DigestSiteSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    site_name = serializers.CharField()
    remind = serializers.IntegerField()
    escalate = serializers.IntegerField()
    lost = serializers.IntegerField()
    new_today = serializers.IntegerField()


class DigestOutput(serializers.Serializer):
    day = serializers.DateField()
    sites = DigestSiteSerializer(many=True)


class TurnaroundRowSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    site_name = serializers.CharField()
    test = serializers.CharField()
    tubes = serializers.IntegerField()
    resulted = serializers.IntegerField()
    p50_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)
    within_14 = serializers.IntegerField()
    within_28 = serializers.IntegerField()
    share_14 = serializers.FloatField(allow_null=True)
    share_28 = serializers.FloatField(allow_null=True)


class TurnaroundOutput(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    rows = TurnaroundRowSerializer(many=True)


class UnionRowSerializer(serializers.Serializer):
    total = serializers.BooleanField()
    site = serializers.CharField()
    test = serializers.CharField()
    tubes = serializers.CharField(help_text="A rounded count, or <10 when hidden.")
    within_14 = serializers.CharField()
    within_28 = serializers.CharField()
    share_14 = serializers.CharField(help_text="A percentage, or — when hidden.")
    share_28 = serializers.CharField()
    p50 = serializers.IntegerField(allow_null=True)
    p90 = serializers.IntegerField(allow_null=True)


class UnionOutput(serializers.Serializer):
    campaign = serializers.IntegerField()
    rows = UnionRowSerializer(many=True)


def _valid(serializer: serializers.Serializer) -> dict[str, Any]:
    if not serializer.is_valid():
        raise QueryInvalid(str(serializer.errors), extra={"fields": serializer.errors})
    return dict(serializer.validated_data)


class FailsafeWorklistApi(APIView):
    permission_classes = [IsClinicStaff]

    @extend_schema(
        parameters=[WorklistQuery],
        responses={200: WorklistOutput, 400: bad_request("A bad tier or page.")},
    )
    def get(self, request: Request) -> Response:
        query = _valid(WorklistQuery(data=request.query_params))
        codes = {code: tier for tier, code in TIER_CODES.items()}
        site_ids = allowed_site_ids(request.user)
        rows = failsafe_worklist(
            site_ids=site_ids, tier=codes.get(query.get("tier", "")), page=query["page"]
        )
        counts = failsafe_counts(site_ids=site_ids)
        return Response(
            WorklistOutput(
                {
                    "counts": {TIER_CODES[t]: n for t, n in counts.items()},
                    "results": rows,
                }
            ).data
        )


class CloseInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CloseReason.choices)


class FailsafeItemCloseApi(APIView):
    permission_classes = [IsClinicStaff]

    @extend_schema(
        request=CloseInput,
        responses={200: CloseOutput, 400: bad_request("No known reason.")},
    )
    def post(self, request: Request, item_id: int) -> Response:
        raw = request.data.get("reason") if hasattr(request.data, "get") else None
        item = failsafe_item_close(
            item_id=item_id,
            # The service refuses anything but a known reason, in her language.
            reason=raw if isinstance(raw, str) else "",
            by=request.user,
            site_ids=allowed_site_ids(request.user),
        )
        return Response(
            CloseOutput(
                {
                    "id": item.pk,
                    "closed_at": item.closed_at,
                    "reason": item.close_reason,
                }
            ).data
        )


class FailsafeDigestApi(APIView):
    permission_classes = [IsClinicStaff]

    @extend_schema(responses={200: DigestOutput})
    def get(self, request: Request) -> Response:
        rows = failsafe_digest_rows(site_ids=allowed_site_ids(request.user))
        return Response(
            DigestOutput(
                {
                    "day": local_day(timezone.now()),
                    "sites": [
                        {
                            "site": row.site_id,
                            "site_name": row.site_name,
                            "remind": row.remind,
                            "escalate": row.escalate,
                            "lost": row.lost,
                            "new_today": row.new_today,
                        }
                        for row in rows
                    ],
                }
            ).data
        )


class TurnaroundApi(APIView):
    permission_classes = [IsClinicStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses={200: TurnaroundOutput, 400: bad_request("A bad range.")},
    )
    def get(self, request: Request) -> Response:
        start, end = _dates(request)
        rows = turnaround_exact(
            site_ids=allowed_site_ids(request.user), start=start, end=end
        )
        return Response(
            TurnaroundOutput(
                {
                    "start": start,
                    "end": end,
                    "rows": [
                        {
                            "site": r.site_id,
                            "site_name": r.site_name,
                            "test": r.kind,
                            "tubes": r.tubes,
                            "resulted": r.resulted,
                            "p50_days": r.p50_days,
                            "p90_days": r.p90_days,
                            "within_14": r.within_14,
                            "within_28": r.within_28,
                            "share_14": r.share_14,
                            "share_28": r.share_28,
                        }
                        for r in rows
                    ],
                }
            ).data
        )


def _dates(request: Request) -> tuple[date, date]:
    try:
        start = date.fromisoformat(request.query_params.get("from", ""))
        end = date.fromisoformat(request.query_params.get("to", ""))
    except ValueError:
        raise QueryInvalid("Give from and to as YYYY-MM-DD.") from None
    if end < start or (end - start).days > TURNAROUND_MAX_DAYS:
        raise QueryInvalid(
            "Choose a range of at most 400 days, ending after it starts."
        )
    return start, end


class UnionTurnaroundApi(APIView):
    permission_classes = [IsUnionStaff]

    @extend_schema(
        parameters=[OpenApiParameter("campaign", OpenApiTypes.INT)],
        responses={200: UnionOutput, 400: bad_request("No such campaign.")},
    )
    def get(self, request: Request) -> Response:
        campaign = campaign_from(
            request.query_params.get("campaign"), union_campaigns()
        )
        if campaign is None:
            raise QueryInvalid("No such campaign.", code="campaign_not_found")
        return Response(
            UnionOutput({"campaign": campaign.pk, "rows": union_rows(campaign.pk)}).data
        )
