"""Small-cell suppression for published aggregates (SPEC §4a): the one place it happens.

Every union page, API answer and export passes its table of counts through
`suppress_table` before anything leaves the server. The rules:

1. Primary: a count between 1 and ``threshold - 1`` is hidden (5 for turnout, 10 for
   outcomes). Zero is published: an empty group reveals nobody.
2. Row rule (the SPEC's words): a row with exactly one hidden count also hides its
   next-smallest count, so the hidden one cannot be read off the row.
3. Relations: a column's total is the sum of its groups, and some rows carry sums of
   their own (``Table.row_relations``). A relation with exactly one hidden cell would
   give it away by subtraction, so its next-smallest published cell is hidden too.
4. Audit: rules 2 and 3 repeat until nothing changes, and then an exact linear-algebra
   check asks whether any primary cell is still fixed by all the published numbers
   together (cells that are each hidden in pairs can still be pinned down across
   several relations). If one is, another cell of one of its relations is hidden and
   the loop runs again. Hiding only ever grows, so this ends.
5. Rates: a rate is hidden when its numerator or any part of its denominator is,
   because a published rate and one published side give the other side back.

Pure functions over dictionaries of counts: no database, no request, so the property
tests can throw random tables at them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

TURNOUT_THRESHOLD = 5
OUTCOME_THRESHOLD = 10

TOTAL = "__total__"

CellKey = tuple[str, str]  # (row, measure)


@dataclass(frozen=True)
class Relation:
    """The published cells satisfy ``sum(left) == sum(right)``."""

    left: tuple[CellKey, ...]
    right: tuple[CellKey, ...] = ()

    @property
    def cells(self) -> tuple[CellKey, ...]:
        return self.left + self.right


@dataclass(frozen=True)
class Rate:
    """``numerator / sum(denominator)`` of one row."""

    numerator: str
    denominator: tuple[str, ...]


@dataclass
class Table:
    """Counts to publish: group rows, a totals row, and how they hang together.

    ``groups`` must partition what ``total`` counts for every measure the groups
    carry (each one is then a column whose total is published). The totals row may
    carry measures the groups do not. ``row_relations`` are sums that hold inside
    every row that has all their measures; declaring one that only sometimes holds
    errs on the safe side.
    """

    groups: dict[str, dict[str, int]]
    total: dict[str, int]
    row_relations: Sequence[tuple[tuple[str, ...], tuple[str, ...]]] = ()
    rates: Mapping[str, Rate] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    value: int | float | None
    suppressed: bool

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "suppressed": self.suppressed}


@dataclass
class SuppressedTable:
    threshold: int
    total: dict[str, Cell]
    groups: dict[str, dict[str, Cell]]


def is_primary(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_table(table: Table, *, threshold: int) -> SuppressedTable:
    counts: dict[CellKey, int] = {}
    for measure, value in table.total.items():
        counts[(TOTAL, measure)] = value
    for row, values in table.groups.items():
        if row == TOTAL:
            raise ValueError("A group may not be called like the totals row.")
        for measure, value in values.items():
            counts[(row, measure)] = value

    rows = [[(TOTAL, m) for m in table.total]]
    rows += [[(row, m) for m in values] for row, values in table.groups.items()]
    hidden = suppress_cells(
        counts,
        threshold=threshold,
        rows=rows,
        relations=table_relations(table),
    )

    def publish(row: str, values: Mapping[str, int]) -> dict[str, Cell]:
        cells = {
            m: Cell(None, True) if (row, m) in hidden else Cell(v, False)
            for m, v in values.items()
        }
        for name, rate in table.rates.items():
            if rate.numerator not in values:
                continue
            parts = (rate.numerator, *rate.denominator)
            if any((row, part) in hidden for part in parts):
                cells[name] = Cell(None, True)
                continue
            denominator = sum(values[part] for part in rate.denominator)
            value = values[rate.numerator] / denominator if denominator else None
            cells[name] = Cell(value, False)
        return cells

    return SuppressedTable(
        threshold=threshold,
        total=publish(TOTAL, table.total),
        groups={row: publish(row, values) for row, values in table.groups.items()},
    )


def table_relations(table: Table) -> list[Relation]:
    """Every sum an outsider could use: column totals and the declared row sums."""
    relations = []
    if table.groups:
        shared = set.intersection(*(set(v) for v in table.groups.values()))
        for measure in table.total:
            if measure in shared:
                relations.append(
                    Relation(
                        left=((TOTAL, measure),),
                        right=tuple((row, measure) for row in table.groups),
                    )
                )
    all_rows = {TOTAL: table.total, **table.groups}
    for left, right in table.row_relations:
        for row, values in all_rows.items():
            if all(m in values for m in (*left, *right)):
                relations.append(
                    Relation(
                        left=tuple((row, m) for m in left),
                        right=tuple((row, m) for m in right),
                    )
                )
    return relations


def suppress_cells(
    counts: Mapping[CellKey, int],
    *,
    threshold: int,
    rows: Iterable[Sequence[CellKey]],
    relations: Sequence[Relation],
) -> frozenset[CellKey]:
    """The cells to hide. See the module docstring for the rules."""
    rows = [list(r) for r in rows]
    primary = {key for key, value in counts.items() if is_primary(value, threshold)}
    hidden = set(primary)
    while True:
        changed = True
        while changed:
            changed = False
            for row in rows:
                changed |= _hide_complement(row, hidden, counts)
            for relation in relations:
                changed |= _hide_complement(relation.cells, hidden, counts)
        pinned = determined(hidden, relations)
        exposed = [key for key in sorted(primary) if key in pinned]
        if not exposed:
            return frozenset(hidden)
        key = exposed[0]
        candidates = [r for r in relations if key in r.cells]
        # The relation with the fewest hidden cells is the one that pins it.
        candidates.sort(key=lambda r: sum(c in hidden for c in r.cells))
        for relation in candidates:
            if _hide_next_smallest(relation.cells, hidden, counts):
                break
        else:  # pragma: no cover - everything related is hidden, so nothing pins it
            return frozenset(hidden)


def _hide_complement(
    cells: Sequence[CellKey], hidden: set[CellKey], counts: Mapping[CellKey, int]
) -> bool:
    if sum(cell in hidden for cell in cells) != 1:
        return False
    return _hide_next_smallest(cells, hidden, counts)


def _hide_next_smallest(
    cells: Sequence[CellKey], hidden: set[CellKey], counts: Mapping[CellKey, int]
) -> bool:
    published = [c for c in dict.fromkeys(cells) if c not in hidden and c in counts]
    if not published:
        return False
    # A hidden zero protects less (a reader may guess the group is empty), so the
    # smallest non-zero cell goes first; group cells before the totals row.
    published.sort(key=lambda c: (counts[c] == 0, counts[c], c[0] == TOTAL))
    hidden.add(published[0])
    return True


def determined(
    hidden: Iterable[CellKey], relations: Sequence[Relation]
) -> frozenset[CellKey]:
    """Hidden cells whose value the published cells fix exactly.

    Each relation is a linear equation over the hidden cells (the published ones are
    constants). A hidden cell is fixed when its unit vector lies in the span of the
    equations: after reduction to row echelon form, it is a pivot whose row has no
    other non-zero entry.
    """
    hidden = set(hidden)
    equations: list[dict[CellKey, Fraction]] = []
    for relation in relations:
        row: dict[CellKey, Fraction] = {}
        for cell in relation.left:
            if cell in hidden:
                row[cell] = row.get(cell, Fraction(0)) + 1
        for cell in relation.right:
            if cell in hidden:
                row[cell] = row.get(cell, Fraction(0)) - 1
        row = {k: v for k, v in row.items() if v}
        if row:
            equations.append(row)
    pivots: list[tuple[CellKey, dict[CellKey, Fraction]]] = []
    for equation in equations:
        eq = dict(equation)
        for pivot, prow in pivots:
            factor = eq.get(pivot)
            if factor:
                for k, v in prow.items():
                    eq[k] = eq.get(k, Fraction(0)) - factor * v
                eq = {k: v for k, v in eq.items() if v}
        if not eq:
            continue
        pivot = min(eq)
        scale = eq[pivot]
        eq = {k: v / scale for k, v in eq.items()}
        # Keep the echelon fully reduced: clear the new pivot from the older rows.
        reduced = []
        for old_pivot, prow in pivots:
            factor = prow.get(pivot)
            if factor:
                prow = {
                    k: prow.get(k, Fraction(0)) - factor * eq.get(k, Fraction(0))
                    for k in set(prow) | set(eq)
                }
                prow = {k: v for k, v in prow.items() if v}
            reduced.append((old_pivot, prow))
        pivots = [*reduced, (pivot, eq)]
    return frozenset(pivot for pivot, prow in pivots if len(prow) == 1)


def display(cell: Cell, *, threshold: int, rate: bool = False) -> str:
    """What a page or an export shows: "<5" for a hidden cell, a dash for no value."""
    if cell.suppressed:
        return f"<{threshold}"
    if cell.value is None:
        return "\u2013"
    if rate:
        return f"{cell.value * 100:.1f}%"
    return str(cell.value)
