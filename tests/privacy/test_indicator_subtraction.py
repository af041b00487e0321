"""The union's indicators pass the turnout report's subtraction tests: no nested
pair of ranges, no pair of breakdowns and no pair of reports (indicators against
outcomes) gives back a count from 1 to 9 that suppression hides.

The fixture is the hand-computed campaign of tests/indicators plus 37 women over
five days, so that some counts are published and small cells sit beside them.
The same attacks on the exact figures do recover counts: the test has teeth.
"""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from common.suppression import OUTCOME_THRESHOLD
from indicators.report import indicator_report
from tests.accounts.factories import UserFactory
from tests.indicators.crowd import add_screened_women
from tests.indicators.fixture import DAY1, build
from tests.privacy import report_attacks as attacks

pytestmark = pytest.mark.django_db
INDICATORS = "/api/v1/reports/indicators/"
OUTCOMES = "/api/v1/reports/outcomes/"
FIRST, LAST = DAY1, DAY1 + timedelta(days=4)
GROUP_BYS = (None, "site", "occupation")


def figures_of(rows: dict[str, list[dict]]) -> attacks.Figures:
    out: attacks.Figures = {}
    for key, items in rows.items():
        for item in items:
            if item["code"] == "target_population":
                continue  # entered by an admin, not a count of women
            for side in ("numerator", "denominator"):
                if item.get(side) is not None or item["suppressed"]:
                    out[(key, f"{item['code']}.{side}")] = item[side]
    return out


def union_figures(client: APIClient, campaign, group_by, span) -> attacks.Figures:  # type: ignore[no-untyped-def]
    q = {"campaign": campaign.pk, **({"group_by": group_by} if group_by else {})}
    if span[0]:
        q["from"] = span[0].isoformat()
    if span[1]:
        q["to"] = span[1].isoformat()
    body = client.get(INDICATORS, q).json()
    rows = {"total": body["indicators"]}
    rows.update({g["key"]: g["indicators"] for g in body["groups"]})
    return figures_of(rows)


def truth_of(campaign, group_by, span) -> dict:  # type: ignore[no-untyped-def]
    report = indicator_report(
        campaign=campaign,
        exact=True,
        date_from=span[0],
        date_to=span[1],
        group_by=group_by,
    )
    rows = {"total": [f.__dict__ for f in report.total]}
    rows.update({k: [f.__dict__ for f in v] for k, v in report.groups.items()})
    return {k: v or 0 for k, v in figures_of(rows).items()}


@pytest.fixture
def campaign():  # type: ignore[no-untyped-def]
    built = build()
    add_screened_women(built, 37)
    return built.campaign


@pytest.fixture
def union() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.UNION))
    return client


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_no_nested_pair_of_ranges_gives_back_a_hidden_indicator_count(
    campaign, union, group_by
):  # type: ignore[no-untyped-def]
    ranges = attacks.window_ranges(FIRST, LAST)
    shown = {s: union_figures(union, campaign, group_by, s) for s in ranges}
    truth = {s: truth_of(campaign, group_by, s) for s in ranges}
    found, exact_found = [], []
    for big, small in attacks.nested_pairs(ranges):
        args = {"threshold": OUTCOME_THRESHOLD, "label": f"{big} minus {small}"}
        found += attacks.subtract(
            "nested", shown[big], shown[small], truth[big], truth[small], **args
        )
        exact_found += attacks.subtract(
            "nested, exact", truth[big], truth[small], truth[big], truth[small], **args
        )
    assert not found, found[:5]
    assert exact_found, "the fixture has no small cells to protect"


def test_no_pair_of_breakdowns_gives_back_a_hidden_count(campaign, union):  # type: ignore[no-untyped-def]
    span = (None, None)
    found = []
    for a in GROUP_BYS:
        for b in GROUP_BYS:
            if a == b:
                continue
            found += attacks.subtract(
                f"{a} against {b}",
                union_figures(union, campaign, a, span),
                union_figures(union, campaign, b, span),
                truth_of(campaign, a, span),
                truth_of(campaign, b, span),
                threshold=OUTCOME_THRESHOLD,
                label="totals",
            )
    assert not found, found[:5]


def test_indicators_against_the_outcomes_report_give_back_nothing_hidden(
    campaign, union
):  # type: ignore[no-untyped-def]
    found = []
    for span in attacks.window_ranges(FIRST, LAST):
        mine = union_figures(union, campaign, None, span)
        q = {"campaign": campaign.pk}
        if span[0]:
            q["from"] = span[0].isoformat()
        if span[1]:
            q["to"] = span[1].isoformat()
        outcomes = union.get(OUTCOMES, q).json()["counts"]
        truth = truth_of(campaign, None, span)
        theirs = outcomes["screened"]["value"]
        ours = mine.get(("total", "screened.numerator"))
        hidden = truth[("total", "screened.numerator")]
        if theirs is not None and ours is not None and 0 < abs(ours - theirs) < 10:
            found.append((span, ours, theirs, hidden))
    assert not found
