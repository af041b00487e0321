from unittest import mock

import pytest
from django.db import connection

from common.models import AuditEvent
from screening.errors import NotCheckedIn, ResultInvalid
from screening.models import Result, ResultSource
from screening.services import result_record
from tests.screening.result_factories import VisitFactory, record, staff_user

pytestmark = pytest.mark.django_db


def test_recording_results_stores_one_current_row_per_test():
    desk = staff_user()
    visit = VisitFactory()
    results = record(visit, by=desk, hpv="HPV_NEG", cytology="nilm")
    assert {(r.test, r.value) for r in results} == {
        ("hpv", "HPV_NEG"),
        ("cytology", "NILM"),
    }
    assert all(r.recorded_by == desk and r.source == ResultSource.DESK for r in results)
    assert Result.objects.filter(visit=visit, is_current=True).count() == 2


def test_an_unknown_test_or_a_code_of_another_test_is_rejected_with_field_errors():
    visit = VisitFactory()
    with pytest.raises(ResultInvalid) as error:
        result_record(
            visit_id=visit.pk,
            tests=[
                {"test": "blood", "value": "HPV_NEG"},
                {"test": "hpv", "value": "BIRADS_1"},
            ],
            notes="",
            by=None,
        )
    assert error.value.code == "invalid"
    assert error.value.status == 400
    assert len(error.value.errors["tests"]) == 2
    assert not Result.objects.exists()


def test_a_retired_code_is_no_longer_accepted():
    from screening.models import ResultCode

    ResultCode.objects.filter(test="cytology", code="AGC_NOS").update(active=False)
    with pytest.raises(ResultInvalid):
        record(VisitFactory(), cytology="AGC_NOS")


def test_results_on_an_undone_visit_are_refused_as_not_checked_in():
    from django.utils import timezone

    visit = VisitFactory(undone_at=timezone.now())
    with pytest.raises(NotCheckedIn) as error:
        record(visit, hpv="HPV_NEG")
    assert error.value.code == "not_checked_in"
    assert error.value.status == 409


def test_a_correction_keeps_the_earlier_row_and_is_audited():
    desk = staff_user()
    visit = VisitFactory()
    (first,) = record(visit, by=desk, cytology="ASC_US")
    (second,) = record(visit, by=desk, cytology="NILM")
    first.refresh_from_db()
    assert first.value == "ASC_US"
    assert not first.is_current
    assert first.superseded_by == second
    assert second.is_current
    actions = list(
        AuditEvent.objects.filter(object_type="result")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["result.recorded", "result.corrected"]


def test_recording_the_same_value_again_changes_nothing():
    visit = VisitFactory()
    (first,) = record(visit, hpv="HPV_NEG")
    (again,) = record(visit, hpv="HPV_NEG")
    assert again.pk == first.pk
    assert Result.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="result").count() == 1


def test_notes_are_encrypted_in_the_database():
    visit = VisitFactory()
    (result,) = record(visit, notes="宫颈轻度糜烂", hpv="HPV_NEG")
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM screening_result WHERE id = %s", [result.pk])
        (stored,) = cursor.fetchone()
    assert "糜烂" not in stored
    assert Result.objects.get(pk=result.pk).notes == "宫颈轻度糜烂"


def test_the_summary_is_enqueued_on_commit_with_the_visit_id_only(
    django_capture_on_commit_callbacks,
):
    visit = VisitFactory()
    with (
        mock.patch("screening.tasks.summary_compute_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        record(visit, hpv="HPV_NEG")
    delay.assert_called_once_with(visit.pk)
