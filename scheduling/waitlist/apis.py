"""The waitlist's JSON API (SPEC §8.3): join, her entries, claim, leave."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduling.models import Appointment
from scheduling.waitlist.models import WaitlistEntry
from scheduling.waitlist.selectors import (
    entries_for_participant,
    entry_position,
    offer_held,
)
from scheduling.waitlist.services import waitlist_claim, waitlist_join, waitlist_leave
from screening.authentication import IsParticipant
from screening.models import Participant


def _participant(request: Request) -> Participant:
    participant = getattr(request.user, "participant", None)
    # IsParticipant let the request in; this is the type checker's proof of it.
    if not isinstance(participant, Participant):
        raise exceptions.PermissionDenied
    return participant


_MOMENT = serializers.DateTimeField()


def claimed_answer(appointment: Appointment) -> dict[str, Any]:
    """The booking API's answer for her new appointment (SPEC §4): the same
    shape as a booking's, built here because `scheduling.apis` sits above the
    transitions that call the waitlist."""
    slot, site = appointment.slot, appointment.slot.site
    return {
        "id": appointment.pk,
        "reference": appointment.reference,
        "status": str(appointment.status),
        "campaign": appointment.campaign_id,
        "slot": appointment.slot_id,
        "site": {
            "id": site.pk,
            "code": site.code,
            "name": site.name,
            "address": site.address,
            "phone": site.phone,
        },
        "starts_at": _MOMENT.to_representation(slot.starts_at),
        "ends_at": _MOMENT.to_representation(slot.ends_at),
    }


class EntryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    site = serializers.IntegerField(source="site_id")
    day = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    position = serializers.SerializerMethodField()
    offer = serializers.SerializerMethodField()

    class Meta:
        ref_name = "WaitlistEntry"

    def get_position(self, obj: WaitlistEntry) -> int | None:
        return entry_position(entry=obj)

    def get_offer(self, obj: WaitlistEntry) -> dict[str, Any] | None:
        offer = offer_held(entry=obj)
        if offer is None:
            return None
        field = serializers.DateTimeField()
        return {
            "slot": offer.slot_id,
            "starts_at": field.to_representation(offer.slot.starts_at),
            "held_until": field.to_representation(offer.expires_at),
        }


class WaitlistCollectionApi(APIView):
    """GET her entries; POST joins the waitlist of a full day (or any day)."""

    permission_classes = [IsParticipant]

    class InputSerializer(serializers.Serializer):
        campaign = serializers.IntegerField(min_value=1)
        site = serializers.IntegerField(min_value=1)
        day = serializers.DateField(allow_null=True, required=False, default=None)

        class Meta:
            ref_name = "WaitlistJoinInput"

    class JoinedSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        position = serializers.IntegerField()

        class Meta:
            ref_name = "WaitlistJoined"

    @extend_schema(responses=EntryOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        entries = entries_for_participant(participant=_participant(request))
        return Response(EntryOutputSerializer(entries, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: JoinedSerializer})
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = waitlist_join(
            participant=_participant(request),
            campaign_id=data["campaign"],
            site_id=data["site"],
            day=data["day"],
        )
        body = {"id": entry.pk, "position": entry_position(entry=entry)}
        return Response(body, status=status.HTTP_201_CREATED)


class WaitlistClaimApi(APIView):
    """Book the place held for her (409 `offer_expired`, `already_booked`)."""

    permission_classes = [IsParticipant]

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, entry_id: int) -> Response:
        appointment = waitlist_claim(
            participant=_participant(request), entry_id=entry_id
        )
        return Response(claimed_answer(appointment), status=status.HTTP_201_CREATED)


class WaitlistLeaveApi(APIView):
    """She leaves the line; a place held for her passes on."""

    permission_classes = [IsParticipant]

    @extend_schema(request=None, responses=EntryOutputSerializer)
    def post(self, request: Request, entry_id: int) -> Response:
        entry = waitlist_leave(participant=_participant(request), entry_id=entry_id)
        return Response(EntryOutputSerializer(entry).data)
