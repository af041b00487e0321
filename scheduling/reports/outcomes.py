"""Aggregated screening outcomes for the union: counts and DOMAIN §1.6 indicators.

The counting belongs to `screening` (`screening.selectors.outcome_counts`); this
module suppresses them with the outcome threshold (10), publishes each kept count
as the sum of its visit days' perturbed counts (common.cellkey, base 10, so no
difference of two answers is a count from 1 to 9) and names the rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from common.cellkey import Atom, mask_perturbed, published
from common.report_reads import replica_lag_seconds, report_reads
from common.suppression import OUTCOME_THRESHOLD, Cell, Rate, Table, suppress_table
from screening import selectors as screening_selectors
from screening.models import Campaign

# The measures are the ones screening counts: one list, kept there.
OUTCOME_MEASURES = screening_selectors.OUTCOME_KEYS
_FOLLOW_UP = ("follow_up_open", "follow_up_completed", "follow_up_lost")
INDICATORS = {
    "hpv_positivity": Rate("hpv_positive", ("hpv_tested",)),
    "cytology_abnormal_rate": Rate("cytology_abnormal", ("cytology_tested",)),
    "breast_imaging_abnormal_rate": Rate(
        "breast_imaging_abnormal", ("breast_imaging_tested",)
    ),
    "follow_up_completion_rate": Rate("follow_up_completed", _FOLLOW_UP),
    "follow_up_loss_rate": Rate("follow_up_lost", _FOLLOW_UP),
}
# Sums an outsider may assume. Declaring one that does not quite hold (results
# still missing, a case without follow-up) only hides a little more.
_RELATIONS = [
    (("screened",), ("normal", "recall", "refer", "precancer", "cancer", "deferred")),
    (_FOLLOW_UP, ("recall", "refer", "precancer", "cancer")),
]


@dataclass(frozen=True)
class OutcomeReport:
    campaign: Campaign
    date_from: date | None
    date_to: date | None
    threshold: int
    cells: dict[str, Cell]
    # Seconds the reports replica was behind the primary; None on the primary.
    lag_seconds: float | None = None


def outcome_report(
    *, campaign: Campaign, date_from: date | None, date_to: date | None
) -> OutcomeReport:
    # From the reports replica when there is one (common.report_reads).
    with report_reads() as alias:
        lag = replica_lag_seconds(alias)
        counts = screening_selectors.outcome_counts(
            campaign_id=campaign.pk, date_from=date_from, date_to=date_to
        )
        atoms = screening_selectors.outcome_atoms(
            campaign_id=campaign.pk, date_from=date_from, date_to=date_to
        )
    total = {m: int(counts.get(m, 0)) for m in OUTCOME_MEASURES}
    perturbed = {
        m: published(
            [Atom(n, keys) for n, keys in atoms[m].values()], base=OUTCOME_THRESHOLD
        )
        for m in OUTCOME_MEASURES
    }
    suppressed = mask_perturbed(
        suppress_table(
            Table(groups={}, total=total, row_relations=_RELATIONS, rates=INDICATORS),
            threshold=OUTCOME_THRESHOLD,
        ),
        Table(groups={}, total=perturbed, rates=INDICATORS),
    )
    return OutcomeReport(
        campaign=campaign,
        date_from=date_from,
        date_to=date_to,
        threshold=OUTCOME_THRESHOLD,
        cells=suppressed.total,
        lag_seconds=lag,
    )


def outcome_report_as_dict(report: OutcomeReport) -> dict[str, Any]:
    return {
        "campaign": {"id": report.campaign.pk, "name": report.campaign.name},
        "from": report.date_from,
        "to": report.date_to,
        "threshold": report.threshold,
        "counts": {m: report.cells[m].as_dict() for m in OUTCOME_MEASURES},
        "indicators": {name: report.cells[name].as_dict() for name in INDICATORS},
        "replica_lag_seconds": report.lag_seconds,
    }
