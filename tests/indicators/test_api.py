"""Who sees what through the reporting API: clinic leads their sites exactly, the
union the whole campaign under suppression, bad input a 4xx with a code."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from common.models import AuditEvent
from indicators.models import CampaignTarget
from tests.accounts.factories import UserFactory
from tests.indicators.fixture import build

pytestmark = pytest.mark.django_db
INDICATORS = "/api/v1/reports/indicators/"
QUARTERLY = "/api/v1/reports/quarterly/"
QUARTERLY_XLSX = "/api/v1/reports/quarterly.xlsx"
RECONCILIATION = "/api/v1/reports/reconciliation.xlsx"


def client_for(role, site=None):  # type: ignore[no-untyped-def]
    user = UserFactory(role=role)
    if site is not None:
        site.staff.add(user)
    client = APIClient()
    client.force_authenticate(user)
    return client


def by_code(body):  # type: ignore[no-untyped-def]
    return {i["code"]: i for i in body["indicators"]}


def test_a_clinic_lead_sees_her_sites_exact_counts_only():
    built = build()
    lead = client_for(Role.CLINIC, built.site_a)
    body = lead.get(INDICATORS, {"campaign": built.campaign.pk}).json()
    assert body["exact"] is True
    got = by_code(body)
    assert got["screened"]["numerator"] == 3
    assert got["hpv_positivity"]["numerator_definition"]
    other = lead.get(
        INDICATORS, {"campaign": built.campaign.pk, "site": built.site_b.pk}
    )
    assert other.status_code == 403
    assert other.json()["code"] == "site_not_yours"


def test_the_union_sees_every_small_count_suppressed_and_the_target_as_entered():
    built = build()
    union = client_for(Role.UNION)
    body = union.get(INDICATORS, {"campaign": built.campaign.pk}).json()
    assert body["exact"] is False
    assert body["threshold"] == 10
    got = by_code(body)
    assert got["target_population"]["numerator"] == 20
    for code in ("screened", "hpv_positivity", "treatment", "knowledge_awareness"):
        assert got[code]["suppressed"] is True, code
        assert got[code]["value"] is None
    # A true zero is published: it reveals nobody.
    assert got["cervical_cancer_detection"]["numerator"] == 0


def test_every_count_the_union_sees_is_a_multiple_of_ten():
    built = build()
    CampaignTarget.objects.filter(campaign=built.campaign).update(target_population=500)
    from tests.indicators.crowd import add_screened_women

    add_screened_women(built, 37)
    union = client_for(Role.UNION)
    for group_by in ("", "site", "occupation"):
        body = union.get(
            INDICATORS, {"campaign": built.campaign.pk, "group_by": group_by}
        ).json()
        rows = [body["indicators"], *[g["indicators"] for g in body["groups"]]]
        for row in rows:
            for item in row:
                if item["code"] == "target_population" or item["suppressed"]:
                    continue
                for side in ("numerator", "denominator"):
                    if item[side] is not None and item["denominator"] != 500:
                        assert item[side] % 10 == 0, (group_by, item)


def test_the_union_may_not_ask_for_one_site_nor_the_hospitals_files():
    built = build()
    union = client_for(Role.UNION)
    q = {"campaign": built.campaign.pk, "site": built.site_a.pk}
    assert union.get(INDICATORS, q).status_code == 403
    q = {"campaign": built.campaign.pk, "quarter": "2026Q1"}
    assert union.get(QUARTERLY_XLSX, q).status_code == 403
    assert union.get(RECONCILIATION, {"campaign": built.campaign.pk}).status_code == 403


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({}, "campaign_required"),
        ({"campaign": "x"}, "campaign_not_found"),
        ({"campaign": "{c}", "group_by": "district"}, "invalid_group_by"),
        ({"campaign": "{c}", "from": "2026-13-01"}, "invalid_date_range"),
        ({"campaign": "{c}", "site": "A"}, "invalid_site"),
    ],
)
def test_bad_input_is_a_4xx_with_a_code(query, code):
    built = build()
    admin = client_for(Role.ADMIN)
    query = {k: v.format(c=built.campaign.pk) for k, v in query.items()}
    response = admin.get(INDICATORS, query)
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == code


def test_signed_out_and_participants_get_nothing():
    built = build()
    assert APIClient().get(INDICATORS, {"campaign": built.campaign.pk}).status_code in (
        401,
        403,
    )


def test_the_quarterly_xlsx_is_exported_and_audited_when_its_checks_pass():
    built = build()
    lead = client_for(Role.CLINIC, built.site_a)
    response = lead.get(
        QUARTERLY_XLSX, {"campaign": built.campaign.pk, "quarter": "2026Q1"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "季报表" in book.sheetnames
    assert AuditEvent.objects.filter(action="report.exported").count() == 1


def test_a_failing_check_stops_the_export_and_lists_the_failures():
    built = build()
    CampaignTarget.objects.filter(campaign=built.campaign).update(target_population=2)
    admin = client_for(Role.ADMIN)
    q = {"campaign": built.campaign.pk, "quarter": "2026Q1"}
    response = admin.get(QUARTERLY_XLSX, q)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "quarterly_checks_failed"
    assert {f["check"] for f in body["failures"]} == {"target_ge_screened"}
    assert admin.get(QUARTERLY, q).json()["failures"]
    bad = admin.get(QUARTERLY_XLSX, {**q, "quarter": "2026Q9"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_quarter"


def test_the_reconciliation_xlsx_is_the_clinics_own_sites():
    built = build()
    lead = client_for(Role.CLINIC, built.site_b)
    response = lead.get(
        RECONCILIATION, {"campaign": built.campaign.pk, "month": "2026-03"}
    )
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert {r[0] for r in rows[2:-1]} == {built.site_b.name}
    bad = lead.get(RECONCILIATION, {"campaign": built.campaign.pk, "month": "03/2026"})
    assert bad.json()["code"] == "invalid_month"
