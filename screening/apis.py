"""Sign-up API (SPEC §4): SMS code, code exchange, registration, her own profile
(her results are in screening.result_apis)."""

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.client_address import client_address
from common.masking import mask_phone
from common.schema import bad_request
from screening.authentication import (
    IsVerifiedPhone,
    ParticipantTokenAuthentication,
    PhoneIdentity,
)
from screening.consent import HEALTH_DATA_CONSENT_VERSION
from screening.errors import OtpRateLimited, ValidationFailed
from screening.models import EmploymentType, Participant
from screening.recall.serializers import RecallFieldsSerializer
from screening.selectors import (
    campaign_get_for_registration,
    participant_get_for_identity,
    participant_has_consent,
)
from screening.services import (
    otp_request,
    otp_verify,
    participant_register,
    participant_update,
)

PHONE_MAX_LENGTH = 32


class ParticipantTokenScheme(OpenApiAuthenticationExtension):
    """Describes the participant's bearer token in the schema."""

    target_class = "screening.authentication.ParticipantTokenAuthentication"
    name = "participantToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix=ParticipantTokenAuthentication.keyword,
        )


class ErrorOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()

    class Meta:
        ref_name = "ScreeningError"


class ParticipantProfileSerializer(RecallFieldsSerializer):
    """Her own profile. Phone and ID number are masked even for her: a shared or
    lost phone must not show them whole."""

    class DistrictSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()

        class Meta:
            ref_name = "ParticipantDistrict"

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    phone = serializers.SerializerMethodField()
    id_number = serializers.CharField(source="masked_id_number")
    employment_type = serializers.ChoiceField(choices=EmploymentType.choices)
    employment_other = serializers.CharField()
    employer = serializers.CharField()
    district = DistrictSerializer()
    sms_reminders = serializers.BooleanField()
    health_data_consent = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ParticipantProfile"

    def get_phone(self, obj: Participant) -> str:
        return mask_phone(obj.phone)

    def get_health_data_consent(self, obj: Participant) -> bool:
        return participant_has_consent(participant=obj)


def _profile(participant: Participant) -> dict[str, Any]:
    return ParticipantProfileSerializer(participant).data


