"""The indicator report: counts from `indicators.counting`, definitions from the
admins' table, and two ways to publish them.

- ``exact``: clinic leads (their sites) and admins see the true counts.
- union: every count passes SPEC §4a's suppression (threshold 10, the outcome
  threshold: these are health outcomes) on the true counts, and a kept count is
  published as the sum of its days' cell-key rounded atoms (base 10, ADR 0012),
  so no sum or difference of published figures is a count from 1 to 9. Rates are
  worked out from the published counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import get_language

from common.cellkey import Atom, mask_perturbed, published
from common.suppression import OUTCOME_THRESHOLD, Cell, Rate, Table, suppress_table
from indicators.counting import Atoms, Scope, count_atoms
from indicators.measures import MEASURES, TARGET
from indicators.models import CampaignTarget, IndicatorDefinition
from screening.models import Campaign

GROUP_BYS = ("site", "occupation")
BASE = OUTCOME_THRESHOLD


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    numerator: int | None
    denominator: int | None
    value: float | None
    suppressed: bool
    per: int


@dataclass
class IndicatorReport:
    campaign: Campaign
    exact: bool
    target_population: int | None
    definitions: list[IndicatorDefinition]
    total: list[Figure]
    groups: dict[str, list[Figure]] = field(default_factory=dict)
    threshold: int | None = None


def _born_between(campaign: Campaign) -> tuple[date, date]:
    """Birth dates of the women of eligible age on the campaign's reference day."""
    day = campaign.age_on

    def years_before(years: int) -> date:
        try:
            return day.replace(year=day.year - years)
        except ValueError:  # 29 February
            return day.replace(year=day.year - years, day=28)

    return years_before(campaign.max_age + 1) + timedelta(days=1), years_before(
        campaign.min_age
    )


def active_definitions() -> list[IndicatorDefinition]:
    return [d for d in IndicatorDefinition.objects.filter(active=True) if _usable(d)]


def _usable(d: IndicatorDefinition) -> bool:
    known = {*MEASURES, TARGET}
    return d.numerator in known and (not d.denominator or d.denominator in known)


def target_population(campaign: Campaign) -> int | None:
    row = CampaignTarget.objects.filter(campaign=campaign).first()
    return row.target_population if row else None


def _group_of(key: tuple[date, int, str], group_by: str | None) -> str:
    if group_by == "site":
        return str(key[1])
    if group_by == "occupation":
        return key[2]
    return ""


def _sum(atoms: Atoms, group_by: str | None) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key, cell in atoms.items():
        row = out.setdefault(_group_of(key, group_by), dict.fromkeys(MEASURES, 0))
        for measure, (n, _keys) in cell.items():
            row[measure] += n
    return out


def _day_atoms(atoms: Atoms, group_by: str | None) -> dict[str, dict[str, dict]]:
    """group -> measure -> day -> Atom: the atoms a published count is made of."""
    out: dict[str, dict[str, dict[date, Atom]]] = {}
    for key, cell in atoms.items():
        row = out.setdefault(_group_of(key, group_by), {m: {} for m in MEASURES})
        for measure, (n, keys) in cell.items():
            days = row[measure]
            days[key[0]] = days.get(key[0], Atom()) + Atom(n, keys)
    return out


def _perturbed(atoms: Atoms, group_by: str | None) -> dict[str, dict[str, int]]:
    return {
        group: {m: published(days.values(), base=BASE) for m, days in row.items()}
        for group, row in _day_atoms(atoms, group_by).items()
    }


def _name(d: IndicatorDefinition) -> str:
    english = (get_language() or "").lower().startswith("en")
    return d.name_en if english else d.name_zh


def _figure(
    d: IndicatorDefinition, cells: dict[str, Cell], target: int | None
) -> Figure:
    def side(measure: str) -> tuple[int | None, bool]:
        if not measure:
            return None, False
        if measure == TARGET:
            return target, False
        cell = cells.get(measure, Cell(0, False))
        return (None, True) if cell.suppressed else (int(cell.value or 0), False)

    numerator, hidden_n = side(d.numerator)
    denominator, hidden_d = side(d.denominator)
    hidden = hidden_n or hidden_d
    value: float | None = None
    if not hidden and numerator is not None:
        if not d.denominator:
            value = float(numerator)
        elif denominator:
            value = float(Decimal(numerator) * d.scale / Decimal(denominator))
    return Figure(d.code, _name(d), numerator, denominator, value, hidden, d.scale)


def _exact_cells(counts: dict[str, int]) -> dict[str, Cell]:
    return {m: Cell(v, False) for m, v in counts.items()}


def indicator_report(
    *,
    campaign: Campaign,
    exact: bool,
    date_from: date | None = None,
    date_to: date | None = None,
    site_ids: Sequence[int] | None = None,
    group_by: str | None = None,
) -> IndicatorReport:
    born_from, born_to = _born_between(campaign)
    scope = Scope(campaign.pk, date_from, date_to, site_ids)
    atoms = count_atoms(scope, born_from=born_from, born_to=born_to)
    definitions = active_definitions()
    target = target_population(campaign) if site_ids is None else None
    if exact:
        total_cells = _exact_cells(
            _sum(atoms, None).get("", dict.fromkeys(MEASURES, 0))
        )
        group_cells = (
            {g: _exact_cells(c) for g, c in _sum(atoms, group_by).items()}
            if group_by
            else {}
        )
        threshold = None
    else:
        total_cells, group_cells = _union_cells(atoms, definitions, group_by)
        threshold = BASE
    return IndicatorReport(
        campaign=campaign,
        exact=exact,
        target_population=target,
        definitions=definitions,
        total=[_figure(d, total_cells, target) for d in definitions],
        groups={
            g: [_figure(d, cells, None) for d in definitions]
            for g, cells in sorted(group_cells.items())
        },
        threshold=threshold,
    )


def _union_cells(
    atoms: Atoms, definitions: list[IndicatorDefinition], group_by: str | None
) -> tuple[dict[str, Cell], dict[str, dict[str, Cell]]]:
    """Suppressed on the true counts, then the kept ones perturbed. Without a
    breakdown the totals are one day-atom series; with one, each group's."""
    measures = sorted(
        {d.numerator for d in definitions}
        | {d.denominator for d in definitions} - {"", TARGET}
    )
    rates = {
        d.code: Rate(d.numerator, (d.denominator,))
        for d in definitions
        if d.denominator and TARGET not in (d.numerator, d.denominator)
    }

    def only(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        return {g: {m: row.get(m, 0) for m in measures} for g, row in rows.items()}

    empty = {"": dict.fromkeys(measures, 0)}
    true_total = only(_sum(atoms, None) or empty)[""]
    true_groups = only(_sum(atoms, group_by)) if group_by else {}
    shown_total = only(_perturbed(atoms, None) or empty)[""]
    shown_groups = only(_perturbed(atoms, group_by)) if group_by else {}
    if group_by:
        # The totals row is the sum of the groups' published counts, so it adds up.
        shown_total = {m: sum(g[m] for g in shown_groups.values()) for m in measures}
    suppressed = suppress_table(
        Table(groups=true_groups, total=true_total, rates=rates), threshold=BASE
    )
    masked = mask_perturbed(
        suppressed, Table(groups=shown_groups, total=shown_total, rates=rates)
    )
    return masked.total, masked.groups
