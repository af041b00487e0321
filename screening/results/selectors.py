"""Reads over visits, results, summaries, follow-up and imports."""

from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from screening.errors import ResultImportNotFound
from screening.models import (
    FOLLOW_UP_AWAITING,
    FOLLOW_UP_COMPLETED,
    FOLLOW_UP_ENDED,
    Conclusion,
    ContactAttempt,
    FollowUpCase,
    FollowUpStatus,
    Participant,
    Result,
    ResultCode,
    ResultImport,
    ResultTest,
    Visit,
)
from screening.results.follow_up import CANCER_DIAGNOSES, PRECANCER_DIAGNOSES

HPV_POSITIVE = ("HPV_16_18_POS", "HPV_OTHER_POS")
# DOMAIN §1.6: abnormal cytology is ASC-US or worse.
CYTOLOGY_ABNORMAL = (
    "ASC_US",
    "ASC_H",
    "LSIL",
    "HSIL",
    "SCC",
    "AGC_NOS",
    "AGC_FN",
    "AIS",
    "ADENO",
)
BREAST_IMAGING = (ResultTest.BREAST_ULTRASOUND, ResultTest.MAMMOGRAPHY)
# DOMAIN §1.6 counts BI-RADS 0/3/4/5 as abnormal (confirm with 附件1 ⚠).
BREAST_IMAGING_ABNORMAL = (
    "BIRADS_0",
    "BIRADS_3",
    "BIRADS_4A",
    "BIRADS_4B",
    "BIRADS_4C",
    "BIRADS_5",
)
TEST_ORDER = {test: index for index, test in enumerate(ResultTest.values)}


def visit_for_appointment(*, appointment_id: int) -> Visit | None:
    return Visit.objects.filter(appointment_id=appointment_id).first()


def visits_missing_results(*, site_id: int, day: date) -> QuerySet[Visit]:
    """The day's checked-in visits at a site with no result recorded yet."""
    has_result = Result.objects.filter(visit=OuterRef("pk"), is_current=True)
    return (
        Visit.objects.filter(site_id=site_id, day=day, undone_at__isnull=True)
        .exclude(Exists(has_result))
        .select_related("participant")
        .order_by("checked_in_at", "id")
    )


def follow_up_worklist(*, site_ids: list[int] | None) -> QuerySet[FollowUpCase]:
    """The call list (SPEC §8.3): cases still to be seen through, ranked by
    severity (urgent first within it), then days overdue (the earliest due
    first), then failed calls (the nearest to being lost first). None means
    every site (program admins)."""
    cases = FollowUpCase.objects.exclude(status__in=FOLLOW_UP_ENDED)
    if site_ids is not None:
        cases = cases.filter(site_id__in=site_ids)
    return cases.select_related("participant", "visit").order_by(
        F("visit__summary__severity").desc(nulls_last=True),
        "-urgent",
        F("due_on").asc(nulls_last=True),
        "-failed_contacts",
        "id",
    )


def follow_up_get(*, case_id: int, site_ids: list[int] | None) -> FollowUpCase | None:
    cases = FollowUpCase.objects.filter(pk=case_id)
    if site_ids is not None:
        cases = cases.filter(site_id__in=site_ids)
    return cases.select_related("participant", "visit").first()


def result_import_get(*, import_id: int, by: Any) -> ResultImport:
    """An import, for the staff member who uploaded it or a program admin; any
    other asker gets ResultImportNotFound, as if it did not exist."""
    result_import = ResultImport.objects.defer("content").filter(pk=import_id).first()
    if result_import is None:
        raise ResultImportNotFound
    is_admin = getattr(by, "is_superuser", False) or getattr(by, "role", "") == "admin"
    if not is_admin and result_import.created_by_id != getattr(by, "pk", None):
        raise ResultImportNotFound
    return result_import


