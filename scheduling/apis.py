from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduling.calendar import appointment_ics
from scheduling.errors import InvalidIdempotencyKey
from scheduling.idempotency import booking_answer_once
from scheduling.listing_query import SlotListFilter, invalid_query_body
from scheduling.models import Appointment
from scheduling.places import PlacesBand
from scheduling.qr import appointment_qr_svg
from scheduling.selectors import (
    appointment_get_for_participant,
    appointment_list_for_participant,
    site_list_active,
    slot_listing,
)
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from screening.authentication import IsParticipant
from screening.models import Participant
from screening.selectors import campaign_list_public


class CampaignListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class DistrictSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()

        class Meta:
            ref_name = "District"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        starts_on = serializers.DateField()
        ends_on = serializers.DateField()
        min_age = serializers.IntegerField()
        max_age = serializers.IntegerField()
        services = serializers.CharField()
        registration_open = serializers.BooleanField()
        districts = serializers.SerializerMethodField()

        class Meta:
            ref_name = "Campaign"

        def get_districts(self, obj) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
            return [{"code": d.code, "name": d.name} for d in obj.districts.all()]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        campaigns = campaign_list_public()
        return Response(self.OutputSerializer(campaigns, many=True).data)


class SiteListApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        code = serializers.CharField()
        name = serializers.CharField()
        address = serializers.CharField()
        phone = serializers.CharField()

        class Meta:
            ref_name = "Site"

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(site_list_active(), many=True).data)


class SlotListApi(APIView):
    """Future slots of a campaign, for anyone choosing a time."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    FilterSerializer = SlotListFilter

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        site = serializers.IntegerField(source="site_id")
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        capacity = serializers.IntegerField()
        # A band, not the count: an exact count open to anyone shows each booking
        # at a time and site as it happens (scheduling.places).
        places = serializers.ChoiceField(
            choices=PlacesBand.choices, source="places_band"
        )

        class Meta:
            ref_name = "Slot"

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        if not filters.is_valid():
            return Response(invalid_query_body(filters.errors), status=400)
        slots = slot_listing(
            campaign_id=campaign_id,
            site_id=filters.validated_data.get("site"),
            day=filters.validated_data.get("date"),
            available_only=filters.validated_data["available"],
        )
        # The rows already have OutputSerializer's shape (a test holds them to
        # it): running it again on every request would cost more than the rest.
        return Response(slots)


class AppointmentSiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()

    class Meta:
        ref_name = "AppointmentSite"


class AppointmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    campaign = serializers.IntegerField(source="campaign_id")
    slot = serializers.IntegerField(source="slot_id")
    site = AppointmentSiteSerializer(source="slot.site")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")

    class Meta:
        ref_name = "Appointment"


_MOMENT = serializers.DateTimeField()


def booked_answer(appointment: Appointment) -> dict[str, Any]:
    """AppointmentOutputSerializer's body for a new booking, built directly: a
    serializer copies its declared fields for every instance, a third of a
    millisecond per booking in a surge (ADR 0008). A test holds the two equal."""
    slot = appointment.slot
    site = slot.site
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


IDEMPOTENCY_KEY_MAX_LENGTH = 100


def _participant(request: Request) -> Participant:
    participant = getattr(request.user, "participant", None)
    # IsParticipant let the request in; this is the type checker's proof of it.
    if not isinstance(participant, Participant):
        raise exceptions.PermissionDenied
    return participant


def idempotency_key(request: Request | HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidIdempotencyKey
    return key


class AppointmentCollectionApi(APIView):
    """GET her appointments; POST books one (honours `Idempotency-Key`)."""

    permission_classes = [IsParticipant]

    class InputSerializer(serializers.Serializer):
        slot = serializers.IntegerField(min_value=1)

        class Meta:
            ref_name = "AppointmentBookInput"

    @extend_schema(responses=AppointmentOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        appointments = appointment_list_for_participant(
            participant=_participant(request)
        )
        return Response(AppointmentOutputSerializer(appointments, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: AppointmentOutputSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A repeat with the same key returns the first answer "
                "and books nothing more.",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        participant = _participant(request)
        slot_id = payload.validated_data["slot"]
        key = idempotency_key(request)
        if key is None:
            appointment = appointment_book(participant=participant, slot_id=slot_id)
            return Response(booked_answer(appointment), status=status.HTTP_201_CREATED)
        answer_status, body = booking_answer_once(
            participant=participant, slot_id=slot_id, key=key, render=booked_answer
        )
        return Response(body, status=answer_status)


class AppointmentDetailApi(APIView):
    permission_classes = [IsParticipant]

    @extend_schema(responses=AppointmentOutputSerializer)
    def get(self, request: Request, appointment_id: int) -> Response:
        appointment = appointment_get_for_participant(
            appointment_id=appointment_id, participant=_participant(request)
        )
        return Response(AppointmentOutputSerializer(appointment).data)


class AppointmentCancelApi(APIView):
    permission_classes = [IsParticipant]

    @extend_schema(request=None, responses=AppointmentOutputSerializer)
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = appointment_get_for_participant(
            appointment_id=appointment_id, participant=_participant(request)
        )
        appointment = appointment_cancel(appointment=appointment)
        return Response(AppointmentOutputSerializer(appointment).data)


class AppointmentRescheduleApi(APIView):
    permission_classes = [IsParticipant]

    class InputSerializer(serializers.Serializer):
        slot = serializers.IntegerField(min_value=1)

        class Meta:
            ref_name = "AppointmentRescheduleInput"

    @extend_schema(request=InputSerializer, responses=AppointmentOutputSerializer)
    def post(self, request: Request, appointment_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appointment = appointment_get_for_participant(
            appointment_id=appointment_id, participant=_participant(request)
        )
        appointment = appointment_reschedule(
            appointment=appointment, slot_id=payload.validated_data["slot"]
        )
        return Response(AppointmentOutputSerializer(appointment).data)


class _FileApi(APIView):
    """Answers a file on success and JSON on an error, whatever the Accept header:
    an <img> or a calendar app asks for its own type, and an error body must still
    be readable."""

    permission_classes = [IsParticipant]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[Any, str]:
        return super().perform_content_negotiation(request, force=True)


class AppointmentQrApi(_FileApi):
    @extend_schema(
        operation_id="appointments_qr_svg",
        responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    )
    def get(self, request: Request, appointment_id: int) -> HttpResponse:
        appointment = appointment_get_for_participant(
            appointment_id=appointment_id, participant=_participant(request)
        )
        return HttpResponse(
            appointment_qr_svg(appointment=appointment), content_type="image/svg+xml"
        )


class AppointmentCalendarApi(_FileApi):
    @extend_schema(
        operation_id="appointments_calendar_ics",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request: Request, appointment_id: int) -> HttpResponse:
        appointment = appointment_get_for_participant(
            appointment_id=appointment_id, participant=_participant(request)
        )
        response = HttpResponse(
            appointment_ics(
                appointment=appointment, domain=request.get_host().split(":")[0]
            ),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="screening-{appointment.reference}.ics"'
        )
        return response
