"""Reads of the recall register: next-due dates, deferral and cease."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone

from screening.models import FollowUpCase, Result, SummaryRule
from screening.recall.intervals import Interval, due_on
from screening.recall.models import CampaignRecall, Cease, Deferral, RecallInterval

DEFAULT_BREAST_MONTHS = 24


@dataclass(frozen=True)
class NextDue:
    test: str
    due_on: date | None
    visit_day: date
    code: str


@dataclass
class RegisterRow:
    participant_id: int
    next_due: list[NextDue] = field(default_factory=list)
    deferred_until: date | None = None
    ceased: list[str] = field(default_factory=list)

    @property
    def earliest(self) -> date | None:
        dates = [d.due_on for d in self.next_due if d.due_on is not None]
        return min(dates) if dates else None


def _rank(rule: SummaryRule) -> tuple[int, bool, int]:
    # The choice of screening.results.summaries: most severe, urgent, soonest.
    days = rule.follow_up_days if rule.follow_up_days is not None else 10**6
    return (rule.severity, rule.urgent, -days)


def matched_rule(
    *, test: str, code: str, results: dict[str, str], rules: list[SummaryRule]
) -> SummaryRule | None:
    """The rule a result was summarised by (the same choice as the summary)."""
    candidates = [r for r in rules if r.active and r.test == test and r.code == code]
    combined = [
        r
        for r in candidates
        if r.requires_test and results.get(r.requires_test) in (r.requires_codes or [])
    ]
    chosen = combined or [r for r in candidates if not r.requires_test]
    return max(chosen, key=_rank) if chosen else None


class _Tables:
    """The rules and intervals, read once for a whole register."""

    def __init__(self) -> None:
        self.rules = list(SummaryRule.objects.all())
        self.intervals = {
            i.rule_id: Interval(i.kind, i.months) for i in RecallInterval.objects.all()
        }
        self.breast = dict(
            CampaignRecall.objects.values_list("campaign_id", "breast_interval_months")
        )


def _visits_results(participant_ids: list[int] | None) -> dict[int, dict]:
    """participant -> visit id -> (day, campaign, {test: code}), current only."""
    rows = Result.objects.filter(is_current=True, visit__undone_at__isnull=True)
    if participant_ids is not None:
        rows = rows.filter(visit__participant_id__in=participant_ids)
    found: dict[int, dict] = defaultdict(dict)
    for pid, vid, day, campaign, test, code in rows.values_list(
        "visit__participant_id",
        "visit_id",
        "visit__day",
        "visit__campaign_id",
        "test",
        "value",
    ).iterator(chunk_size=5000):
        found[pid].setdefault(vid, (day, campaign, {}))[2][test] = code
    return found


def _closed_on(visit_ids: set[int]) -> dict[int, date]:
    cases = FollowUpCase.objects.filter(
        visit_id__in=visit_ids, closed_at__isnull=False, status="CLOSED"
    )
    return {
        v: timezone.localdate(c) for v, c in cases.values_list("visit_id", "closed_at")
    }


def _next_due(visits: dict, tables: _Tables, closed: dict[int, date]) -> list[NextDue]:
    latest: dict[str, NextDue] = {}
    # Oldest visit first, so the latest result of each test is the one kept.
    for vid, (day, campaign, results) in sorted(
        visits.items(), key=lambda kv: (kv[1][0], kv[0])
    ):
        for test, code in results.items():
            rule = matched_rule(
                test=test, code=code, results=results, rules=tables.rules
            )
            interval = tables.intervals.get(rule.pk) if rule else None
            when = due_on(
                visit_day=day,
                interval=interval or Interval(""),
                campaign_breast_months=tables.breast.get(
                    campaign, DEFAULT_BREAST_MONTHS
                ),
                follow_up_closed_on=closed.get(vid),
            )
            latest[test] = NextDue(test=test, due_on=when, visit_day=day, code=code)
    return sorted(latest.values(), key=lambda d: d.test)


def deferred_until(*, participant_id: int, today: date) -> date | None:
    """The end of her live deferral, if any."""
    ends = Deferral.objects.filter(
        participant_id=participant_id, withdrawn_at__isnull=True, ends_on__gt=today
    ).values_list("ends_on", flat=True)
    return max(ends, default=None)


def ceased_scopes(*, participant_id: int, today: date) -> list[str]:
    """What she is no longer invited to ("cervix", "breast", "all")."""
    return sorted(
        set(
            Cease.objects.filter(
                participant_id=participant_id, withdrawn_at__isnull=True
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
            .values_list("scope", flat=True)
        )
    )


def next_due_for_participant(*, participant_id: int) -> list[NextDue]:
    visits = _visits_results([participant_id]).get(participant_id, {})
    return _next_due(visits, _Tables(), _closed_on(set(visits)))


def next_due_register(
    *, today: date, due_by: date | None = None
) -> Iterator[RegisterRow]:
    """Every screened woman with her next-due date per test, her deferral and
    what she ceased; `due_by` keeps those with a date on or before it."""
    found = _visits_results(None)
    tables = _Tables()
    closed = _closed_on({vid for visits in found.values() for vid in visits})
    deferrals: dict[int, date] = {}
    for pid, ends in Deferral.objects.filter(
        withdrawn_at__isnull=True, ends_on__gt=today
    ).values_list("participant_id", "ends_on"):
        deferrals[pid] = max(ends, deferrals.get(pid, ends))
    ceases: dict[int, list[str]] = defaultdict(list)
    for pid, scope in (
        Cease.objects.filter(withdrawn_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        .values_list("participant_id", "scope")
    ):
        ceases[pid].append(scope)
    for pid in sorted(found):
        row = RegisterRow(
            participant_id=pid,
            next_due=_next_due(found[pid], tables, closed),
            deferred_until=deferrals.get(pid),
            ceased=sorted(ceases.get(pid, [])),
        )
        if due_by is None or (row.earliest is not None and row.earliest <= due_by):
            yield row
