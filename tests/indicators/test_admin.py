"""What program admins edit: definitions' words (not their measures), targets,
prices and quiz questions; a version once answered is frozen; takes are not shown."""

import pytest
from django.test import Client

from indicators.models import IndicatorDefinition, QuizVersion
from tests.accounts.factories import program_admin
from tests.indicators.fixture import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(program_admin())
    return client


def test_admins_read_every_definition_and_may_not_change_what_it_counts(admin_client):
    listing = admin_client.get("/admin/indicators/indicatordefinition/")
    assert listing.status_code == 200
    assert "HPV阳性率" in listing.content.decode()
    d = IndicatorDefinition.objects.get(code="hpv_positivity")
    page = admin_client.get(f"/admin/indicators/indicatordefinition/{d.pk}/change/")
    assert page.status_code == 200
    assert 'name="numerator"' not in page.content.decode()
    assert 'name="name_zh"' in page.content.decode()
    assert (
        admin_client.get("/admin/indicators/indicatordefinition/add/").status_code
        == 403
    )


def test_admins_enter_a_target_and_prices(admin_client):
    assert admin_client.get("/admin/indicators/campaigntarget/add/").status_code == 200
    assert admin_client.get("/admin/indicators/unitprice/add/").status_code == 200


def test_an_answered_version_is_frozen_and_takes_are_not_in_the_admin(admin_client):
    build()  # W1, W2 and W4 answered the current version
    version = QuizVersion.objects.get(is_current=True)
    page = admin_client.get(f"/admin/indicators/quizversion/{version.pk}/change/")
    assert page.status_code == 200
    assert 'name="title_zh"' not in page.content.decode()
    question = version.questions.first()
    frozen = admin_client.post(
        f"/admin/indicators/quizquestion/{question.pk}/change/", {"text_zh": "改"}
    )
    assert frozen.status_code == 403
    assert admin_client.get("/admin/indicators/quiztake/").status_code == 404
