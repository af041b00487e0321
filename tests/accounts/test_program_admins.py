"""Least privilege in the admin: program admins hold the permissions of their
work (campaigns, sites, slots, templates, staff, message texts, rules) through a
group, are not superusers, see no individual health data there, and any admin
look at a personal record that remains is audited."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Role, User
from accounts.program_admins import PROGRAM_ADMINS_GROUP, program_admin_codenames
from accounts.services import staff_create
from common.admin_audit import ADMIN_VIEW_ACTION
from common.models import AuditEvent
from notifications.models import Notification
from screening.otp import otp_request
from screening.privacy import participant_data
from tests.accounts.factories import STAFF_PASSWORD, UserFactory, program_admin
from tests.scheduling.factories import AppointmentFactory, SiteFactory
from tests.screening.factories import CampaignFactory, ParticipantFactory
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

THEIR_WORK = [
    "/admin/screening/campaign/",
    "/admin/screening/campaign/add/",
    "/admin/screening/district/add/",
    "/admin/screening/summaryrule/",
    "/admin/screening/resultcode/",
    "/admin/scheduling/site/add/",
    "/admin/scheduling/slot/",
    "/admin/scheduling/slot/add/",
    "/admin/scheduling/slottemplate/add/",
    "/admin/accounts/user/",
    "/admin/accounts/user/add/",
    "/admin/notifications/messagetemplate/",
    "/admin/notifications/notification/",
    "/admin/common/auditevent/",
    "/admin/specimens/historyquestion/",
]
HEALTH_DATA = [
    "/admin/screening/participant/",
    "/admin/screening/result/",
    "/admin/screening/resultsummary/",
    "/admin/screening/followupcase/",
    "/admin/screening/resultimport/",
    "/admin/scheduling/appointment/",
    "/admin/specimens/clinicalhistory/",
]


def test_a_program_admin_is_not_a_superuser_and_holds_the_groups_permissions() -> None:
    admin = program_admin()

    assert not admin.is_superuser
    assert admin.is_staff
    assert admin.groups.filter(name=PROGRAM_ADMINS_GROUP).exists()
    group = Group.objects.get(name=PROGRAM_ADMINS_GROUP)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == set(program_admin_codenames())


def test_the_group_holds_no_permission_on_individual_health_data() -> None:
    group = Group.objects.get(name=PROGRAM_ADMINS_GROUP)
    personal = {
        "participant",
        "consent",
        "result",
        "resultsummary",
        "followupcase",
        "followupevent",
        "resultimport",
        "visit",
        "appointment",
        "clinicalhistory",
    }

    models = set(group.permissions.values_list("content_type__model", flat=True))

    assert models & personal == set()


@pytest.mark.parametrize("path", THEIR_WORK)
def test_a_program_admin_reaches_the_pages_of_her_work(client, path: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(program_admin())

    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", HEALTH_DATA)
def test_a_program_admin_sees_no_individual_health_data(client, path: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(program_admin())

    assert client.get(path).status_code == 403


def test_a_program_admin_opens_no_single_record_of_a_woman(client) -> None:  # type: ignore[no-untyped-def]
    visit = VisitFactory()
    record(visit, hpv="HPV_NEG")
    appointment = AppointmentFactory(participant=visit.participant)
    client.force_login(program_admin())

    pages = [
        f"/admin/screening/participant/{visit.participant_id}/change/",
        f"/admin/scheduling/appointment/{appointment.pk}/change/",
        f"/admin/screening/result/{visit.results.get().pk}/change/",
    ]

    assert [client.get(page).status_code for page in pages] == [403, 403, 403]


def test_a_program_admin_follows_the_message_log_without_its_contents(client) -> None:  # type: ignore[no-untyped-def]
    otp_request(phone_raw="13912345678", ip=None)
    message = Notification.objects.get()
    Notification.objects.filter(pk=message.pk).update(
        context={"name": "王秀英", "site": "焦作市第二人民医院"}
    )
    client.force_login(program_admin())

    listing = client.get("/admin/notifications/notification/")
    page = client.get(f"/admin/notifications/notification/{message.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert "王秀英" not in page.content.decode()
    assert "焦作市第二人民医院" not in page.content.decode()
    assert 'name="context"' not in page.content.decode()


def test_the_slot_tools_work_for_a_program_admin(client) -> None:  # type: ignore[no-untyped-def]
    campaign, site = CampaignFactory(), SiteFactory()
    client.force_login(program_admin())

    generate = client.get(f"/admin/scheduling/site/generate-slots/?ids={site.pk}")
    from_campaign = client.get(
        f"/admin/screening/campaign/generate-slots/?ids={campaign.pk}"
    )
    week = client.get(
        f"/admin/scheduling/site/{site.pk}/week-templates/?campaign={campaign.pk}"
    )

    assert generate.status_code == from_campaign.status_code == week.status_code == 200


def test_a_program_admin_cannot_make_herself_a_superuser(client) -> None:  # type: ignore[no-untyped-def]
    admin = program_admin()
    client.force_login(admin)
    everything = Permission.objects.get(codename="view_result")

    client.post(
        f"/admin/accounts/user/{admin.pk}/change/",
        {
            "username": admin.username,
            "role": Role.ADMIN,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "user_permissions": [everything.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    admin.refresh_from_db()
    assert not admin.is_superuser
    assert not admin.user_permissions.exists()


def test_a_program_admin_cannot_change_a_superusers_account(client) -> None:  # type: ignore[no-untyped-def]
    root = UserFactory(role="", is_staff=True, is_superuser=True)
    client.force_login(program_admin())

    client.post(
        f"/admin/accounts/user/{root.pk}/password/",
        {"password1": "a-new-long-password-9", "password2": "a-new-long-password-9"},
    )

    root.refresh_from_db()
    assert root.check_password(STAFF_PASSWORD)


def test_a_staff_account_changed_to_program_admin_joins_the_group() -> None:
    user = staff_create(username="nurse", role=Role.CLINIC, password=STAFF_PASSWORD)
    assert not user.groups.exists()

    staff_create(username="nurse", role=Role.ADMIN, password=STAFF_PASSWORD)
    staff_create(username="nurse", role=Role.UNION, password=STAFF_PASSWORD)

    assert not User.objects.get(username="nurse").groups.exists()


def test_a_superusers_look_at_her_record_is_audited_and_shown_to_her(client) -> None:  # type: ignore[no-untyped-def]
    woman = ParticipantFactory()
    root = UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    client.force_login(root)

    page = client.get(f"/admin/screening/participant/{woman.pk}/change/")

    assert page.status_code == 200
    event = AuditEvent.objects.get(action=ADMIN_VIEW_ACTION)
    assert (event.object_type, event.object_id) == ("participant", str(woman.pk))
    assert event.actor == root
    shown = participant_data(participant=woman)["staff_access"]
    assert [(row["username"], row["action"]) for row in shown] == [
        ("root", ADMIN_VIEW_ACTION)
    ]


def test_a_superusers_look_at_a_result_is_audited_on_her_visit(client) -> None:  # type: ignore[no-untyped-def]
    visit = VisitFactory()
    record(visit, hpv="HPV_NEG")
    client.force_login(UserFactory(role="", is_staff=True, is_superuser=True))

    client.get(f"/admin/screening/result/{visit.results.get().pk}/change/")

    event = AuditEvent.objects.get(action=ADMIN_VIEW_ACTION)
    assert (event.object_type, event.object_id) == ("visit", str(visit.pk))
