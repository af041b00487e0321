"""The union report API and dashboard through HTTP: who may read, what comes back,
and that nothing about a person ever does."""

import csv
import io
import json
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from common.models import AuditEvent
from scheduling.models import Appointment
from scheduling.reports.labels import GROUP_BY_LABELS, MEASURE_LABELS, SERIES_LABELS
from screening.models import Participant
from tests.accounts.factories import UserFactory
from tests.scheduling.test_reports_turnout import World, build_world
from tests.screening.factories import bearer_token
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

NAMES = [f"{surname}秀英" for surname in "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕"]
TURNOUT = "/api/v1/reports/turnout/"
CSV = "/api/v1/reports/turnout.csv"
XLSX = "/api/v1/reports/turnout.xlsx"
OUTCOMES = "/api/v1/reports/outcomes/"
GROUP_BYS = ("employment_type", "district", "site", "day", "age_band")


@pytest.fixture
def world() -> World:
    return build_world(names=list(NAMES))


def api_as(role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=role))
    return client


@pytest.fixture
def union() -> APIClient:
    return api_as(Role.UNION)


# --- Who may read.


@pytest.mark.parametrize("path", [TURNOUT, CSV, XLSX, OUTCOMES])
def test_clinic_staff_get_403_on_every_report(world: World, path: str) -> None:
    response = api_as(Role.CLINIC).get(path, {"campaign": world.campaign.pk})

    assert response.status_code == 403


@pytest.mark.parametrize("path", [TURNOUT, CSV, XLSX, OUTCOMES])
def test_a_participant_gets_403_on_every_report(world: World, path: str) -> None:
    person = world.people[0]
    token = bearer_token(phone=person.phone, participant=person)

    response = APIClient().get(
        path,
        {"campaign": world.campaign.pk},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 403


@pytest.mark.parametrize("path", [TURNOUT, CSV, XLSX, OUTCOMES])
def test_nobody_signed_in_is_refused(world: World, path: str) -> None:
    response = APIClient().get(path, {"campaign": world.campaign.pk})

    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.UNION, Role.ADMIN])
def test_union_staff_and_admins_read_turnout(world: World, role: str) -> None:
    response = api_as(role).get(TURNOUT, {"campaign": world.campaign.pk})

    assert response.status_code == 200


def test_the_dashboard_sends_signed_out_visitors_to_the_staff_login(
    world: World,
) -> None:
    response = Client().get("/union/")

    assert response.status_code == 302
    assert "next=/union/" in response["Location"]


@pytest.mark.parametrize("role", [Role.CLINIC])
def test_the_dashboard_is_403_for_clinic_staff(world: World, role: str) -> None:
    client = Client()
    client.force_login(UserFactory(role=role))

    assert client.get("/union/").status_code == 403


def test_the_dashboard_does_not_open_for_a_signed_in_participant(
    world: World,
) -> None:
    client = Client()
    session = client.session
    session["ankang_signin"] = {"participant": world.people[0].pk}
    session.save()

    response = client.get("/union/")

    assert response.status_code in (302, 403)


# --- What comes back.


def test_turnout_answers_totals_and_groups_with_suppressed_cells_as_null(
    world: World, union: APIClient
) -> None:
    response = union.get(
        TURNOUT, {"campaign": world.campaign.pk, "group_by": "employment_type"}
    )

    body = response.json()
    assert response.status_code == 200
    # Published counts are perturbed by their records' keys (common.cellkey):
    # multiples of 5 near the truth (20 registered, 15 booked, 9 checked in).
    totals = {name: cell["value"] for name, cell in body["totals"].items()}
    assert totals["registered"] % 5 == 0
    assert abs(totals["registered"] - 20) <= 4 * 2 * 4
    assert body["totals"]["no_show"] == {"value": None, "suppressed": True}
    # Worked out over checked_in + no_show: hidden with the no-shows.
    assert body["totals"]["turnout_rate"] == {"value": None, "suppressed": True}
    groups = {g["key"]: g for g in body["groups"]}
    assert set(groups) == {
        "courier",
        "food_delivery",
        "ride_hailing",
        "domestic_service",
    }
    assert groups["food_delivery"]["booked"]["value"] in (5, 10)
    assert groups["ride_hailing"]["booked"] == {"value": None, "suppressed": True}
    assert body["threshold"] == 5