def visits_with_results_for_participant(*, participant: Participant) -> list[Visit]:
    """Her visits whose summary is ready, newest first, each with
    `current_results` in a fixed test order. Two queries."""
    visits = list(
        Visit.objects.filter(
            participant=participant, undone_at__isnull=True, summary__isnull=False
        )
        .select_related("summary")
        .prefetch_related(
            Prefetch(
                "results",
                queryset=Result.objects.filter(is_current=True).only(
                    "id", "visit_id", "test", "value"
                ),
                to_attr="current_results",
            )
        )
        .order_by("-day", "-id")
    )
    for visit in visits:
        visit.current_results.sort(key=lambda result: TEST_ORDER.get(result.test, 99))
    return visits


def result_code_labels(*, english: bool) -> dict[tuple[str, str], str]:
    """(test, code) -> its label in her language, retired codes included."""
    field = "label_en" if english else "label_zh"
    return {
        (test, code): label
        for test, code, label in ResultCode.objects.values_list("test", "code", field)
    }


def visits_needing_summary(*, limit: int = 500) -> list[int]:
    """Visits whose results changed after their summary (or that have none): a
    summary task lost with the broker. Recent results only, and not the last
    two minutes, which the on-commit task is still handling."""
    now = timezone.now()
    return list(
        Visit.objects.filter(
            undone_at__isnull=True,
            results__recorded_at__gte=now - timedelta(days=7),
        )
        .annotate(latest=Max("results__recorded_at"))
        .filter(latest__lt=now - timedelta(minutes=2))
        .filter(Q(summary__isnull=True) | Q(summary__computed_at__lt=F("latest")))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


OUTCOME_KEYS = (
    "screened",
    "normal",
    "recall",
    "refer",
    "precancer",
    "cancer",
    "deferred",
    "follow_up_open",
    "follow_up_completed",
    "follow_up_lost",
    "hpv_tested",
    "hpv_positive",
    "cytology_tested",
    "cytology_abnormal",
    "breast_imaging_tested",
    "breast_imaging_abnormal",
)


def _campaign_visits(
    campaign_id: int, date_from: date | None, date_to: date | None
) -> QuerySet[Visit]:
    visits = Visit.objects.filter(campaign_id=campaign_id, undone_at__isnull=True)
    if date_from is not None:
        visits = visits.filter(day__gte=date_from)
    if date_to is not None:
        visits = visits.filter(day__lte=date_to)
    return visits


def _result_conditions() -> dict[str, Q | None]:
    """Outcomes read off current results, each counted once per woman."""
    return {
        "screened": None,
        "hpv_tested": Q(test=ResultTest.HPV) & ~Q(value="HPV_INVALID"),
        "hpv_positive": Q(test=ResultTest.HPV, value__in=HPV_POSITIVE),
        "cytology_tested": Q(test=ResultTest.CYTOLOGY) & ~Q(value="UNSAT"),
        "cytology_abnormal": Q(test=ResultTest.CYTOLOGY, value__in=CYTOLOGY_ABNORMAL),
        "breast_imaging_tested": Q(test__in=BREAST_IMAGING),
        "breast_imaging_abnormal": Q(
            test__in=BREAST_IMAGING, value__in=BREAST_IMAGING_ABNORMAL
        ),
    }


def _visit_conditions() -> dict[str, Q]:
    """Outcomes read off visits (their summary and follow-up), once per woman."""

    def concluded(conclusion: str) -> Q:
        return Q(summary__conclusion=conclusion)

    return {
        "normal": concluded(Conclusion.NORMAL),
        "recall": concluded(Conclusion.RECALL),
        "refer": concluded(Conclusion.REFER),
        "precancer": concluded(Conclusion.PRECANCER)
        | Q(follow_up__diagnosis_code__in=PRECANCER_DIAGNOSES),
        "cancer": concluded(Conclusion.CANCER)
        | Q(follow_up__diagnosis_code__in=CANCER_DIAGNOSES),
        "deferred": concluded(Conclusion.DEFERRED),
        "follow_up_open": Q(follow_up__status__in=FOLLOW_UP_AWAITING),
        "follow_up_completed": Q(follow_up__status__in=FOLLOW_UP_COMPLETED),
        "follow_up_lost": Q(follow_up__status=FollowUpStatus.LOST),
    }


def outcome_counts(
    *, campaign_id: int, date_from: date | None, date_to: date | None
) -> dict[str, int]:
    """Aggregate outcomes of a campaign, per woman (distinct participant), from
    current results; two aggregate queries. The conclusion counts are not
    exclusive: a woman with two visits counts under each of their conclusions."""
    visits = _campaign_visits(campaign_id, date_from, date_to)
    by_result = Result.objects.filter(is_current=True, visit__in=visits).aggregate(
        **{
            name: Count("visit__participant", distinct=True, filter=condition)
            for name, condition in _result_conditions().items()
        }
    )
    by_visit = visits.aggregate(
        **{
            name: Count("participant", distinct=True, filter=condition)
            for name, condition in _visit_conditions().items()
        }
    )
    merged = {**by_result, **by_visit}
    return {key: int(merged[key] or 0) for key in OUTCOME_KEYS}


def outcome_atoms(
    *, campaign_id: int, date_from: date | None, date_to: date | None
) -> dict[str, dict[date, tuple[int, int]]]:
    """The same outcomes per visit day: for each, the women counted that day and
    the sum of their record keys (common.cellkey), from which the union report
    publishes a perturbed count. Two aggregate queries, like `outcome_counts`."""
    visits = _campaign_visits(campaign_id, date_from, date_to)
    found: dict[str, dict[date, tuple[int, int]]] = {k: {} for k in OUTCOME_KEYS}
    results = _result_conditions()
    _atoms_gathered(found, _result_atom_rows(visits, results), results)
    conditions = _visit_conditions()
    _atoms_gathered(found, _visit_atom_rows(visits, conditions), conditions)
    return found


def _atoms_gathered(
    found: dict[str, dict[date, tuple[int, int]]], rows: Any, names: Any
) -> None:
    for r in rows:
        for name in names:
            if r[name]:
                found[name][r["d"]] = (r[name], int(r[f"{name}_keys"] or 0))


def _result_atom_rows(visits: Any, results: dict[str, Any]) -> Any:
    """Per visit day, the women with each result outcome and their keys' sum."""
    return (
        Result.objects.filter(is_current=True, visit__in=visits)
        .annotate(d=F("visit__day"))
        .values("d")
        .annotate(
            **{
                n: Count("visit__participant", distinct=True, filter=q)
                for n, q in results.items()
            },
            **{
                f"{n}_keys": Sum(
                    "visit__participant__report_key", distinct=True, filter=q
                )
                for n, q in results.items()
            },
        )
        .order_by()
    )


def _visit_atom_rows(visits: Any, conditions: dict[str, Any]) -> Any:
    """Per visit day, the women with each visit outcome and their keys' sum."""
    return (
        visits.annotate(d=F("day"))
        .values("d")
        .annotate(
            **{
                n: Count("participant", distinct=True, filter=q)
                for n, q in conditions.items()
            },
            **{
                f"{n}_keys": Sum("participant__report_key", distinct=True, filter=q)
                for n, q in conditions.items()
            },
        )
        .order_by()
    )


def follow_up_last_attempts(*, case_ids: list[int]) -> dict[int, ContactAttempt]:
    """The latest call of each case, in one query, for the worklist."""
    latest = ContactAttempt.objects.filter(case_id=OuterRef("case_id")).order_by(
        "-at", "-id"
    )
    attempts = ContactAttempt.objects.filter(
        case_id__in=case_ids, pk=Subquery(latest.values("pk")[:1])
    ).select_related("by")
    return {attempt.case_id: attempt for attempt in attempts}
