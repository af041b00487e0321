"""The clinic's specimen API (SPEC §8.1): take a tube, list her sites' tubes,
reject one, and print a visit's labels as SVG. Clinic staff and program
admins only, and only for their own sites. Thin: parse, call a service or
selector, serialise."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsClinicStaff
from common.schema import ERROR_SCHEMA, bad_request
from specimens.errors import FilterInvalid
from specimens.label_svg import labels_svg
from specimens.labels import labels_for
from specimens.listing import MAX_PAGE, specimen_list
from specimens.models import Specimen, SpecimenKind, SpecimenStatus
from specimens.scope import allowed_site_ids
from specimens.selectors import live_specimens, visit_of_appointment, visit_specimens
from specimens.services import specimen_create_at_appointment, specimen_reject

MAX_ID = 2**31 - 1


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR_SCHEMA, description=description)


OTHER_SITE = _error("other_site: a site the caller does not work at.")


class SpecimenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    barcode = serializers.CharField()
    kind = serializers.ChoiceField(choices=SpecimenKind.choices)
    status = serializers.ChoiceField(choices=SpecimenStatus.choices)
    collected_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ClinicSpecimen"


class RejectedOutput(SpecimenOutput):
    rejected_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()

    class Meta:
        ref_name = "ClinicSpecimenRejected"


class ListRowOutput(SpecimenOutput):
    site = serializers.IntegerField(source="site_id")
    site_name = serializers.CharField()
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    reference = serializers.CharField()
    name = serializers.CharField(help_text="Masked: the surname and stars.")
    overdue = serializers.BooleanField()

    class Meta:
        ref_name = "ClinicSpecimenRow"


class ListOutput(serializers.Serializer):
    page = serializers.IntegerField()
    next_page = serializers.IntegerField(allow_null=True)
    results = ListRowOutput(many=True, source="rows")

    class Meta:
        ref_name = "ClinicSpecimenList"


class CreateInput(serializers.Serializer):
    appointment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=SpecimenKind.choices)

    class Meta:
        ref_name = "ClinicSpecimenCreate"


class ListQuery(serializers.Serializer):
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=SpecimenStatus.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)

    class Meta:
        ref_name = "ClinicSpecimenFilter"


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(
        help_text="unlabelled, leaked, insufficient or expired"
    )

    class Meta:
        ref_name = "ClinicSpecimenReject"


def _query(request: Request) -> dict[str, Any]:
    query = ListQuery(data=request.query_params)
    if not query.is_valid():
        raise FilterInvalid(extra={"fields": query.errors})
    return dict(query.validated_data)


class SpecimenListCreateApi(APIView):
    permission_classes = [IsClinicStaff]

    @extend_schema(
        parameters=[ListQuery],
        responses={
            200: ListOutput,
            400: bad_request("filter_invalid: a filter not understood."),
            403: OTHER_SITE,
        },
    )
    def get(self, request: Request) -> Response:
        query = _query(request)
        page = specimen_list(
            site_ids=allowed_site_ids(request.user),
            by=request.user,
            request=request,
            **query,
        )
        return Response(ListOutput(page).data)

    @extend_schema(
        request=CreateInput,
        responses={
            201: SpecimenOutput,
            400: bad_request("No such kind, or no appointment id."),
            403: OTHER_SITE,
            409: _error(
                "not_checked_in, already_collected (a live tube of that kind), "
                "or nothing_to_sample (her screening takes no such tube)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        specimen = specimen_create_at_appointment(
            appointment_id=data.validated_data["appointment"],
            kind=data.validated_data["kind"],
            by=request.user,
            site_ids=allowed_site_ids(request.user),
        )
        return Response(SpecimenOutput(specimen).data, status=status.HTTP_201_CREATED)


class SpecimenRejectApi(APIView):
    permission_classes = [IsClinicStaff]

    @extend_schema(
        request=RejectInput,
        responses={
            200: RejectedOutput,
            400: _error("reason_invalid: no known reason."),
            403: OTHER_SITE,
            404: _error("specimen_not_found."),
            409: _error("already_resulted, or status_changed (already rejected)."),
        },
    )
    def post(self, request: Request, specimen_id: int) -> Response:
        raw = request.data.get("reason") if hasattr(request.data, "get") else None
        specimen: Specimen = specimen_reject(
            specimen_id=specimen_id,
            # The service refuses anything but a known reason, in her language.
            reason=raw if isinstance(raw, str) else "",
            by=request.user,
            site_ids=allowed_site_ids(request.user),
        )
        return Response(RejectedOutput(specimen).data)


class LabelsSvgApi(APIView):
    permission_classes = [IsClinicStaff]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False):  # type: ignore[no-untyped-def]
        # The labels leave as a plain SVG response; errors are JSON whatever
        # the client accepts, so an Accept of image/svg+xml is never a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="clinic_appointments_labels_svg",
        responses={
            403: OTHER_SITE,
            404: _error("visit_not_found: no check-in for this appointment."),
            (200, "image/svg+xml"): OpenApiResponse(
                OpenApiTypes.BINARY, description="One 50 x 30 mm label per live tube."
            ),
        },
    )
    def get(self, request: Request, appointment_id: int) -> HttpResponse:
        visit = visit_of_appointment(
            appointment_id=appointment_id, site_ids=allowed_site_ids(request.user)
        )
        specimens = live_specimens(
            visit_specimens(
                visit=visit, by=request.user, request=request, purpose="labels"
            )
        )
        body = labels_svg(labels_for(visit, specimens))
        response = HttpResponse(body, content_type="image/svg+xml")
        response["Content-Disposition"] = f'inline; filename="labels-{visit.pk}.svg"'
        return response
