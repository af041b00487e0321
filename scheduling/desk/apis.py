"""The desk's JSON API (under /api/v1/clinic/): day list, check-in and its
undo, search, walk-ins, results and lab imports. Clinic staff (and program
admins) only, and only for their own sites; every individual record read or
changed is audited."""

from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsClinicStaff
from scheduling.desk import walk_ins
from scheduling.desk.checkin import appointment_check_in, appointment_check_in_undo
from scheduling.desk.dates import desk_date_bounded
from scheduling.desk.results import appointment_results_record
from scheduling.desk.selectors import (
    desk_day_counts,
    desk_site_get,
    desk_sites,
    site_today,
    upload_site_ids,
)
from scheduling.desk.services import appointment_search, desk_day_list_read
from scheduling.errors import NotCsv, SiteRequired
from scheduling.models import Appointment
from screening import selectors as screening_selectors
from screening import services as screening_services
from screening.models import EmploymentType, ResultImport


class DeskApi(APIView):
    permission_classes = [IsClinicStaff]

    @property
    def staff(self) -> User:
        # IsClinicStaff has let only a staff account through.
        return cast(User, self.request.user)

    def site_from(self, site_id: int | None) -> Any:
        if site_id is None:
            # One site needs no choosing; several do.
            sites = list(desk_sites(user=self.request.user)[:2])
            if len(sites) != 1:
                raise SiteRequired
            return sites[0]
        return desk_site_get(user=self.request.user, site_id=site_id)


class DeskRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    starts_at = serializers.DateTimeField()
    status = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    id_number = serializers.CharField()
    is_walk_in = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "DeskAppointment"


class DeskDayListApi(DeskApi):
    """The day's appointments at one site, names, phones and IDs masked."""

    class FilterSerializer(serializers.Serializer):
        site = serializers.IntegerField(required=False, min_value=1)
        date = serializers.DateField(required=False)

        class Meta:
            ref_name = "ClinicDayFilter"

    class CountsSerializer(serializers.Serializer):
        booked = serializers.IntegerField()
        checked_in = serializers.IntegerField()
        screened = serializers.IntegerField()
        no_show = serializers.IntegerField()
        cancelled = serializers.IntegerField()

        class Meta:
            ref_name = "ClinicDayCounts"

    class OutputSerializer(serializers.Serializer):
        site = serializers.IntegerField()
        date = serializers.DateField()
        counts = serializers.DictField()
        appointments = DeskRowSerializer(many=True)

        class Meta:
            ref_name = "ClinicDayList"

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site = self.site_from(filters.validated_data.get("site"))
        today = site_today(site=site)
        day: date = desk_date_bounded(
            filters.validated_data.get("date") or today, today=today
        )
        rows = desk_day_list_read(
            user=request.user, site=site, day=day, request=request
        )
        counts = self.CountsSerializer(desk_day_counts(rows=rows)).data
        body = {"site": site.pk, "date": day, "counts": counts, "appointments": rows}
        return Response(self.OutputSerializer(body).data)


