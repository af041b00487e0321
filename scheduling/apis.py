from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduling.selectors import site_list_active
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
