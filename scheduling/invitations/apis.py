"""What the union sees of invitation batches: counts, small ones hidden."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsUnionStaff
from scheduling.invitations.selectors import batches_for_union
from screening.errors import CampaignRequired


class InvitationBatchCountsApi(APIView):
    """GET /api/v1/reports/invitation-batches/?campaign=ID: each batch of the
    campaign with its counts per status and per exclusion reason (None: a count
    under 5, hidden)."""

    permission_classes = [IsUnionStaff]

    @extend_schema(
        parameters=[OpenApiParameter("campaign", int, required=True)],
        responses=inline_serializer(
            "InvitationBatchCounts",
            {
                "id": serializers.IntegerField(),
                "status": serializers.CharField(),
                # Per status and per exclusion reason; null: under 5, hidden.
                "counts": serializers.DictField(
                    child=serializers.IntegerField(allow_null=True)
                ),
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("campaign", "")
        if not raw.isdigit():
            # Which campaign's batches: a 400 with its code, not a guess.
            raise CampaignRequired
        return Response(batches_for_union(campaign_id=int(raw)))
