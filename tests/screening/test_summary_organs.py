"""Her summary speaks once per organ, and every step she must take has a date.

The generated test walks every combination of the seeded codes (each test
absent or one of its codes) through the rules table."""

import itertools
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from screening.models import Conclusion, ResultCode, SummaryRule
from screening.results.organs import NEEDS_STEP, organ_of
from screening.results.summaries import rule_findings, summary_fields
from screening.services import summary_compute
from tests.privacy.support import sign_in_page
from tests.screening.result_factories import VisitFactory, record

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 1)


def _combinations() -> list[dict[str, str]]:
    codes: dict[str, list[str | None]] = {}
    for test, code in ResultCode.objects.filter(active=True).values_list(
        "test", "code"
    ):
        codes.setdefault(test, [None]).append(code)
    tests = sorted(codes)
    combos = []
    for values in itertools.product(*(codes[test] for test in tests)):
        results = {t: v for t, v in zip(tests, values, strict=True) if v is not None}
        if results:
            combos.append(results)
    return combos


def test_every_code_combination_gives_one_conclusion_per_organ_and_dated_steps() -> (
    None
):
    rules = list(SummaryRule.objects.filter(active=True))
    normal_texts = {
        rule.text_zh.strip() for rule in rules if rule.conclusion == Conclusion.NORMAL
    }
    combos = _combinations()
    assert len(combos) > 10_000

    for results in combos:
        fields = summary_fields(results=results, rules=rules, day=DAY)
        organs = [message["organ"] for message in fields.organs]
        assert len(organs) == len(set(organs)), results
        assert set(organs) == {organ_of(test) for test in results}, results
        by_organ = {message["organ"]: message for message in fields.organs}
        for message in fields.organs:
            # One conclusion, one text: a non-normal organ never also reads normal.
            if message["conclusion"] != Conclusion.NORMAL:
                assert message["text_zh"] not in normal_texts, results
            assert "\n\n" not in message["text_zh"], results
        for finding in rule_findings(results=results, rules=rules):
            if finding.conclusion not in NEEDS_STEP:
                continue
            steps = by_organ[organ_of(finding.test)]["steps"]
            due = (DAY + timedelta(days=finding.follow_up_days)).isoformat()  # type: ignore[operator]
            assert any(
                step["action_zh"] == finding.action_zh
                and step["due_on"] is not None
                and step["due_on"] <= due
                for step in steps
            ), (results, finding.test)
        assert fields.severity == max(
            f.severity for f in rule_findings(results=results, rules=rules)
        )


def test_hpv_other_type_nilm_and_birads_3_speak_once_per_organ_with_both_dates() -> (
    None
):
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_OTHER_POS", cytology="NILM", breast_ultrasound="BIRADS_3")

    summary = summary_compute(visit_id=visit.pk)

    assert summary is not None
    cervix, breast = summary.organs
    assert cervix["organ"] == "cervix"
    assert cervix["conclusion"] == "RECALL"
    assert "未发现异常" not in cervix["text_zh"]
    assert [s["due_on"] for s in cervix["steps"]] == [
        (DAY + timedelta(days=365)).isoformat()
    ]
    assert "HPV" in cervix["steps"][0]["action_zh"]
    assert breast["organ"] == "breast"
    assert [s["due_on"] for s in breast["steps"]] == [
        (DAY + timedelta(days=180)).isoformat()
    ]
    assert "No abnormality found in this cervical screening" not in summary.text_en


def test_her_results_page_shows_each_organ_once_with_its_dated_step(
    client: Client,
) -> None:
    visit = VisitFactory(day=DAY)
    record(visit, hpv="HPV_OTHER_POS", cytology="NILM", breast_ultrasound="BIRADS_3")
    summary_compute(visit_id=visit.pk)
    sign_in_page(client, visit.participant)

    page = client.get("/my/results/").content.decode()

    assert page.count('data-organ="cervix"') == 1
    assert page.count('data-organ="breast"') == 1
    assert page.count("<h3>宫颈 · ") == 1
    assert page.count("<h3>乳腺 · ") == 1
    assert "本次宫颈癌筛查未发现异常" not in page
    assert "约12个月后复查HPV" in page
    assert "请在2031年3月1日前完成" in page
    assert "请在2030年8月28日前完成" in page


def test_a_rule_that_asks_her_to_act_must_say_by_when() -> None:
    rule = SummaryRule.objects.filter(conclusion=Conclusion.RECALL).first()
    assert rule is not None
    rule.follow_up_days = None

    with pytest.raises(ValidationError) as refused:
        rule.full_clean()

    assert "follow_up_days" in refused.value.message_dict


def test_the_seeded_rules_date_every_step_they_ask_for() -> None:
    undated = SummaryRule.objects.filter(
        conclusion__in=list(NEEDS_STEP), follow_up_days__isnull=True
    )
    assert not undated.exists()
