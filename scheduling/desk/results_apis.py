"""The desk API's undo of a woman's last results entry, the same service as
the desk page's button."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from scheduling.desk.apis import DeskApi
from scheduling.desk.results import appointment_results_undo


class ResultsUndoOutputSerializer(serializers.Serializer):
    appointment = serializers.IntegerField()
    left = serializers.IntegerField(help_text="results still current after the undo")

    class Meta:
        ref_name = "ClinicResultsUndo"


class DeskResultsUndoApi(DeskApi):
    """Undo the last entry of her results while the review window lasts: 409
    results_undo_too_late after it, results_nothing_to_undo without results."""

    @extend_schema(request=None, responses={200: ResultsUndoOutputSerializer})
    def post(self, request: Request, appointment_id: int) -> Response:
        left = appointment_results_undo(
            by=self.staff, appointment_id=appointment_id, request=request
        )
        body = {"appointment": appointment_id, "left": left}
        return Response(ResultsUndoOutputSerializer(body).data)