def test_site_and_day_groups_carry_no_registered_count(
    world: World, union: APIClient
) -> None:
    body = union.get(TURNOUT, {"campaign": world.campaign.pk, "group_by": "site"})

    assert all("registered" not in g for g in body.json()["groups"])


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"group_by": "phone"}, 400, "invalid_group_by"),
        ({"from": "2026-13-01"}, 400, "invalid_date_range"),
        ({"from": "2026-03-05", "to": "2026-03-01"}, 400, "invalid_date_range"),
        ({"campaign": "999999"}, 404, "campaign_not_found"),
        ({"campaign": ""}, 400, "campaign_required"),
    ],
)
def test_bad_parameters_answer_with_a_code(
    world: World, union: APIClient, params: dict, status: int, code: str
) -> None:
    response = union.get(TURNOUT, {"campaign": world.campaign.pk, **params})

    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_csv_is_named_by_campaign_and_range_and_shows_hidden_cells_as_lt5(
    world: World, union: APIClient
) -> None:
    response = union.get(
        CSV,
        {
            "campaign": world.campaign.pk,
            "group_by": "district",
            "from": "2026-03-01",
            "to": "2026-03-31",
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="turnout-{world.campaign.pk}-2026-03-01-2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "区县",
        "已报名",
        "已预约",
        "已签到",
        "已筛查",
        "爽约",
        "已取消",
    ]
    assert rows[1][0] == "合计"
    assert "<5" in {cell for row in rows for cell in row}


def test_every_export_is_audited(world: World, union: APIClient) -> None:
    union.get(CSV, {"campaign": world.campaign.pk})
    union.get(XLSX, {"campaign": world.campaign.pk, "group_by": "site"})

    events = AuditEvent.objects.filter(action="report.exported").order_by("pk")
    assert [e.details["format"] for e in events] == ["csv", "xlsx"]
    assert all(e.object_id == str(world.campaign.pk) for e in events)
    assert events[1].details["group_by"] == "site"


def test_the_xlsx_opens_and_holds_the_same_cells(
    world: World, union: APIClient
) -> None:
    response = union.get(XLSX, {"campaign": world.campaign.pk, "group_by": "site"})

    body = union.get(TURNOUT, {"campaign": world.campaign.pk, "group_by": "site"})

    sheet = load_workbook(io.BytesIO(response.content))["到检情况"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("筛查点", "已报名")
    assert rows[1][0] == "合计"
    assert rows[1][1] == body.json()["totals"]["registered"]["value"]
    assert "<5" in {cell for row in rows for cell in row}


# --- Nothing about a person.

ALLOWED_KEYS = {
    # How far the reports replica was behind: a number of seconds, no person.
    "replica_lag_seconds",
    "campaign",
    "id",
    "name",
    "from",
    "to",
    "group_by",
    "threshold",
    "quota",
    "totals",
    "groups",
    "series",
    "key",
    "label",
    "day",
    "value",
    "suppressed",
    "registered",
    "booked",
    "checked_in",
    "screened",
    "no_show",
    "cancelled",
    "quota_used",
    "turnout_rate",
    "no_show_rate",
    "registrations",
    "bookings",
    "check_ins",
    "counts",
    "indicators",
    "normal",
    "recall",
    "refer",
    "precancer",
    "cancer",
    "deferred",
    "follow_up_open",
    "follow_up_completed",
    "follow_up_lost",
    "hpv_tested",
    "hpv_positive",
    "cytology_tested",
    "cytology_abnormal",
    "breast_imaging_tested",
    "breast_imaging_abnormal",
    "hpv_positivity",
    "cytology_abnormal_rate",
    "breast_imaging_abnormal_rate",
    "follow_up_completion_rate",
    "follow_up_loss_rate",
}


def allowed_columns() -> set[str]:
    """The downloads' column names, in the language they are asked in (Chinese)."""
    with translation.override("zh-hans"):
        names = [
            *MEASURE_LABELS.values(),
            *SERIES_LABELS.values(),
            *GROUP_BY_LABELS.values(),
            gettext("Group"),
            gettext("Day"),
        ]
        return {str(name) for name in names}


def keys_of(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value)) if value else set()
    return set()


def personal_strings(world: World) -> list[str]:
    people = Participant.objects.filter(pk__in=[p.pk for p in world.people])
    strings = []
    for person in people:
        strings += [person.full_name, person.phone, person.id_number]
        strings.append(person.phone[-4:] + person.phone[:3])
        strings.append(person.id_number[-6:])
    strings += list(
        Appointment.objects.filter(campaign=world.campaign).values_list(
            "reference", flat=True
        )
    )
    strings += list(
        Appointment.objects.filter(campaign=world.campaign).values_list(
            "checkin_token", flat=True
        )
    )
    return strings


def result_codes() -> list[str]:
    return ["HPV_16_18_POS", "HPV_OTHER_POS", "HPV_NEG", "BIRADS", "NILM", "ASC_US"]


def every_union_answer(world: World) -> list[tuple[str, str, object]]:
    """(what, text, parsed) for every answer a union user can get about it."""
    union_api = api_as(Role.UNION)
    page = Client()
    page.force_login(UserFactory(role=Role.UNION))
    answers: list[tuple[str, str, object]] = []
    ranges = [{}, {"from": "2026-03-02", "to": "2026-03-03"}]
    for group_by in ("", *GROUP_BYS):
        for extra in ranges:
            params = {"campaign": world.campaign.pk, "group_by": group_by, **extra}
            body = union_api.get(TURNOUT, params)
            answers.append(("json", body.content.decode(), body.json()))
            text = union_api.get(CSV, params).content.decode("utf-8-sig")
            answers.append(("csv", text, list(csv.reader(io.StringIO(text)))))
            book = load_workbook(io.BytesIO(union_api.get(XLSX, params).content))
            cells = [
                cell
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
                if cell is not None
            ]
            answers.append(("xlsx", "\n".join(map(str, cells)), book))
            html = page.get(
                "/union/",
                {
                    "campaign": world.campaign.pk,
                    "group_by": group_by or "employment_type",
                    "date_from": extra.get("from", ""),
                    "date_to": extra.get("to", ""),
                },
            )
            assert html.status_code == 200
            answers.append(("html", html.content.decode(), None))
        outcomes = union_api.get(OUTCOMES, {"campaign": world.campaign.pk})
        answers.append(("json", outcomes.content.decode(), outcomes.json()))
    return answers


def test_no_union_answer_carries_a_name_phone_id_reference_or_result_value(
    world: World,
) -> None:
    visit = VisitFactory(campaign=world.campaign, participant=world.people[0])
    record(visit, hpv="HPV_16_18_POS")
    secrets = personal_strings(world)
    assert "赵秀英" in secrets

    for kind, text, parsed in every_union_answer(world):
        for secret in secrets:
            assert secret not in text, (kind, secret)
        for code in result_codes():
            assert code not in text, (kind, code)
        # Eleven-digit runs would be phone numbers, eighteen ID numbers.
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), kind
        assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", text), kind
        if kind == "json":
            assert keys_of(parsed) <= ALLOWED_KEYS, keys_of(parsed) - ALLOWED_KEYS
        if kind == "csv":
            # The header line, and the daily series' header after the blank line.
            blank = parsed.index([])
            header = set(parsed[0]) | set(parsed[blank + 1])
            assert header <= allowed_columns(), header - allowed_columns()
        if kind == "xlsx":
            for sheet in parsed.worksheets:
                first = next(sheet.iter_rows(values_only=True))
                assert set(first) - {None} <= allowed_columns()


def test_the_api_schema_describes_the_report_endpoints() -> None:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.ADMIN))

    schema = client.get("/api/schema/", {"format": "json"})

    paths = json.loads(schema.content)["paths"]
    for path in (TURNOUT, CSV, XLSX, OUTCOMES):
        assert path in paths


def test_the_dashboard_draws_its_charts_without_inline_style_or_script(
    world: World,
) -> None:
    client = Client()
    client.force_login(UserFactory(role=Role.UNION))

    html = client.get("/union/", {"group_by": "age_band"}).content.decode()

    assert html.count("<svg") == 3
    assert "style=" not in html
    assert "<script" not in html
    assert "<5" not in html.replace("&lt;5", "")  # only ever as escaped text
    assert "&lt;5" in html
