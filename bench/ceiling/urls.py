"""Never part of the product: a minimal DRF endpoint measured beside it."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduling.models import Appointment, Slot
from scheduling.references import new_checkin_token, new_reference


class CeilingBookApi(APIView):
    """The conditional update and the insert of a booking, and nothing else."""

    def post(self, request: Request) -> Response:
        slot_id = int(request.data["slot"])
        participant_id = int(request.data["participant"])
        try:
            with transaction.atomic():
                slot = Slot.objects.filter(pk=slot_id, booked__lt=F("capacity"))
                if slot.update(booked=F("booked") + 1) != 1:
                    return Response({"code": "slot_full"}, status=409)
                campaign_id = Slot.objects.values_list("campaign_id", flat=True).get(
                    pk=slot_id
                )
                appointment = Appointment.objects.create(
                    participant_id=participant_id,
                    campaign_id=campaign_id,
                    slot_id=slot_id,
                    reference=new_reference(),
                    checkin_token=new_checkin_token(),
                )
        except IntegrityError:
            return Response({"code": "already_booked"}, status=409)
        return Response({"id": appointment.pk, "reference": appointment.reference}, 201)


urlpatterns = [path("book/", CeilingBookApi.as_view())]
