"""The PostgreSQL bits fold gives the same atoms as the row-by-row fold that
SQLite runs, on the hand-computed fixture and on records it does not cover."""

from datetime import date

import pytest

from indicators import bitmask
from indicators.counting import (
    Scope,
    _booking_sql,
    _gather,
    _visit_sql,
    count_atoms,
)
from indicators.measures import BOOKING_MEASURES, VISIT_MEASURES
from indicators.quarterly import _counts_at_once, _one_period, parse_periods
from indicators.report import _born_between
from screening.models import Result
from tests.indicators.fixture import build, visit, woman

pytestmark = pytest.mark.django_db


def row_by_row(scope: Scope, born_from: date, born_to: date) -> dict:
    atoms: dict = {}
    params = {"campaign": scope.campaign_id, "born_from": born_from, "born_to": born_to}
    _gather(atoms, _visit_sql(scope, params), params, list(VISIT_MEASURES))
    params = {"campaign": scope.campaign_id}
    _gather(atoms, _booking_sql(scope, params), params, list(BOOKING_MEASURES))
    return atoms


def test_the_bits_fold_counts_what_the_row_by_row_fold_counts():
    built = build()
    c = built.campaign
    # A value the table of codes does not know, on a visit with no summary yet.
    odd = visit(woman(41, "courier"), c, built.site_a, date(2026, 4, 2))
    Result.objects.create(visit=odd, test="hpv", value="HPV_16_18_POS", source="desk")
    Result.objects.filter(visit=odd).update(value="HPV_NOT_A_CODE")
    born = _born_between(c)
    for scope in (
        Scope(c.pk),
        Scope(c.pk, date(2026, 4, 1), date(2026, 6, 30)),
        Scope(c.pk, site_ids=[built.site_a.pk]),
    ):
        assert count_atoms(scope, born_from=born[0], born_to=born[1]) == row_by_row(
            scope, *born
        )


def test_the_quarterly_columns_in_one_query_equal_each_column_counted_alone():
    built = build()
    born = _born_between(built.campaign)
    for spec in ("2026", "2026Q2"):
        _name, periods = parse_periods(spec)
        alone = [_one_period(built.campaign, p, None, *born) for p in periods]
        assert _counts_at_once(built.campaign, periods, None, *born) == alone


def test_every_visit_measure_has_its_own_bit():
    bits = list(bitmask.BIT.values())
    assert len(set(bits)) == len(VISIT_MEASURES)
    assert max(bits) < 1 << 62
