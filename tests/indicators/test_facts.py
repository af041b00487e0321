"""The stored facts (indicators.facts) stay equal to the records they are made
of, whichever path writes: services, queryset updates, deletes, a second
transaction at the same moment, a bulk load with the triggers off."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from indicators import bitmask, facts, facts_sql
from indicators.counting import facts_ready
from indicators.models import QuizTake, QuizVersion
from indicators.tasks import facts_fold_task
from scheduling.models import Appointment, AppointmentStatus, Slot
from screening.models import (
    EmploymentType,
    FollowUpCase,
    FollowUpEvent,
    Participant,
    Result,
    ResultSummary,
    Visit,
)
from screening.results.recording import result_record
from screening.results.visits import visit_undo
from tests.indicators.fixture import book, build, case, visit, woman
from tests.screening.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _rows(sql: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return set(cursor.fetchall())


def stored() -> set[tuple]:
    """The visit facts after a fold, checked against her folded rows."""
    facts.fold()
    women = _rows(f"SELECT {facts_sql.WOMAN_COLUMNS} FROM {facts_sql.WOMEN}")  # noqa: S608 - fixed names
    assert women == _rows(facts_sql.woman_rows("true"))
    bookings = _rows(f"SELECT {facts_sql.BOOKING_COLUMNS} FROM {facts_sql.BOOKINGS}")  # noqa: S608 - fixed names
    assert bookings == _rows(facts_sql.booking_rows("true"))
    return _rows(f"SELECT {facts_sql.VISIT_COLUMNS} FROM {facts_sql.VISITS}")  # noqa: S608 - fixed names


def fresh() -> set[tuple]:
    """The visit facts computed now from the records themselves."""
    return _rows(facts_sql.fact_rows("SELECT id FROM screening_visit"))


def bits_of(v: Visit) -> int:
    return {row[0]: row[8] for row in stored()}[v.pk]


def has(v: Visit, measure: str) -> bool:
    return bool(bits_of(v) & bitmask.BIT[measure])


def test_the_installed_triggers_compute_this_codes_measures():
    assert facts.current()
    assert facts_ready()


def test_every_checked_in_visit_has_its_facts_and_they_equal_its_records():
    built = build()
    rows = stored()
    assert rows == fresh()
    live = Visit.objects.filter(undone_at__isnull=True, campaign=built.campaign)
    assert {r[0] for r in rows} == set(live.values_list("pk", flat=True))


def test_results_recorded_corrected_and_deleted_move_the_bits():
    built = build()
    v = visit(
        woman(40, EmploymentType.COURIER),
        built.campaign,
        built.site_a,
        date(2026, 3, 2),
    )
    result_record(
        visit_id=v.pk,
        tests=[{"test": "hpv", "value": "HPV_16_18_POS"}],
        notes="",
        by=None,
    )
    assert has(v, "hpv_16_18_positive")
    assert stored() == fresh()
    # A correction the way the bulk paths write it: one queryset update.
    Result.objects.filter(visit=v, test="hpv").update(value="HPV_NEG")
    assert not has(v, "hpv_positive")
    assert has(v, "hpv_tested")
    Result.objects.filter(visit=v).update(is_current=False)
    assert not has(v, "hpv_tested")
    assert stored() == fresh()
    Result.objects.filter(visit=v).delete()
    assert stored() == fresh()


def test_summary_case_treatment_and_quiz_changes_move_the_bits():
    built = build()
    w = woman(45, EmploymentType.COURIER)
    v = visit(w, built.campaign, built.site_a, date(2026, 3, 2), hpv="HPV_OTHER_POS")
    c = case(v, "REFER", "DIAGNOSED", "CIN3")
    assert has(v, "cin3")
    assert not has(v, "treated")
    FollowUpEvent.objects.create(
        case=c, kind="status", from_status="DIAGNOSED", to_status="TREATED"
    )
    assert has(v, "treated")
    FollowUpCase.objects.filter(pk=c.pk).update(status="LOST", diagnosis_code="")
    assert has(v, "follow_up_lost")
    assert not has(v, "cin3")
    ResultSummary.objects.filter(visit=v).update(conclusion="NORMAL")
    assert stored() == fresh()
    version = QuizVersion.objects.get(is_current=True)
    QuizTake.objects.create(participant=w, campaign=built.campaign, version=version,
                            moment="day", asked=5, correct=5,
                            level="aware")  # fmt: skip
    assert has(v, "quiz_aware")
    QuizTake.objects.filter(participant=w).delete()
    assert not has(v, "quiz_surveyed")
    assert stored() == fresh()


def test_her_row_and_her_visit_changing_reach_the_facts():
    built = build()
    w = woman(45, EmploymentType.COURIER)
    v = visit(w, built.campaign, built.site_a, date(2026, 3, 2))
    Participant.objects.filter(pk=w.pk).update(
        employment_type=EmploymentType.DOMESTIC_SERVICE
    )
    assert {r[0]: r[5] for r in stored()}[v.pk] == EmploymentType.DOMESTIC_SERVICE
    Visit.objects.filter(pk=v.pk).update(day=date(2026, 3, 9))
    assert stored() == fresh()
    visit_undo(visit=v, by=None)
    assert v.pk not in {r[0] for r in stored()}
    Visit.objects.filter(pk=v.pk).update(undone_at=None)
    assert v.pk in {r[0] for r in stored()}
    Visit.objects.filter(pk=v.pk).delete()
    assert v.pk not in {r[0] for r in stored()}
    assert stored() == fresh()


def test_a_load_with_the_triggers_off_is_caught_up_by_a_rebuild():
    built = build()
    v = Visit.objects.filter(campaign=built.campaign).first()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE screening_result SET value = 'HPV_16_18_POS' "
            "WHERE visit_id = %s AND test = 'hpv'",
            [v.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    facts.rebuild()
    assert stored() == fresh()


def test_another_campaigns_visits_are_kept_apart():
    built = build()
    other = CampaignFactory()
    v = visit(woman(40, EmploymentType.COURIER), other, built.site_a, date(2026, 3, 2))
    assert {r[0]: r[1] for r in stored()}[v.pk] == other.pk


@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_one_visit_at_once_both_reach_its_facts():
    """A result and a quiz take for the same woman in two transactions at the same
    moment, the second waiting on nothing: each notes her, and the fold after
    both sees both."""
    w = woman(45, EmploymentType.COURIER)
    campaign = CampaignFactory()
    v = Visit.objects.create(participant=w, campaign=campaign, site_id=1,
                             site_name="A", day=date(2026, 3, 2))  # fmt: skip
    version = QuizVersion.objects.create(number=99, is_current=False)
    wrote, errors = threading.Event(), []

    def result() -> None:
        try:
            with transaction.atomic():
                Result.objects.create(
                    visit=v, test="hpv", value="HPV_16_18_POS", source="desk"
                )
                wrote.set()
                threading.Event().wait(0.5)  # the quiz take starts meanwhile
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            wrote.set()
            connections.close_all()

    def quiz() -> None:
        try:
            wrote.wait(5)
            QuizTake.objects.create(participant=w, campaign=campaign, version=version,
                                    moment="day", asked=5, correct=5, level="aware",
                                    taken_at=timezone.now())  # fmt: skip
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=result), threading.Thread(target=quiz)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors
    assert has(v, "hpv_16_18_positive")
    assert has(v, "quiz_aware")
    assert stored() == fresh()


def booking_bits(w: Participant) -> dict[int, int]:
    stored()
    rows = _rows(f"SELECT participant_id, bits FROM {facts_sql.BOOKINGS}")  # noqa: S608 - fixed names
    return {p: b for p, b in rows if p == w.pk}


def test_her_bookings_changing_and_their_slot_moving_reach_her_booking_row():
    built = build()
    w = woman(40, EmploymentType.COURIER)
    book(w, built.campaign, built.site_a, AppointmentStatus.BOOKED, 11)
    appointment = Appointment.objects.get(participant=w)
    assert booking_bits(w) == {w.pk: facts_sql.BOOKING_BIT["booked"]}
    # The no-show sweep's way: one queryset update of many rows.
    Appointment.objects.filter(pk=appointment.pk).update(
        status=AppointmentStatus.NO_SHOW
    )
    no_show = facts_sql.BOOKING_BIT["no_show"] | facts_sql.BOOKING_BIT["booked"]
    assert booking_bits(w) == {w.pk: no_show}
    Slot.objects.filter(pk=appointment.slot_id).update(
        starts_at=datetime(2026, 3, 9, 1, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 9, 1, 30, tzinfo=UTC),
    )
    facts.fold()
    days = _rows(f"SELECT day FROM {facts_sql.BOOKINGS} WHERE participant_id = {w.pk}")  # noqa: S608 - an id of ours
    assert days == {(date(2026, 3, 9),)}
    Appointment.objects.filter(pk=appointment.pk).delete()
    assert booking_bits(w) == {}


def test_a_fold_refreshes_only_the_women_changed_since_the_last():
    built = build()
    facts.fold()
    assert facts.fold() == 0
    w = built.women["W1"]
    Participant.objects.filter(pk=w.pk).update(sms_reminders=False)
    assert facts.fold() == 0  # nothing the facts copy changed
    Participant.objects.filter(pk=w.pk).update(employment_type=EmploymentType.OTHER)
    assert facts.fold() == 1
    assert facts_fold_task() == 0
