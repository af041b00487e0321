"""The desk pages without JavaScript: forms posting to the same services."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import AuditEvent
from scheduling.desk.checkin import appointment_check_in
from scheduling.models import Appointment, AppointmentStatus
from screening.models import Result, Visit
from tests.scheduling.desk_support import booked_today, clinic_user, slot_today
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
    newcomer_id_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    return SiteFactory(name="焦作市妇幼保健院")


@pytest.fixture
def nurse(site):  # type: ignore[no-untyped-def]
    return clinic_user(site)


@pytest.fixture
def desk(client, nurse):  # type: ignore[no-untyped-def]
    client.force_login(nurse)
    return client


def test_the_day_list_shows_counts_and_masked_women(desk, site) -> None:  # type: ignore[no-untyped-def]
    woman = ParticipantFactory(
        full_name="张秀英", phone="13812345678", id_number="11010519491231002X"
    )
    booked_today(site=site, participant=woman)

    html = desk.get("/desk/").content.decode()

    assert "张**" in html
    assert "138****5678" in html
    assert "110105********002X" in html
    assert "张秀英" not in html
    assert "13812345678" not in html
    assert "<span>1</span>" in html


def test_pages_carry_no_inline_script(desk, site) -> None:  # type: ignore[no-untyped-def]
    booked_today(site=site)

    html = desk.get("/desk/").content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "/static/js/desk.js" in html


def test_staff_of_several_sites_choose_one_first(client, site) -> None:  # type: ignore[no-untyped-def]
    other = SiteFactory(name="解放区妇幼")
    client.force_login(clinic_user(site, other))

    html = client.get("/desk/").content.decode()

    assert f"?site={site.pk}" in html
    assert f"?site={other.pk}" in html


def test_the_check_in_form_checks_her_in_and_offers_undo(desk, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)

    response = desk.post(
        "/desk/checkin/", {"site": site.pk, "reference": appointment.reference}
    )
    html = desk.get(response["Location"]).content.decode()

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert f"/desk/checkins/{appointment.pk}/undo/" in html


def test_a_refused_check_in_says_why(desk, site) -> None:  # type: ignore[no-untyped-def]
    response = desk.post(
        "/desk/checkin/", {"site": site.pk, "reference": "ZZZZZZZZ"}, follow=True
    )

    assert 'class="error"' in response.content.decode()


def test_another_days_booking_asks_before_checking_in(desk, site) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site, days=3)

    asked = desk.post(
        "/desk/checkin/", {"site": site.pk, "reference": appointment.reference}
    )
    confirmed = desk.post(
        "/desk/checkin/",
        {"site": site.pk, "reference": appointment.reference, "force": "on"},
    )

    assert asked.status_code == 400
    assert 'name="force"' in asked.content.decode()
    assert confirmed.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


def test_the_undo_button_takes_the_check_in_back(desk, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)

    response = desk.post(f"/desk/checkins/{appointment.pk}/undo/", {"site": site.pk})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_search_page_finds_her_and_checks_her_in_audited_as_search(
    desk, site
) -> None:  # type: ignore[no-untyped-def]
    woman = ParticipantFactory(full_name="张秀英", phone="13812345678")
    appointment = booked_today(site=site, participant=woman)

    html = desk.get(
        "/desk/search/",
        {
            "site": site.pk,
            "phone_last4": "5678",
            "name_initial": "张",
            "purpose": "check_in",
        },
    ).content.decode()
    desk.post(
        "/desk/checkin/",
        {"site": site.pk, "reference": appointment.reference, "via": "search"},
    )

    assert "138****5678" in html
    event = AuditEvent.objects.get(action="appointment.checkin")
    assert event.details["via"] == "search"


def test_the_walk_in_form_registers_and_checks_her_in(desk, site) -> None:  # type: ignore[no-untyped-def]
    district = DistrictFactory(code="410802", name="解放区")
    slot_today(site=site, campaign=CampaignFactory(districts=[district]))

    page = desk.get(f"/desk/walk-in/?site={site.pk}")
    response = desk.post(
        f"/desk/walk-in/?site={site.pk}",
        {
            "phone": "13900001234",
            "full_name": "李红",
            "id_number": newcomer_id_number(31),
            "employment_type": "ride_hailing",
            "district_code": "410802",
            "consent": "on",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert Appointment.objects.get(is_walk_in=True).status == "checked_in"


def test_the_walk_in_form_shows_field_errors(desk, site) -> None:  # type: ignore[no-untyped-def]
    district = DistrictFactory(code="410802", name="解放区")
    slot_today(site=site, campaign=CampaignFactory(districts=[district]))

    response = desk.post(
        f"/desk/walk-in/?site={site.pk}",
        {
            "phone": "13900001234",
            "full_name": "李红",
            "id_number": "410802198001011230",
            "employment_type": "courier",
            "district_code": "410802",
        },
    )

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Appointment.objects.exists()


def test_the_results_page_offers_the_codes_and_records_them(desk, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)

    page = desk.get(f"/desk/appointments/{appointment.pk}/results/")
    response = desk.post(
        f"/desk/appointments/{appointment.pk}/results/",
        {"test_hpv": "HPV_NEG", "test_cbe": "CBE_NORMAL", "notes": ""},
    )

    assert 'name="test_hpv"' in page.content.decode()
    assert "HPV_16_18_POS" in page.content.decode()
    assert response.status_code == 302
    assert Result.objects.filter(visit__appointment_id=appointment.pk).count() == 2
    assert AuditEvent.objects.filter(action="appointment.view").exists()


def test_the_missing_results_list_names_who_is_waiting(desk, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)

    html = desk.get(f"/desk/missing/?site={site.pk}").content.decode()

    assert appointment.reference in html


def test_the_import_page_uploads_and_shows_progress(desk, site) -> None:  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile(
        "lab.csv", b"reference,test,value\nABCDEFGH,hpv,HPV_NEG\n", "text/csv"
    )

    response = desk.post(f"/desk/imports/?site={site.pk}", {"file": upload})
    progress = desk.get(response["Location"])

    assert response.status_code == 302
    assert "<progress" in progress.content.decode()
    assert 'http-equiv="refresh"' in progress.content.decode()


def test_the_follow_up_worklist_page_opens(desk, site) -> None:  # type: ignore[no-untyped-def]
    response = desk.get(f"/desk/follow-up/?site={site.pk}")

    assert response.status_code == 200


def test_the_walk_in_form_stops_on_an_identity_conflict_and_takes_a_confirmation(
    desk, site
) -> None:  # type: ignore[no-untyped-def]
    district = DistrictFactory(code="410802", name="解放区")
    slot_today(site=site, campaign=CampaignFactory(districts=[district]))
    id_number = newcomer_id_number(32)
    existing = ParticipantFactory(
        id_number=id_number, phone="13700000000", full_name="王秀英"
    )
    typed = {
        "phone": "13912340000",
        "full_name": "周丽",
        "id_number": id_number,
        "employment_type": "courier",
        "district_code": "410802",
        "consent": "on",
    }

    stopped = desk.post(f"/desk/walk-in/?site={site.pk}", typed)
    confirmed = desk.post(
        f"/desk/walk-in/?site={site.pk}", {**typed, "confirm_record": existing.pk}
    )

    html = stopped.content.decode()
    assert stopped.status_code == 409
    assert "王**" in html
    assert "137****0000" in html
    assert f'name="confirm_record" value="{existing.pk}"' in html
    assert 'value="周丽"' in html
    assert confirmed.status_code == 302
    assert Appointment.objects.get().participant == existing


def test_a_booking_for_another_of_her_sites_asks_before_checking_in_here(
    client, site
) -> None:  # type: ignore[no-untyped-def]
    other = SiteFactory(name="解放区妇幼保健院")
    nurse = clinic_user(site, other)
    client.force_login(nurse)
    appointment = booked_today(site=other)

    asked = client.post(
        "/desk/checkin/", {"site": site.pk, "reference": appointment.reference}
    )
    appointment.refresh_from_db()
    still_booked = appointment.status
    confirmed = client.post(
        "/desk/checkin/",
        {"site": site.pk, "reference": appointment.reference, "force_site": "on"},
    )

    html = asked.content.decode()
    assert asked.status_code == 400
    assert "解放区妇幼保健院" in html
    assert appointment.participant.full_name in html
    assert appointment.participant.birth_date.isoformat() in html
    assert 'name="force_site"' in html
    assert 'class="success"' not in html
    assert still_booked == AppointmentStatus.BOOKED
    assert confirmed.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    visit = Visit.objects.get(appointment_id=appointment.pk)
    assert visit.site_id == site.pk
    event = AuditEvent.objects.get(action="appointment.checkin")
    assert event.purpose == "came to another site"
    assert event.details["booked_site"] == other.pk
    missing = client.get(f"/desk/missing/?site={site.pk}").content.decode()
    assert appointment.reference in missing


def test_recorded_results_reopen_chosen_with_their_history(desk, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)
    url = f"/desk/appointments/{appointment.pk}/results/"
    desk.post(url, {"test_hpv": "HPV_NEG", "test_cbe": "CBE_NORMAL", "notes": "复查"})
    desk.post(
        url, {"test_hpv": "HPV_OTHER_POS", "test_cbe": "CBE_NORMAL", "notes": "复查"}
    )

    html = desk.get(url).content.decode()

    assert '<option value="HPV_OTHER_POS" selected>' in html
    assert '<option value="CBE_NORMAL" selected>' in html
    assert '<option value="HPV_NEG" selected>' not in html
    assert ">复查</textarea>" in html
    history = html.split("history")[-1]
    assert "HPV_NEG" in history
    assert "HPV_OTHER_POS" in history
    assert Result.objects.filter(visit__appointment_id=appointment.pk).count() == 3


def test_her_results_page_names_her_in_full_with_her_birth_date_audited(
    desk, site, nurse
) -> None:  # type: ignore[no-untyped-def]
    woman = ParticipantFactory(full_name="欧阳秀英")
    appointment = booked_today(site=site, participant=woman)
    appointment_check_in(by=nurse, reference=appointment.reference)

    html = desk.get(f"/desk/appointments/{appointment.pk}/results/").content.decode()

    assert "欧阳秀英" in html
    assert woman.birth_date.isoformat() in html
    assert woman.phone not in html
    assert woman.id_number not in html
    event = AuditEvent.objects.get(action="appointment.view")
    assert event.object_id == str(appointment.pk)
    assert event.details["shown"] == ["full_name", "birth_date"]


def test_the_day_list_keeps_names_masked(desk, site) -> None:  # type: ignore[no-untyped-def]
    woman = ParticipantFactory(full_name="欧阳秀英")
    booked_today(site=site, participant=woman)

    html = desk.get(f"/desk/?site={site.pk}").content.decode()

    assert "欧阳秀英" not in html
    assert woman.birth_date.isoformat() not in html


def test_the_check_in_box_is_on_top_and_has_the_focus(desk, site) -> None:  # type: ignore[no-untyped-def]
    booked_today(site=site)

    html = desk.get(f"/desk/?site={site.pk}").content.decode()

    box = html.index('name="reference"')
    assert box < html.index('class="counts"')
    assert "autofocus" in html[box - 300 : box + 300]


def test_after_a_check_in_she_is_named_beside_the_box_with_a_link_to_her_results(
    desk, site
) -> None:  # type: ignore[no-untyped-def]
    woman = ParticipantFactory(full_name="欧阳秀英")
    appointment = booked_today(site=site, participant=woman)

    response = desk.post(
        "/desk/checkin/", {"site": site.pk, "reference": appointment.reference}
    )
    html = desk.get(response["Location"]).content.decode()
    again = desk.get(response["Location"]).content.decode()

    assert "#" not in response["Location"]
    assert "欧阳秀英" in html
    assert woman.birth_date.isoformat() in html
    assert f"/desk/appointments/{appointment.pk}/results/" in html
    assert "欧阳秀英" not in again
    event = AuditEvent.objects.get(action="appointment.view")
    assert event.purpose == "check-in"
    assert event.details["shown"] == ["full_name", "birth_date"]


@pytest.mark.parametrize(
    ("path", "far", "code"),
    [
        ("/desk/", "9999-12-31", "date_out_of_range"),
        ("/desk/", "0001-01-01", "date_out_of_range"),
        ("/desk/missing/", "9999-12-31", "date_out_of_range"),
        ("/desk/", "2026-13-45", "date_invalid"),
    ],
)
def test_a_far_or_broken_date_on_a_desk_list_is_400_not_500(
    desk, site, path, far, code
) -> None:  # type: ignore[no-untyped-def]
    response = desk.get(f"{path}?site={site.pk}&date={far}")

    assert response.status_code == 400
    assert f'data-code="{code}"' in response.content.decode()


def test_submitting_no_result_asks_to_choose_at_least_one(desk, site, nurse) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)

    response = desk.post(
        f"/desk/appointments/{appointment.pk}/results/", {"test_hpv": "", "notes": ""}
    )

    assert response.status_code == 400
    assert "至少选择一项结果" in response.content.decode()


def test_the_desk_has_a_language_switch(desk, site) -> None:  # type: ignore[no-untyped-def]
    html = desk.get(f"/desk/?site={site.pk}").content.decode()

    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html


def test_a_walk_in_with_a_booking_here_is_told_to_the_nurse_with_its_reference(
    desk, site
) -> None:  # type: ignore[no-untyped-def]
    district = DistrictFactory(code="410802", name="解放区")
    campaign = CampaignFactory(districts=[district])
    appointment = booked_today(site=site, hour=15, campaign=campaign)
    woman = appointment.participant

    response = desk.post(
        f"/desk/walk-in/?site={site.pk}",
        {
            "phone": woman.phone,
            "full_name": woman.full_name,
            "id_number": woman.id_number,
            "employment_type": "courier",
            "district_code": "410802",
            "consent": "on",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert appointment.reference in html
    assert "她已有预约" in html


def test_a_walk_in_already_checked_in_is_told_to_the_nurse(desk, site, nurse) -> None:  # type: ignore[no-untyped-def]
    district = DistrictFactory(code="410802", name="解放区")
    campaign = CampaignFactory(districts=[district])
    appointment = booked_today(site=site, hour=8, campaign=campaign)
    appointment_check_in(by=nurse, reference=appointment.reference)
    woman = appointment.participant

    response = desk.post(
        f"/desk/walk-in/?site={site.pk}",
        {
            "phone": woman.phone,
            "full_name": woman.full_name,
            "id_number": woman.id_number,
            "employment_type": "courier",
            "district_code": "410802",
            "consent": "on",
        },
    )

    html = response.content.decode()
    assert appointment.reference in html
    assert "您" not in html.split('role="alert"')[1][:300]


def test_the_undo_button_takes_her_results_back_and_her_check_in_is_undoable(
    desk, site, nurse
) -> None:  # type: ignore[no-untyped-def]
    appointment = booked_today(site=site)
    appointment_check_in(by=nurse, reference=appointment.reference)
    url = f"/desk/appointments/{appointment.pk}/results/"
    desk.post(url, {"test_hpv": "HPV_NEG", "notes": ""})
    page = desk.get(url).content.decode()

    response = desk.post(f"/desk/appointments/{appointment.pk}/results/undo/")

    assert f"/desk/appointments/{appointment.pk}/results/undo/" in page
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert not Result.objects.filter(
        visit__appointment_id=appointment.pk, is_current=True
    ).exists()
    undone = desk.post(f"/desk/checkins/{appointment.pk}/undo/", {"site": site.pk})
    assert undone.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_another_sites_results_cannot_be_undone(client, site) -> None:  # type: ignore[no-untyped-def]
    other_nurse = clinic_user(SiteFactory())
    client.force_login(other_nurse)
    appointment = booked_today(site=site)

    response = client.post(f"/desk/appointments/{appointment.pk}/results/undo/")

    assert response.status_code == 403


def test_enter_in_a_field_after_a_conflict_registers_rather_than_confirms(
    desk, site
) -> None:  # type: ignore[no-untyped-def]
    district = DistrictFactory(code="410802", name="解放区")
    slot_today(site=site, campaign=CampaignFactory(districts=[district]))
    id_number = newcomer_id_number(33)
    ParticipantFactory(id_number=id_number, phone="13700000000")

    html = desk.post(
        f"/desk/walk-in/?site={site.pk}",
        {
            "phone": "13912340000",
            "full_name": "周丽",
            "id_number": id_number,
            "employment_type": "courier",
            "district_code": "410802",
            "consent": "on",
        },
    ).content.decode()

    # The browser submits with the form's first submit button on Enter.
    form = html[html.index("<form") :]
    assert form.index('name="register"') < form.index('name="confirm_record"')
