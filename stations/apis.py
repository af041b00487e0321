"""The screening day's JSON API (SPEC §8.2): stations and their lines, the
rooms' steps, and the call board. Clinic staff (and program admins) only, for
their own sites; the board carries numbers and rooms, never a name."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsClinicStaff
from stations import services
from stations.scope import site_day, site_for, station_for
from stations.selectors import board_rows, site_stations


class SiteFilter(serializers.Serializer):
    site = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        ref_name = "StationSiteFilter"


class StationListApi(APIView):
    """A site's stations with how many wait and how many are in the rooms."""

    permission_classes = [IsClinicStaff]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        tests = serializers.ListField(child=serializers.CharField())
        rooms = serializers.IntegerField()
        waiting = serializers.IntegerField()
        in_service = serializers.IntegerField()

        class Meta:
            ref_name = "Station"

    @extend_schema(parameters=[SiteFilter], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = SiteFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = site_for(request.user, query.validated_data.get("site"))
        stations = site_stations(site_id=site.pk)
        return Response(self.OutputSerializer(stations, many=True).data)


class CalledSerializer(serializers.Serializer):
    visit = serializers.IntegerField(source="ticket.visit_id")
    queue_number = serializers.IntegerField(source="ticket.number")
    appointment = serializers.IntegerField(
        source="ticket.visit.appointment_id", allow_null=True
    )
    room = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()

    class Meta:
        ref_name = "StationStop"


class StationCallNextApi(APIView):
    """Call the next woman in line to a room; 204 when nobody waits."""

    permission_classes = [IsClinicStaff]

    class InputSerializer(serializers.Serializer):
        room = serializers.IntegerField(required=False, default=1, min_value=1)

        class Meta:
            ref_name = "StationCallNext"

    @extend_schema(
        request=InputSerializer, responses={200: CalledSerializer, 204: None}
    )
    def post(self, request: Request, station_id: int) -> Response:
        station = station_for(request.user, station_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stop = services.station_call_next(
            station=station, room=data.validated_data["room"], by=request.user
        )
        if stop is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CalledSerializer(stop).data)


class StopStepApi(APIView):
    """One step for the woman called to this station; 409 when she is not."""

    permission_classes = [IsClinicStaff]
    step: Any = None

    @extend_schema(request=None, responses=CalledSerializer)
    def post(self, request: Request, station_id: int, visit_id: int) -> Response:
        station = station_for(request.user, station_id)
        stop = type(self).step(station=station, visit_id=visit_id, by=request.user)
        return Response(CalledSerializer(stop).data)


class StopStartApi(StopStepApi):
    step = services.stop_start


class StopDoneApi(StopStepApi):
    step = services.stop_done


class StopNoAnswerApi(StopStepApi):
    step = services.stop_no_answer


class StopNotTodayApi(StopStepApi):
    step = services.stop_not_today


class BoardApi(APIView):
    """Who is called where, for the hall: numbers and rooms, never a name."""

    permission_classes = [IsClinicStaff]

    class OutputSerializer(serializers.Serializer):
        queue_number = serializers.IntegerField()
        station = serializers.CharField()
        room = serializers.CharField()

        class Meta:
            ref_name = "BoardRow"

    @extend_schema(parameters=[SiteFilter], responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = SiteFilter(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = site_for(request.user, query.validated_data.get("site"))
        rows = board_rows(site_id=site.pk, day=site_day(site))
        return Response(self.OutputSerializer(rows, many=True).data)
