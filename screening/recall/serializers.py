"""What her profile in the API says of her next screening (SPEC §8.3)."""

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from screening.models import Participant
from screening.recall.eligibility import recall_state
from screening.recall.selectors import next_due_for_participant


class NextDueSerializer(serializers.Serializer):
    test = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "NextDue"


class RecallFieldsSerializer(serializers.Serializer):
    """`next_due: [{test, due_on}]` (due_on null: not before her follow-up
    closes) and `deferred_until`, for her own profile."""

    next_due = serializers.SerializerMethodField()
    deferred_until = serializers.SerializerMethodField()

    @staticmethod
    def _pk(obj: Any) -> int | None:
        return obj.pk if isinstance(obj, Participant) else None

    def get_next_due(self, obj: Any) -> list[dict[str, Any]]:
        pk = self._pk(obj)
        if pk is None:
            return []
        rows = next_due_for_participant(participant_id=pk)
        return NextDueSerializer(rows, many=True).data

    def get_deferred_until(self, obj: Any) -> str | None:
        pk = self._pk(obj)
        if pk is None:
            return None
        until, _ceased = recall_state(participant_id=pk, today=timezone.localdate())
        return until.isoformat() if until else None
