"""What the union sees of invitation batches: counts, small ones hidden."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsUnionStaff
from scheduling.invitations.models import InvitationBatch
from scheduling.invitations.selectors import batch_counts_for_union
from screening.errors import CampaignRequired


class InvitationBatchCountsApi(APIView):
    """GET /api/v1/reports/invitation-batches/?campaign=ID: each batch of the
    campaign with its counts per status and per exclusion reason (None: a count
    under 5, hidden)."""

    permission_classes = [IsUnionStaff]

    @extend_schema(
        parameters=[OpenApiParameter("campaign", int, required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("campaign", "")
        if not raw.isdigit():
            # Which campaign's batches: a 400 with its code, not a guess.
            raise CampaignRequired
        batches = InvitationBatch.objects.filter(campaign_id=int(raw)).order_by("id")
        return Response(
            [
                {
                    "id": batch.pk,
                    "status": batch.status,
                    "counts": batch_counts_for_union(batch=batch),
                }
                for batch in batches
            ]
        )