class DeskSearchApi(DeskApi):
    """Exact search by the last four digits of her phone and the first character
    of her name, among the site's bookings of the day and the days either side."""

    class FilterSerializer(serializers.Serializer):
        site = serializers.IntegerField(required=False, min_value=1)
        date = serializers.DateField(required=False)
        phone_last4 = serializers.RegexField(r"^[0-9]{4}$")
        name_initial = serializers.CharField(min_length=1, max_length=1)
        purpose = serializers.CharField(max_length=200)

        class Meta:
            ref_name = "ClinicSearchFilter"

    @extend_schema(
        parameters=[FilterSerializer], responses=DeskRowSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        site = self.site_from(data.get("site"))
        rows = appointment_search(
            by=self.staff,
            site=site,
            day=desk_date_bounded(
                data.get("date") or site_today(site=site), today=site_today(site=site)
            ),
            phone_last4=data["phone_last4"],
            name_initial=data["name_initial"],
            purpose=data["purpose"],
            request=request,
        )
        return Response(DeskRowSerializer(rows, many=True).data)


class CheckinOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    status = serializers.CharField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    is_walk_in = serializers.BooleanField()
    undo_until = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Checkin"

    def get_undo_until(self, obj: Appointment) -> str | None:
        if obj.checked_in_at is None:
            return None
        minutes = getattr(settings, "CHECKIN_UNDO_MINUTES", 15)
        until = obj.checked_in_at + timedelta(minutes=minutes)
        return serializers.DateTimeField().to_representation(until)


class CheckinCreateApi(DeskApi):
    class InputSerializer(serializers.Serializer):
        reference = serializers.CharField(required=False, max_length=20)
        token = serializers.CharField(required=False, max_length=64)
        force = serializers.BooleanField(required=False, default=False)
        # The desk's own site: a booking for another site is then refused with
        # booked_elsewhere until force_site confirms she is here.
        site = serializers.IntegerField(
            required=False, min_value=1, max_value=2**31 - 1
        )
        force_site = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "CheckinInput"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if bool(attrs.get("reference")) == bool(attrs.get("token")):
                raise serializers.ValidationError(
                    {"reference": ["Send either a reference or a token."]}
                )
            return attrs

    @extend_schema(request=InputSerializer, responses={200: CheckinOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site_id = data.validated_data.get("site")
        appointment = appointment_check_in(
            by=self.staff,
            reference=data.validated_data.get("reference"),
            token=data.validated_data.get("token"),
            force=data.validated_data["force"],
            at_site=self.site_from(site_id) if site_id is not None else None,
            force_site=data.validated_data["force_site"],
            request=request,
        )
        return Response(CheckinOutputSerializer(appointment).data)


class CheckinUndoApi(DeskApi):
    @extend_schema(request=None, responses={200: CheckinOutputSerializer})
    def post(self, request: Request, appointment_id: int) -> Response:
        appointment = appointment_check_in_undo(
            by=self.staff, appointment_id=appointment_id, request=request
        )
        return Response(CheckinOutputSerializer(appointment).data)


class WalkInCreateApi(DeskApi):
    """Register, book into today's walk-in places and check in, all at once."""

    class InputSerializer(serializers.Serializer):
        site = serializers.IntegerField(required=False, min_value=1)
        campaign = serializers.IntegerField(required=False, min_value=1)
        phone = serializers.CharField(max_length=20)
        full_name = serializers.CharField(max_length=50)
        id_number = serializers.CharField(max_length=20)
        employment_type = serializers.ChoiceField(choices=EmploymentType.choices)
        employment_other = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=100
        )
        employer = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=100
        )
        district = serializers.CharField(max_length=12)
        consent = serializers.BooleanField()
        # The record an earlier 409 identity_conflict named, once the nurse has
        # checked that she is that woman.
        confirm_record = serializers.IntegerField(
            required=False, min_value=1, max_value=2**31 - 1
        )

        class Meta:
            ref_name = "WalkInInput"

    @extend_schema(request=InputSerializer, responses={201: CheckinOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        appointment = walk_ins.walk_in_register(
            by=self.staff,
            site=self.site_from(values.get("site")),
            campaign_id=values.get("campaign"),
            phone=values["phone"],
            full_name=values["full_name"],
            id_number=values["id_number"],
            employment_type=values["employment_type"],
            employment_other=values["employment_other"],
            employer=values["employer"],
            district_code=values["district"],
            consent=values["consent"],
            confirm_record=values.get("confirm_record"),
            request=request,
        )
        return Response(
            CheckinOutputSerializer(appointment).data, status=status.HTTP_201_CREATED
        )


class DeskResultCreateApi(DeskApi):
    """Results of a checked-in woman; the summary is computed by a worker."""

    class TestSerializer(serializers.Serializer):
        test = serializers.CharField(max_length=32)
        value = serializers.CharField(max_length=32)

        class Meta:
            ref_name = "ClinicResultTest"

    class InputSerializer(serializers.Serializer):
        appointment = serializers.IntegerField(min_value=1)
        tests = serializers.ListField(min_length=1, max_length=10)
        notes = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=2000
        )

        class Meta:
            ref_name = "ClinicResultInput"

        def validate_tests(self, value: list[Any]) -> list[dict[str, str]]:
            tests = DeskResultCreateApi.TestSerializer(data=value, many=True)
            tests.is_valid(raise_exception=True)
            return [dict(item) for item in tests.validated_data]

    @extend_schema(request=InputSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = appointment_results_record(
            by=self.staff,
            appointment_id=data.validated_data["appointment"],
            tests=data.validated_data["tests"],
            notes=data.validated_data["notes"],
            request=request,
        )
        body = {
            "appointment": data.validated_data["appointment"],
            "recorded": len(results),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


def import_body(result_import: ResultImport) -> dict[str, Any]:
    """What the desk is told of an import: its progress and its row errors."""
    return {
        "id": result_import.pk,
        "status": result_import.status,
        "processed": result_import.processed,
        "total": result_import.total,
        "recorded": result_import.recorded,
        # Row, column and message; the reference kept for her erasure stays in.
        "errors": [
            {key: error.get(key) for key in ("row", "field", "message")}
            for error in result_import.errors
        ],
        "message": result_import.message,
    }


def uploaded_csv(files: Any) -> Any:
    """The uploaded file if it can be a CSV: named .csv, text rather than binary."""
    uploaded = files.get("file")
    if uploaded is None or not uploaded.name.lower().endswith(".csv"):
        raise NotCsv
    head = uploaded.read(2048)
    uploaded.seek(0)
    if not head or b"\x00" in head:
        raise NotCsv
    return uploaded


class ResultImportCreateApi(DeskApi):
    """Upload the lab's CSV export; a worker imports it row by row."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": {"type": "object"}}, responses={202: None}
    )
    def post(self, request: Request) -> Response:
        uploaded = uploaded_csv(request.FILES)
        result_import = screening_services.result_import_create(
            uploaded_file=uploaded,
            by=request.user,
            site_ids=upload_site_ids(user=request.user),
        )
        return Response(import_body(result_import), status=status.HTTP_202_ACCEPTED)


class ResultImportDetailApi(DeskApi):
    @extend_schema(responses={200: None})
    def get(self, request: Request, import_id: int) -> Response:
        result_import = screening_selectors.result_import_get(
            import_id=import_id, by=request.user
        )
        return Response(import_body(result_import))
