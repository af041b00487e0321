"""Every indicator of DOMAIN §1.6 against the hand-computed fixture."""

import pytest

from indicators.report import indicator_report
from tests.indicators.fixture import EXPECTED, build

pytestmark = pytest.mark.django_db


def by_code(figures):  # type: ignore[no-untyped-def]
    return {f.code: f for f in figures}


def test_every_indicator_matches_its_hand_computed_numerator_denominator_and_value():
    built = build()
    report = indicator_report(campaign=built.campaign, exact=True)
    got = by_code(report.total)
    assert set(got) == set(EXPECTED)
    for code, (numerator, denominator, value) in EXPECTED.items():
        figure = got[code]
        assert (figure.numerator, figure.denominator) == (numerator, denominator), code
        assert figure.value == pytest.approx(value), code
        assert not figure.suppressed


def test_a_woman_with_two_visits_counts_once_in_every_measure():
    built = build()
    got = by_code(indicator_report(campaign=built.campaign, exact=True).total)
    # W5 has two HPV results (negative, then 16/18): one tested, one positive.
    assert got["screened"].numerator == 5
    assert got["hpv_positivity"].denominator == 4


def test_a_clinic_leads_sites_give_their_own_exact_counts_and_no_target():
    built = build()
    report = indicator_report(
        campaign=built.campaign, exact=True, site_ids=[built.site_a.pk]
    )
    got = by_code(report.total)
    assert got["screened"].numerator == 3  # W1, W2, W5
    assert (got["hpv_positivity"].numerator, got["hpv_positivity"].denominator) == (
        2,
        3,
    )
    # The target population is the campaign's, not a site's: no coverage per site.
    assert got["coverage"].denominator is None
    assert got["coverage"].value is None


def test_occupation_groups_partition_the_women():
    built = build()
    report = indicator_report(
        campaign=built.campaign, exact=True, group_by="occupation"
    )
    screened = {g: by_code(f)["screened"].numerator for g, f in report.groups.items()}
    assert screened == {"courier": 3, "food_delivery": 2}


def test_a_date_range_counts_the_women_seen_in_it():
    built = build()
    from datetime import date

    report = indicator_report(
        campaign=built.campaign, exact=True, date_from=date(2026, 4, 1)
    )
    got = by_code(report.total)
    assert got["screened"].numerator == 1  # W5's second visit
    assert got["hpv_positivity"].numerator == 1


def test_an_edited_definition_changes_the_name_shown_and_a_hidden_one_goes():
    from indicators.models import IndicatorDefinition

    built = build()
    IndicatorDefinition.objects.filter(code="turnout").update(name_zh="到检率(改)")
    IndicatorDefinition.objects.filter(code="no_show").update(active=False)
    got = by_code(indicator_report(campaign=built.campaign, exact=True).total)
    assert got["turnout"].name in ("到检率(改)", "Turnout")
    assert "no_show" not in got
