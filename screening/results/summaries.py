"""From a visit's current results to her summary (DOMAIN §1.4, §5.2).

The meaning of each code lives in the SummaryRule table, which the hospital's
clinicians edit; this module only picks the rules that apply and the most
severe of them.
"""

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from screening.models import (
    Conclusion,
    Consent,
    ConsentPurpose,
    Result,
    ResultSummary,
    SummaryRule,
    Visit,
)
from screening.results.follow_up import follow_up_sync
from screening.results.organs import Finding, organ_messages
from screening.results.review_window import result_ready_hold

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleOutcome:
    conclusion: str
    severity: int
    urgent: bool
    action_zh: str
    action_en: str
    text_zh: str
    text_en: str
    follow_up_days: int | None


# A code without an active rule (a new code, a rule switched off) must never
# read as "normal": the clinic explains it.
NO_RULE = RuleOutcome(
    conclusion=Conclusion.REFER,
    severity=30,
    urgent=False,
    action_zh="请联系筛查机构了解结果",
    action_en="Contact the clinic about this result",
    text_zh="您的一项检查结果需要由医生向您解释,工作人员会与您联系。",
    text_en="A doctor needs to explain one of your results. The clinic will "
    "contact you.",
    follow_up_days=30,
)


def _outcome(rule: SummaryRule) -> RuleOutcome:
    return RuleOutcome(
        conclusion=rule.conclusion,
        severity=rule.severity,
        urgent=rule.urgent,
        action_zh=rule.action_zh,
        action_en=rule.action_en,
        text_zh=rule.text_zh,
        text_en=rule.text_en,
        follow_up_days=rule.follow_up_days,
    )


def _rank(outcome: RuleOutcome) -> tuple[int, bool, int]:
    # Most severe first; then urgent; then the sooner follow-up.
    days = outcome.follow_up_days if outcome.follow_up_days is not None else 10**6
    return (outcome.severity, outcome.urgent, -days)


def rules_apply(
    *, results: dict[str, str], rules: list[SummaryRule]
) -> list[RuleOutcome]:
    """The outcome of each result: its combination rule if the visit's other
    results satisfy one, else its plain rule, else NO_RULE."""
    outcomes: list[RuleOutcome] = []
    for test, value in results.items():
        candidates = [
            r for r in rules if r.active and r.test == test and r.code == value
        ]
        combined = [
            r
            for r in candidates
            if r.requires_test
            and results.get(r.requires_test) in (r.requires_codes or [])
        ]
        plain = [r for r in candidates if not r.requires_test]
        chosen = combined or plain
        if not chosen:
            logger.warning("summaries.rule_missing test=%s", test)
            outcomes.append(NO_RULE)
            continue
        outcomes.append(max((_outcome(r) for r in chosen), key=_rank))
    return outcomes


@dataclass(frozen=True)
class SummaryFields:
    conclusion: str
    severity: int
    urgent: bool
    action_zh: str
    action_en: str
    text_zh: str
    text_en: str
    follow_up_days: int | None
    organs: list[dict[str, Any]]


def rule_findings(
    *, results: dict[str, str], rules: list[SummaryRule]
) -> list[Finding]:
    """Each result's outcome, with the test it came from (in the results' order)."""
    outcomes = rules_apply(results=results, rules=rules)
    return [
        Finding(test=test, **asdict(outcome))
        for test, outcome in zip(results, outcomes, strict=True)
    ]


def summary_fields(
    *, results: dict[str, str], rules: list[SummaryRule], day: date
) -> SummaryFields:
    """The visit's overall conclusion (the most severe of all, which the
    follow-up case and the reports count) and one message per organ."""
    findings = rule_findings(results=results, rules=rules)
    top = max(findings, key=lambda f: f.rank)
    organs = organ_messages(findings, day=day)
    return SummaryFields(
        conclusion=top.conclusion,
        severity=top.severity,
        urgent=any(f.urgent for f in findings if f.conclusion == top.conclusion),
        action_zh=top.action_zh,
        action_en=top.action_en,
        # One paragraph per organ: older readers of the text see no contradiction.
        text_zh="\n\n".join(o["text_zh"] for o in organs if o["text_zh"]),
        text_en="\n\n".join(o["text_en"] for o in organs if o["text_en"]),
        follow_up_days=top.follow_up_days,
        organs=organs,
    )


def _may_message(visit: Visit) -> bool:
    participant = visit.participant
    if participant.anonymised_at is not None:
        return False
    return Consent.objects.filter(
        participant=participant,
        purpose=ConsentPurpose.HEALTH_DATA,
        withdrawn_at__isnull=True,
    ).exists()


def _summary_values(visit: Visit, results: dict[str, str]) -> dict[str, Any]:
    """What her summary says, from the active rules for her current results."""
    rules = list(
        SummaryRule.objects.filter(active=True, code__in=set(results.values()))
    )
    fields = summary_fields(results=results, rules=rules, day=visit.day)
    due_on = (
        visit.day + timedelta(days=fields.follow_up_days)
        if fields.follow_up_days is not None
        else None
    )
    return {
        "conclusion": fields.conclusion,
        "severity": fields.severity,
        "urgent": fields.urgent,
        "action_zh": fields.action_zh,
        "action_en": fields.action_en,
        "text_zh": fields.text_zh,
        "text_en": fields.text_en,
        "follow_up_due_on": due_on,
        "organs": fields.organs,
    }


def _summary_written(
    visit: Visit, results: dict[str, str], *, now: datetime
) -> tuple[ResultSummary, bool]:
    """The visit's summary saved, and whether what she sees changed (a change
    bumps `version`; otherwise only `computed_at` moves)."""
    values = _summary_values(visit, results)
    fingerprint = hashlib.sha256(
        json.dumps(values, sort_keys=True, default=str).encode()
    ).hexdigest()
    summary = ResultSummary.objects.filter(visit=visit).first()
    if summary is not None and summary.fingerprint == fingerprint:
        summary.computed_at = now
        summary.save(update_fields=["computed_at"])
        return summary, False
    if summary is None:
        summary = ResultSummary(visit=visit, version=1)
    else:
        summary.version += 1
    for name, value in values.items():
        setattr(summary, name, value)
    summary.fingerprint = fingerprint
    summary.computed_at = now
    summary.save()
    return summary, True


def summary_compute(*, visit_id: int) -> ResultSummary | None:
    """Compute (or recompute) the visit's one summary. Idempotent: when nothing
    she would see has changed, nothing is written and no message goes out; a
    change bumps `version`, which keys a new result-ready message. None when
    the visit is gone, undone or has no results yet."""
    with transaction.atomic():
        # One computation per visit at a time, and none beside a recording.
        visit = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("participant", "campaign")
            .filter(pk=visit_id)
            .first()
        )
        if visit is None or visit.undone_at is not None:
            return None
        results = dict(
            Result.objects.filter(visit=visit, is_current=True)
            .order_by("test")
            .values_list("test", "value")
        )
        if not results:
            return None
        summary, changed = _summary_written(visit, results, now=timezone.now())
        if not changed:
            return summary
        if _may_message(visit):
            result_ready_hold(
                visit_id=visit.pk,
                version=summary.version,
                phone=visit.participant.phone,
                participant_id=visit.participant_id,
                now=summary.computed_at,
            )
        follow_up_sync(visit=visit, summary=summary, may_message=_may_message(visit))
    logger.info("summaries.computed visit=%s version=%s", visit.pk, summary.version)
    return summary