class OtpRequestApi(APIView):
    """Send a sign-in code. Open to anyone, so no session and no CSRF check."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(max_length=PHONE_MAX_LENGTH)

        class Meta:
            ref_name = "OtpRequestInput"

    class OutputSerializer(serializers.Serializer):
        detail = serializers.CharField()

        class Meta:
            ref_name = "OtpRequestOutput"

    @extend_schema(
        request=InputSerializer,
        responses={
            202: OutputSerializer,
            400: bad_request("Field errors, or `phone_invalid`."),
            429: OpenApiResponse(
                ErrorOutputSerializer,
                description="Too many codes; the Retry-After header says how long "
                "to wait, in seconds.",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        otp_request(
            phone_raw=serializer.validated_data["phone"],
            ip=client_address(request),
        )
        # The same words whether or not the number is registered.
        detail = gettext(
            "If this number can receive text messages, a code is on its way."
        )
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, OtpRateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response


class OtpVerifyApi(APIView):
    """Exchange a code for a bearer token; with her profile if she registered."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        phone = serializers.CharField(max_length=PHONE_MAX_LENGTH)
        code = serializers.CharField(max_length=12)

        class Meta:
            ref_name = "OtpVerifyInput"

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        participant = ParticipantProfileSerializer(allow_null=True)

        class Meta:
            ref_name = "OtpVerifyOutput"

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: bad_request(
                "Field errors, `phone_invalid`, or `otp_invalid` (wrong, expired, "
                "used or exhausted code)."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, participant = otp_verify(
            phone_raw=serializer.validated_data["phone"],
            code=serializer.validated_data["code"],
        )
        output = self.OutputSerializer({"token": key, "participant": participant})
        return Response(output.data)


class ParticipantCreateApi(APIView):
    """Register the woman behind a verified phone (SPEC §4)."""

    permission_classes = [IsVerifiedPhone]

    class InputSerializer(serializers.Serializer):
        # Blank values reach the service, which words every field error.
        full_name = serializers.CharField(allow_blank=True)
        id_number = serializers.CharField(allow_blank=True)
        employment_type = serializers.ChoiceField(choices=EmploymentType.choices)
        employment_other = serializers.CharField(
            required=False, allow_blank=True, default=""
        )
        employer = serializers.CharField(required=False, allow_blank=True, default="")
        district = serializers.CharField(allow_blank=True)
        consent = serializers.BooleanField(
            help_text="Her separate consent to the processing of health data."
        )
        campaign = serializers.IntegerField(
            required=False,
            allow_null=True,
            default=None,
            help_text="Defaults to the only open campaign.",
        )
        sms_reminders = serializers.BooleanField(required=False, default=True)

        class Meta:
            ref_name = "ParticipantCreateInput"

    @extend_schema(
        request=InputSerializer,
        responses={
            201: ParticipantProfileSerializer,
            400: OpenApiResponse(description="Field errors, or no campaign to join."),
            409: ErrorOutputSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        identity: PhoneIdentity = request.user  # type: ignore[assignment]
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        campaign = campaign_get_for_registration(campaign_id=data["campaign"])
        try:
            participant = participant_register(
                identity=identity,
                full_name=data["full_name"],
                id_number=data["id_number"],
                employment_type=data["employment_type"],
                employment_other=data["employment_other"],
                employer=data["employer"],
                district_code=data["district"],
                campaign=campaign,
                consent_health_data=data["consent"],
                consent_version=HEALTH_DATA_CONSENT_VERSION,
                sms_reminders=data["sms_reminders"],
            )
        except ValidationFailed as exc:
            raise ValidationError(exc.errors) from exc
        return Response(_profile(participant), status=status.HTTP_201_CREATED)


class ParticipantMeApi(APIView):
    """Her own profile: read it, or change what she may change herself."""

    permission_classes = [IsVerifiedPhone]

    class UpdateInputSerializer(serializers.Serializer):
        full_name = serializers.CharField(required=False, allow_blank=True)
        employment_type = serializers.ChoiceField(
            choices=EmploymentType.choices, required=False
        )
        employment_other = serializers.CharField(required=False, allow_blank=True)
        employer = serializers.CharField(required=False, allow_blank=True)
        district = serializers.CharField(required=False)
        sms_reminders = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "ParticipantUpdateInput"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            # Silently ignoring it would let her think the number was changed.
            if "id_number" in self.initial_data:
                raise ValidationError(
                    {
                        "id_number": [
                            gettext(
                                "The ID number cannot be changed here. Ask the "
                                "screening programme to correct it."
                            )
                        ]
                    }
                )
            return attrs

    @extend_schema(
        responses={200: ParticipantProfileSerializer, 404: ErrorOutputSerializer}
    )
    def get(self, request: Request) -> Response:
        identity: PhoneIdentity = request.user  # type: ignore[assignment]
        participant = participant_get_for_identity(identity=identity)
        return Response(_profile(participant))

    @extend_schema(
        request=UpdateInputSerializer,
        responses={
            200: ParticipantProfileSerializer,
            400: OpenApiResponse(description="Field errors."),
            404: ErrorOutputSerializer,
        },
    )
    def patch(self, request: Request) -> Response:
        identity: PhoneIdentity = request.user  # type: ignore[assignment]
        participant = participant_get_for_identity(identity=identity)
        serializer = self.UpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            participant = participant_update(
                participant=participant,
                full_name=data.get("full_name"),
                employment_type=data.get("employment_type"),
                employment_other=data.get("employment_other"),
                employer=data.get("employer"),
                district_code=data.get("district"),
                sms_reminders=data.get("sms_reminders"),
            )
        except ValidationFailed as exc:
            raise ValidationError(exc.errors) from exc
        return Response(_profile(participant))
