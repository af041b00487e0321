"""The quarterly programme table: every cell of the hand-computed fixture, and
each logic check failing on a column built to break it."""

import io

import pytest
from openpyxl import load_workbook

from indicators.models import CampaignTarget
from indicators.quarterly import (
    InvalidQuarter,
    parse_periods,
    quarterly_table,
    run_checks,
)
from indicators.quarterly_form import CHECKS, ROWS
from indicators.xlsx import quarterly_xlsx
from tests.indicators.fixture import build

pytestmark = pytest.mark.django_db

ZERO = {code: 0 for _s, code, *_r in ROWS}
# Worked out by hand from tests/indicators/fixture.py for the first quarter (all
# in March; W5's April visit belongs to the second).
Q1 = {
    **ZERO,
    "target": 20, "screened": 5, "normal": 2, "tbs": 3, "tbs_abnormal": 1,
    "hpv": 4, "hpv_positive": 2, "hpv_16_18": 1, "colpo_referred": 1,
    "colpo_done": 1, "biopsy": 1, "cin2": 1, "cbe": 1, "us": 2, "us_1": 1,
    "us_4a": 1, "breast_cancer": 1, "breast_in_situ": 1, "surveyed": 3,
    "aware": 1, "partial": 1,
}  # fmt: skip
Q2 = {
    **ZERO,
    "target": 20, "screened": 1, "hpv": 1, "hpv_positive": 1, "hpv_16_18": 1,
    "colpo_referred": 1,
}  # fmt: skip


def test_every_cell_of_the_first_quarter_matches_the_hand_count():
    built = build()
    table = quarterly_table(campaign=built.campaign, quarter="2026Q1")
    assert [p.label for p in table.periods] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026Q1",
    ]
    assert table.columns["2026Q1"] == Q1
    assert table.columns["2026-03"] == Q1
    assert table.columns["2026-01"] == {**ZERO, "target": 20}
    assert table.rates["2026Q1"] == {
        "precancer_per_100k": 25000.0,
        "cervical_cancer_per_100k": 0.0,
        "breast_cancer_per_100k": 50000.0,
    }
    assert table.failures == []


def test_a_year_has_its_quarters_each_counting_its_own_women():
    built = build()
    table = quarterly_table(campaign=built.campaign, quarter="2026")
    assert table.columns["2026Q1"] == Q1
    assert table.columns["2026Q2"] == Q2
    # W5 came in both quarters: once in the year.
    assert table.columns["2026"]["screened"] == 5
    assert table.columns["2026"]["hpv_positive"] == 3


def test_the_xlsx_has_the_forms_rows_and_the_checks_sheet():
    built = build()
    table = quarterly_table(campaign=built.campaign, quarter="2026Q1")
    book = load_workbook(io.BytesIO(quarterly_xlsx(table, unit="全部 All")))
    sheet = book["季报表"]
    rows = {r[1]: r[3:] for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["实查人数"] == (0, 0, 5, 5)
    assert rows["应查人数"] == (20, 20, 20, 20)
    assert rows["CIN2"][-1] == 1
    assert all(
        r[1] == "通过 passed"
        for r in book["逻辑校验"].iter_rows(min_row=2, values_only=True)
    )


@pytest.mark.parametrize("check", CHECKS, ids=[c[0] for c in CHECKS])
def test_each_logic_check_fails_on_a_column_built_to_break_it(check):
    code, larger, smaller, _words = check
    broken = dict(Q1)
    broken[larger] = 0
    broken[smaller[0]] = 1
    failures = run_checks({"2026Q1": broken})
    assert code in {f.check for f in failures}
    assert run_checks({"2026Q1": Q1}) == []


def test_a_target_below_the_women_screened_is_listed_as_a_failure():
    built = build()
    CampaignTarget.objects.filter(campaign=built.campaign).update(target_population=3)
    table = quarterly_table(campaign=built.campaign, quarter="2026Q1")
    assert {(f.check, f.column, f.larger, f.smaller) for f in table.failures} == {
        ("target_ge_screened", "2026-03", 3, 5),
        ("target_ge_screened", "2026Q1", 3, 5),
    }


@pytest.mark.parametrize("raw", ["", "2026Q5", "26Q1", "2026-Q1", "1999", "2026Q1x"])
def test_a_malformed_quarter_is_refused(raw):
    with pytest.raises(InvalidQuarter):
        parse_periods(raw)
