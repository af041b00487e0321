"""Funding reconciliation against the hand-computed fixture."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators.reconciliation import InvalidMonth, reconciliation_lines
from indicators.xlsx import reconciliation_xlsx
from tests.indicators.fixture import build

pytestmark = pytest.mark.django_db


def table(lines):  # type: ignore[no-untyped-def]
    return {
        (x.site, x.month, x.item): (x.done, x.unreadable, x.rejected, x.amount)
        for x in lines
    }


def test_tests_done_per_site_item_and_month_are_priced_and_unreadable_ones_kept_apart():
    built = build()
    a, b = built.site_a.name, built.site_b.name
    got = table(reconciliation_lines(campaign=built.campaign))
    assert got == {
        # Site A, March: W1, W2, W5's first visit.
        (a, "2026-03", "hpv"): (3, 0, 0, Decimal("450.00")),
        (a, "2026-03", "cytology"): (2, 0, 0, Decimal("240.00")),
        (a, "2026-03", "cbe"): (1, 0, 0, Decimal("20.00")),
        (a, "2026-03", "breast_ultrasound"): (1, 0, 0, Decimal("80.00")),
        # W5 again in April.
        (a, "2026-04", "hpv"): (1, 0, 0, Decimal("150.00")),
        # Site B: W3 read; W4's HPV invalid (and its tube rejected), cytology UNSAT.
        (b, "2026-03", "hpv"): (1, 1, 1, Decimal("150.00")),
        (b, "2026-03", "cytology"): (1, 1, 0, Decimal("120.00")),
        (b, "2026-03", "breast_ultrasound"): (1, 0, 0, Decimal("80.00")),
    }


def test_one_month_and_one_clinics_sites_narrow_the_lines():
    built = build()
    lines = reconciliation_lines(
        campaign=built.campaign, month="2026-04", site_ids=[built.site_a.pk]
    )
    assert [(x.item, x.done) for x in lines] == [("hpv", 1)]
    assert (
        reconciliation_lines(
            campaign=built.campaign, month="2026-04", site_ids=[built.site_b.pk]
        )
        == []
    )


def test_an_item_without_a_price_is_counted_but_not_priced():
    from indicators.models import UnitPrice

    built = build()
    UnitPrice.objects.filter(campaign=built.campaign, item="cbe").delete()
    cbe = [x for x in reconciliation_lines(campaign=built.campaign) if x.item == "cbe"]
    assert [(x.done, x.amount) for x in cbe] == [(1, None)]


def test_the_xlsx_totals_match_the_lines():
    built = build()
    lines = reconciliation_lines(campaign=built.campaign)
    book = load_workbook(io.BytesIO(reconciliation_xlsx(lines, title="核算")))
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    total = rows[-1]
    assert total[0] == "合计 Total"
    assert total[3] == 11
    assert Decimal(str(total[5])) == Decimal("1290")
    assert (total[6], total[7]) == (2, 1)


@pytest.mark.parametrize("raw", ["2026-13", "2026-3", "March", "2026-03-01"])
def test_a_malformed_month_is_refused(raw):
    with pytest.raises(InvalidMonth):
        reconciliation_lines(campaign=build().campaign, month=raw)
