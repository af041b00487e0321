"""Who reaches what at the clinic desk, over every clinic endpoint and page:
own-site clinic staff get in; another site's staff get 403/404 and no data;
union staff 403; a participant's token 401/403; nobody signed in 401/403 or
the staff login."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from scheduling.desk.checkin import appointment_check_in
from screening.models import ResultImport
from tests.accounts.factories import UserFactory
from tests.scheduling.desk_support import (
    booked_today,
    clinic_user,
    slot_today,
    token_client,
)
from tests.scheduling.factories import SiteFactory
from tests.screening.factories import (
    CampaignFactory,
    DistrictFactory,
    ParticipantFactory,
    bearer_token,
    newcomer_id_number,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    site: Any
    nurse: Any
    booked: Any
    checked: Any
    result_import: Any

    def fill(self, text: str) -> str:
        return text.format(
            site=self.site.pk,
            booked=self.booked.pk,
            reference=self.booked.reference,
            checked=self.checked.pk,
            result_import=self.result_import.pk,
        )


@pytest.fixture
def world() -> World:
    district = DistrictFactory(code="410802")
    campaign = CampaignFactory(districts=[district])
    site = SiteFactory()
    slot_today(site=site, campaign=campaign, hour=7)
    nurse = clinic_user(site)
    woman = ParticipantFactory(full_name="张秀英", phone="13812345678")
    booked = booked_today(site=site, hour=15, campaign=campaign, participant=woman)
    checked = booked_today(site=site, hour=8, campaign=campaign)
    appointment_check_in(by=nurse, reference=checked.reference)
    result_import = ResultImport.objects.create(
        created_by=nurse, file_hash="0" * 64, size=1, content=b"x"
    )
    return World(site, nurse, booked, checked, result_import)


def csv_upload() -> dict[str, Any]:
    content = b"reference,test,value\nABCDEFGH,hpv,HPV_NEG\n"
    return {"file": SimpleUploadedFile("lab.csv", content, content_type="text/csv")}


# (method, path, JSON body or "multipart")
ENDPOINTS = [
    ("get", "/api/v1/clinic/appointments/?site={site}", None),
    (
        "get",
        "/api/v1/clinic/appointments/search/?site={site}&phone_last4=5678"
        "&name_initial=%E5%BC%A0&purpose=check_in",
        None,
    ),
    ("post", "/api/v1/clinic/checkins/", {"reference": "{reference}"}),
    ("post", "/api/v1/clinic/checkins/{checked}/undo/", None),
    (
        "post",
        "/api/v1/clinic/walk-ins/",
        {
            "site": "{site}",
            "phone": "13900001111",
            "full_name": "李红",
            "id_number": newcomer_id_number(99),
            "employment_type": "courier",
            "district": "410802",
            "consent": True,
        },
    ),
    (
        "post",
        "/api/v1/clinic/results/",
        {"appointment": "{checked}", "tests": [{"test": "hpv", "value": "HPV_NEG"}]},
    ),
    ("post", "/api/v1/clinic/result-imports/", "multipart"),
    ("get", "/api/v1/clinic/result-imports/{result_import}/", None),
]
ENDPOINT_IDS = [f"{method} {path.split('?')[0]}" for method, path, _body in ENDPOINTS]


def call(client: APIClient, world: World, method: str, path: str, body: Any) -> Any:
    url = world.fill(path)
    if body == "multipart":
        return client.post(url, csv_upload(), format="multipart")
    if body is None:
        return getattr(client, method)(url)
    filled = {
        key: (world.fill(value) if isinstance(value, str) else value)
        for key, value in body.items()
    }
    for key in ("site", "appointment"):
        if key in filled:
            filled[key] = int(filled[key])
    return getattr(client, method)(url, filled, format="json")


def assert_no_data(response: Any, world: World) -> None:
    body = response.content.decode()
    assert world.booked.reference not in body
    assert "5678" not in body
    assert "张" not in body


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_own_site_clinic_staff_are_let_in(world, method, path, body) -> None:  # type: ignore[no-untyped-def]
    response = call(token_client(world.nurse), world, method, path, body)

    assert response.status_code in (200, 201, 202), response.content


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_program_admins_are_let_in(world, method, path, body) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMIN)

    response = call(token_client(admin), world, method, path, body)

    assert response.status_code in (200, 201, 202), response.content


# Any clinic member may upload a lab file (its rows are matched by reference);
# everything else is tied to a site or to its uploader.
SITE_BOUND = [entry for entry in ENDPOINTS if entry[2] != "multipart"]
SITE_BOUND_IDS = [f"{m} {p.split('?')[0]}" for m, p, _b in SITE_BOUND]


@pytest.mark.parametrize(("method", "path", "body"), SITE_BOUND, ids=SITE_BOUND_IDS)
def test_another_sites_staff_get_403_or_404_and_no_data(
    world, method, path, body
) -> None:  # type: ignore[no-untyped-def]
    stranger = clinic_user(SiteFactory())

    response = call(token_client(stranger), world, method, path, body)

    assert response.status_code in (403, 404)
    assert_no_data(response, world)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_union_staff_get_403(world, method, path, body) -> None:  # type: ignore[no-untyped-def]
    union = UserFactory(role=Role.UNION)

    response = call(token_client(union), world, method, path, body)

    assert response.status_code == 403
    assert_no_data(response, world)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_participant_token_gets_401_or_403(world, method, path, body) -> None:  # type: ignore[no-untyped-def]
    woman = world.booked.participant
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + bearer_token(phone=woman.phone, participant=woman)
    )

    response = call(client, world, method, path, body)

    assert response.status_code in (401, 403)
    assert_no_data(response, world)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_nobody_signed_in_gets_401_or_403(world, method, path, body) -> None:  # type: ignore[no-untyped-def]
    response = call(APIClient(), world, method, path, body)

    assert response.status_code in (401, 403)
    assert_no_data(response, world)


PAGES = [
    ("get", "/desk/?site={site}"),
    ("get", "/desk/search/?site={site}"),
    ("get", "/desk/walk-in/?site={site}"),
    ("get", "/desk/appointments/{checked}/results/"),
    ("get", "/desk/missing/?site={site}"),
    ("get", "/desk/follow-up/?site={site}"),
    ("get", "/desk/imports/?site={site}"),
    ("get", "/desk/imports/{result_import}/?site={site}"),
    ("post", "/desk/checkin/?site={site}"),
    ("post", "/desk/checkins/{checked}/undo/?site={site}"),
]
PAGE_IDS = [f"{method} {path.split('?')[0]}" for method, path in PAGES]


def page(client: Client, world: World, method: str, path: str) -> Any:
    url = world.fill(path)
    if method == "post":
        return client.post(url, {"site": world.site.pk, "reference": "ZZZZZZZZ"})
    return client.get(url)


@pytest.mark.parametrize(("method", "path"), PAGES, ids=PAGE_IDS)
def test_own_site_clinic_staff_reach_every_desk_page(
    world, client, method, path
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.nurse)

    response = page(client, world, method, path)

    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("method", "path"), PAGES, ids=PAGE_IDS)
def test_another_sites_staff_get_403_on_every_desk_page(
    world, client, method, path
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(clinic_user(SiteFactory()))

    response = page(client, world, method, path)

    assert response.status_code in (403, 404)
    assert_no_data(response, world)


@pytest.mark.parametrize(("method", "path"), PAGES, ids=PAGE_IDS)
def test_union_staff_get_403_on_every_desk_page(world, client, method, path) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(role=Role.UNION))

    response = page(client, world, method, path)

    assert response.status_code == 403
    assert_no_data(response, world)


@pytest.mark.parametrize(("method", "path"), PAGES, ids=PAGE_IDS)
def test_signed_out_visitors_are_sent_to_the_staff_login(
    world, client, method, path
) -> None:  # type: ignore[no-untyped-def]
    response = page(client, world, method, path)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
