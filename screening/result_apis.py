"""Her own results through the API (SPEC §4), once a visit's summary is ready."""

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from screening.authentication import (
    IsParticipant,
    PhoneIdentity,
)
from screening.models import Conclusion
from screening.results.organs import organs_for_page
from screening.selectors import (
    visits_with_results_for_participant,
)


def _english() -> bool:
    return (get_language() or "").lower().startswith("en")


class ResultListApi(APIView):
    """Her own results, one entry per visit whose summary is ready (SPEC §4)."""

    permission_classes = [IsParticipant]

    class OutputSerializer(serializers.Serializer):
        class TestSerializer(serializers.Serializer):
            test = serializers.CharField()
            value = serializers.CharField()

            class Meta:
                ref_name = "ResultTestValue"

        class FollowUpSerializer(serializers.Serializer):
            action = serializers.CharField()
            due_on = serializers.DateField(allow_null=True)

            class Meta:
                ref_name = "ResultFollowUp"

        class OrganSerializer(serializers.Serializer):
            class StepSerializer(serializers.Serializer):
                action = serializers.CharField()
                due_on = serializers.DateField(allow_null=True)
                urgent = serializers.BooleanField()

                class Meta:
                    ref_name = "ResultOrganStep"

            organ = serializers.CharField()
            label = serializers.CharField()
            conclusion = serializers.ChoiceField(choices=Conclusion.choices)
            urgent = serializers.BooleanField()
            paragraphs = serializers.ListField(child=serializers.CharField())
            steps = StepSerializer(many=True)

            class Meta:
                ref_name = "ResultOrgan"

        visit_date = serializers.DateField()
        site = serializers.CharField()
        tests = TestSerializer(many=True)
        conclusion = serializers.ChoiceField(choices=Conclusion.choices)
        follow_up = FollowUpSerializer()
        text = serializers.CharField()
        # One message per organ, each with its dated next steps.
        organs = OrganSerializer(many=True)

        class Meta:
            ref_name = "ResultListOutput"

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        identity: PhoneIdentity = request.user  # type: ignore[assignment]
        english = _english()
        rows = []
        for visit in visits_with_results_for_participant(
            participant=identity.participant  # type: ignore[arg-type]
        ):
            summary = visit.summary
            rows.append(
                {
                    "visit_date": visit.day,
                    "site": visit.site_name,
                    "tests": [
                        {"test": result.test, "value": result.value}
                        for result in visit.current_results
                    ],
                    "conclusion": summary.conclusion,
                    "follow_up": {
                        "action": summary.action_en if english else summary.action_zh,
                        "due_on": summary.follow_up_due_on,
                    },
                    "text": summary.text_en if english else summary.text_zh,
                    "organs": organs_for_page(summary.organs, english=english),
                }
            )
        response = Response(self.OutputSerializer(rows, many=True).data)
        response["Cache-Control"] = "no-store"
        return response
