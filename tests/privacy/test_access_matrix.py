"""The access matrix, generated from the URL configuration.

Every route is requested by every role, with path ids naming participant A's
records at site 1: for A they are her own, for B another woman's, for clinic
staff of site 2 another site's. A route nobody has classified fails the test,
so every new route has to be placed in RULES first.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from accounts.models import Role, User
from scheduling.models import Appointment, AppointmentStatus
from screening.models import Participant, ResultImport
from tests.accounts.factories import TOTPDeviceFactory, UserFactory
from tests.privacy.support import sign_in_page
from tests.scheduling.factories import (
    AppointmentFactory,
    ConsentedParticipantFactory,
    SiteFactory,
    SlotFactory,
)
from tests.screening.factories import bearer_token
from tests.stations.factories import StationFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "participant_a", "participant_b", "clinic_1", "clinic_2")
ROLES += ("union", "admin", "steward")

# What each kind of answer may be.
OK = frozenset({200, 204, 302, 400, 405, 409})
DENIED = frozenset({302, 401, 403, 404, 405})
NOT_FOUND = frozenset({404, 405})
ANY = frozenset(range(200, 500))


@dataclass(frozen=True)
class Rule:
    pattern: str
    allowed: dict[str, frozenset[int]]


def _only(roles: dict[str, frozenset[int]], default: frozenset[int]) -> dict:
    return {role: roles.get(role, default) for role in ROLES}


PUBLIC = _only({}, ANY)
STAFF_ADMIN_SITE = _only({"admin": ANY}, frozenset({302}))
PARTICIPANT_SELF = _only({"participant_a": OK, "participant_b": OK}, DENIED)
PARTICIPANT_OBJECT = _only({"participant_a": OK, "participant_b": NOT_FOUND}, DENIED)
CLINIC = _only({"clinic_1": OK, "clinic_2": OK, "admin": OK | {403}}, DENIED)
# A program admin belongs to no site: some desk pages refuse her (403).
CLINIC_ADMIN = OK | {403}
CLINIC_OBJECT = _only(
    {
        "clinic_1": OK,
        "clinic_2": frozenset({400, 403, 404, 405, 409}),
        "admin": CLINIC_ADMIN,
    },
    DENIED,
)
UNION = _only({"union": OK, "admin": OK}, DENIED)
# A union steward's own pages: her counts and the sign-ups she started.
STEWARD = _only({"steward": OK}, DENIED)
STAFF_DESK = ("clinic_1", "clinic_2", "admin")
REPORTING = _only(
    dict.fromkeys(("clinic_1", "clinic_2", "union", "admin"), OK | {403, 422}), DENIED
)

# First match wins; patterns are the route as the URL configuration spells it.
RULES = [
    Rule(r"^admin/(login|logout)/$", PUBLIC),
    Rule(r"^admin/", STAFF_ADMIN_SITE),
    Rule(r"^(healthz|favicon\.ico|i18n/)", PUBLIC),
    Rule(r"^(signup/|signin/|signout/|book/|staff/)", PUBLIC),
    Rule(r"^$", PUBLIC),
    Rule(r"^api/(schema|docs)/$", PUBLIC),
    Rule(r"^api/v1/auth/", PUBLIC),
    Rule(r"^api/v1/(campaigns|sites)/", PUBLIC),
    Rule(r"^sms/receipts/", PUBLIC),
    # WeChat's round trip and its signed pushes (404 unless set up).
    Rule(r"^wechat/(signin|callback|events)/$", PUBLIC),
    Rule(r"^text-size/$", PUBLIC),
    Rule(r"^api/v1/participants/", PARTICIPANT_SELF),
    Rule(r"^api/v1/results/$", PARTICIPANT_SELF),
    Rule(r"^api/v1/appointments/<", PARTICIPANT_OBJECT),
    Rule(r"^api/v1/appointments/$", PARTICIPANT_SELF),
    Rule(r"^api/v1/waitlist/<", PARTICIPANT_OBJECT),
    Rule(r"^api/v1/waitlist/$", PARTICIPANT_SELF),
    Rule(r"^my/appointments/<", PARTICIPANT_OBJECT),
    Rule(r"^my/", PARTICIPANT_SELF),
    # The fixture's booking has no visit and there is no manifest, and a list
    # asks which site: desk staff get a not-found or a 403 here, never a
    # woman's tubes; tests/specimens covers which site's staff may open what.
    # Everyone else is kept out.
    # The failsafe list, its digest and turnaround: desk staff of any site (their
    # own sites' items only, tests/specimens/test_failsafe_worklist.py), a
    # program admin sees every site; the union and women are kept out.
    Rule(r"^(desk/specimens|api/v1/clinic)/failsafe/<", CLINIC_OBJECT),
    Rule(r"^(desk/specimens|api/v1/clinic)/(failsafe|turnaround)/", CLINIC),
    Rule(r"^api/v1/clinic/specimens/turnaround/$", CLINIC),
    Rule(r"^desk/specimens/", _only(dict.fromkeys(STAFF_DESK, OK | DENIED), DENIED)),
    # The clinic's specimen API: the fixture's booking has no visit, so her
    # labels are not found, for her own desk or another's; the list is of the
    # desk's own sites (tests/specimens/test_api*.py cover it with tubes).
    Rule(
        r"^api/v1/clinic/appointments/<int:appointment_id>/labels\.svg$",
        _only(
            {
                "clinic_1": OK | {404},
                "clinic_2": frozenset({403, 404}),
                "admin": CLINIC_ADMIN | {404},
            },
            DENIED,
        ),
    ),
    Rule(r"^api/v1/clinic/specimens/<", CLINIC_OBJECT),
    Rule(r"^api/v1/clinic/specimens/$", CLINIC),
    # The screening day: site 1 has a station; a ticket or visit the fixture
    # lacks is not found for her own desk, another site's station is a 403.
    Rule(
        r"^(api/v1/clinic/stations|desk/stations)/.*<",
        _only(
            {
                "clinic_1": OK | {404},
                "clinic_2": frozenset({302, 400, 403, 404, 405, 409}),
                "admin": CLINIC_ADMIN | {404},
            },
            DENIED,
        ),
    ),
    Rule(r"^(api/v1/clinic/(stations|board)|desk/stations)/", CLINIC),
    Rule(r"^my/day/$", PARTICIPANT_SELF),
    Rule(r"^(api/v1/clinic|desk)/.*<", CLINIC_OBJECT),
    Rule(r"^(api/v1/clinic|desk)/", CLINIC),
    # Official reporting: every staff role; the union's figures are suppressed
    # and its requests for the hospital's files refused (tests/indicators).
    Rule(r"^(api/v1/)?reports/", REPORTING),
    Rule(r"^quiz/<", PARTICIPANT_SELF),
    Rule(r"^(api/v1/reports|union)/", UNION),
    # Next-due register: lists women, so program admins only.
    Rule(r"^recall/", _only({"admin": OK}, DENIED)),
    Rule(r"^steward/", STEWARD),
]

# Regular-expression routes cannot be filled in mechanically.
REGEX_EXAMPLES = {
    "admin/^(?P<app_label>auth|axes|common|accounts|notifications|screening|"
    "specimens|stations|scheduling|indicators)/$": "/admin/screening/",
    "admin/(?P<url>.*)$": "/admin/no-such-page/",
}


def routes(patterns=None, prefix: str = "") -> Iterator[str]:  # type: ignore[no-untyped-def]
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def rule_for(route: str) -> Rule | None:
    return next((rule for rule in RULES if re.search(rule.pattern, route)), None)


def test_every_route_is_classified() -> None:
    unclassified = [route for route in routes() if rule_for(route) is None]

    assert not unclassified, f"Classify these routes in RULES: {unclassified}"


@dataclass
class World:
    a: Participant
    b: Participant
    appointment: Appointment
    clients: dict[str, Client]
    headers: dict[str, dict[str, str]]
    kwargs: dict[str, str]


@pytest.fixture
def world() -> World:
    site_1, site_2 = SiteFactory(), SiteFactory()
    a = ConsentedParticipantFactory(full_name="甲秀兰", phone="13800001111")
    b = ConsentedParticipantFactory(full_name="乙春梅", phone="13800002222")
    appointment = AppointmentFactory(participant=a, slot=SlotFactory(site=site_1))
    appointment.slot.booked = 1
    appointment.slot.save(update_fields=["booked"])
    AppointmentFactory(participant=b, slot=SlotFactory(site=site_2))
    clinic_1 = UserFactory(username="clinic_1", role=Role.CLINIC)
    clinic_2 = UserFactory(username="clinic_2", role=Role.CLINIC)
    site_1.staff.add(clinic_1)
    site_2.staff.add(clinic_2)
    staff = {
        "clinic_1": clinic_1,
        "clinic_2": clinic_2,
        "union": UserFactory(username="union_1", role=Role.UNION),
        "admin": UserFactory(username="admin_1", role=Role.ADMIN, is_staff=True),
        "steward": UserFactory(username="steward_1", role=Role.STEWARD),
    }
    station = StationFactory(site=site_1, rooms=1)
    upload = ResultImport.objects.create(
        created_by=clinic_1, file_hash="0" * 64, size=1, content=b"x"
    )
    clients = {role: Client() for role in ROLES}
    headers: dict[str, dict[str, str]] = {role: {} for role in ROLES}
    for role, participant in (("participant_a", a), ("participant_b", b)):
        sign_in_page(clients[role], participant)
        key = bearer_token(phone=participant.phone, participant=participant)
        headers[role] = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    for role, user in staff.items():
        clients[role].force_login(user)
    kwargs = {
        "appointment_id": str(appointment.pk),
        "campaign_id": str(appointment.campaign_id),
        "site_id": str(appointment.slot.site_id),
        "manifest_id": "1",
        "fmt": "csv",
        "import_id": str(upload.pk),
        "case_id": "1",
        "item_id": "1",
        "entry_id": "1",
        "token": "not-the-receipt-token",
        "object_id": "1",
        "content_type_id": "1",
        "id": str(staff["admin"].pk),
        "station_id": str(station.pk),
        "room": "1",
        "visit_id": "1",
        "ticket_id": "1",
        "signup_id": "1",
        "specimen_id": "1",
    }
    return World(a, b, appointment, clients, headers, kwargs)


def path_for(route: str, kwargs: dict[str, str]) -> str:
    if route in REGEX_EXAMPLES:
        return REGEX_EXAMPLES[route]
    # The admin's app index lists every app with an admin: any one will do.
    if route.startswith("admin/^(?P<app_label>"):
        return "/admin/screening/"
    assert "(?P" not in route, f"Add an example for {route}"
    assert "^" not in route, f"Add an example for {route}"
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], route)


def _secrets_of_a(world: World) -> list[str]:
    return [
        world.a.full_name,
        world.a.phone,
        world.a.phone[:3] + "****" + world.a.phone[-4:],
        world.a.id_number,
        world.appointment.reference,
    ]


# Who may see A's details at all: herself, her site's desk, the program admin.
MAY_SEE_A = frozenset({"participant_a", "clinic_1", "admin"})


def test_every_role_gets_what_the_matrix_says_and_nothing_of_anyone_else(
    world: World,
) -> None:
    problems = []
    secrets_ = _secrets_of_a(world)
    with translation.override("en"):
        for route in routes():
            rule = rule_for(route)
            assert rule is not None
            path = path_for(route, world.kwargs)
            for role in ROLES:
                extra = world.headers[role] if path.startswith("/api/") else {}
                response = world.clients[role].get(path, **extra)
                status = response.status_code
                if status not in rule.allowed[role]:
                    problems.append(f"{role} GET {path}: {status}")
                body = getattr(response, "content", b"").decode(errors="replace")
                may_see = role in MAY_SEE_A and status < 400
                leaked = [s for s in secrets_ if s in body]
                if leaked and not may_see:
                    problems.append(f"{role} GET {path}: {status} shows {leaked}")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/appointments/{id}/cancel/",
        "/api/v1/appointments/{id}/reschedule/",
        "/my/appointments/{id}/cancel/",
        "/my/appointments/{id}/reschedule/",
    ],
)
def test_another_woman_cannot_change_her_booking(world: World, path: str) -> None:
    url = path.format(id=world.appointment.pk)
    client = world.clients["participant_b"]
    if url.startswith("/api/"):
        response = client.post(
            url,
            {"slot": world.appointment.slot_id},
            content_type="application/json",
            **world.headers["participant_b"],
        )
    else:
        response = client.post(
            url, {"slot": world.appointment.slot_id, "confirm": "on"}
        )

    world.appointment.refresh_from_db()
    assert response.status_code == 404
    assert world.appointment.status == AppointmentStatus.BOOKED
    assert world.a.full_name not in response.content.decode()


# With two-factor sign-in on, a password alone opens nothing but the second step
# and the way out. Generated from the URL configuration like the matrix above.
OPEN_BEFORE_SECOND_STEP = re.compile(
    r"^(staff/(two-factor/|logout/)|admin/logout/|i18n/)"
)


@pytest.mark.parametrize("enrolled", [True, False], ids=["enrolled", "not-enrolled"])
def test_a_password_without_the_code_opens_no_route_but_the_second_step(
    world: World, settings, enrolled: bool
) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_TWO_FACTOR_REQUIRED = True
    step = "/staff/two-factor/" if enrolled else "/staff/two-factor/setup/"
    problems = []
    for role in ("clinic_1", "union", "admin"):
        client = world.clients[role]
        if enrolled:
            TOTPDeviceFactory(user=_user(client))
        for route in routes():
            if OPEN_BEFORE_SECOND_STEP.match(route):
                continue
            path = path_for(route, world.kwargs)
            response = client.get(path)
            if path.startswith("/api/"):
                body = response.json() if response.status_code == 403 else {}
                if body.get("code") != "two_factor_required":
                    problems.append(f"{role} GET {path}: {response.status_code}")
            elif not (
                response.status_code == 302
                and response["Location"].startswith(step + "?next=")
            ):
                problems.append(f"{role} GET {path}: {response.status_code}")

    assert not problems, "\n".join(problems)


def _user(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])
