"""Cell-key perturbation of published counts (docs/adr/0012): every count the union
sees is nudged by a small noise that the same records always get back.

How it works, as in the Australian Bureau of Statistics' TableBuilder and the UK's
2021 census outputs:

- Every record that reports count (a participant, an appointment) carries a fixed
  random *record key*, drawn once from ``[0, KEY_SPACE)`` when the row is written
  (`new_record_key`) and never shown.
- A count is published from *atoms*: the records of one day, one breakdown value
  and one measure (``n`` records whose keys sum to ``keysum``). The atom's *cell
  key* is ``keysum mod TABLE_SIZE``, so the same records give the same cell key in
  every query, every table and every format.
- The noise is read from a fixed perturbation table by the atom's count modulo
  the base and its cell key. The table implements unbiased random rounding: a
  count ``n = q * base + r`` is published as ``q * base + base`` for ``r`` of every
  ``base`` cell keys and as ``q * base`` for the rest, so the expected published
  count is the true one.
- A published cell is the sum of its atoms' perturbed counts. Over a date range,
  the difference of two nested ranges is therefore a sum of perturbed atoms, the
  same figure however often and however differently it is asked: averaging
  repeats away is impossible.

Why rounding to the suppression threshold: every published count is then a
multiple of the base, and so is every sum or difference of published counts. A
count suppression hides (1 to base - 1) is never a multiple of the base, so no
combination of published figures can equal it. Small-cell suppression stays on
top (`common.suppression`), so a cell holding 1 to base - 1 records still reads
"<base" rather than a rounded 0 or base.

Pure functions: no database, so property tests can throw random atoms at them.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from common.suppression import Cell, SuppressedTable, Table

# Record keys are 31-bit so they fit PostgreSQL's integer; sums of a million of
# them fit a bigint.
KEY_SPACE = 2**31
# Divisible by every base in use (5 and 10), so the rounding is exactly unbiased.
TABLE_SIZE = 1000
# The table is fixed and may be public (the record keys are the secret): built
# from this seed, it shuffles which cell keys round up, so that a cell key and
# the one next to it are unrelated.
_TABLE_SEED = 20_260_302


def new_record_key() -> int:
    """A fresh record key: the model default of every counted row."""
    return secrets.randbelow(KEY_SPACE)


@dataclass(frozen=True)
class Atom:
    """``n`` records whose record keys sum to ``keysum``."""

    n: int = 0
    keysum: int = 0

    def __add__(self, other: Atom) -> Atom:
        return Atom(self.n + other.n, self.keysum + other.keysum)

    @property
    def cell_key(self) -> int:
        return self.keysum % TABLE_SIZE


def _rank() -> tuple[int, ...]:
    order = list(range(TABLE_SIZE))
    random.Random(_TABLE_SEED).shuffle(order)  # noqa: S311 - a fixed public table # nosec B311
    return tuple(order)


# rank[cell key]: a cell rounds up when its rank falls below r / base of the table.
_RANK = _rank()


def perturbation(n: int, cell_key: int, *, base: int) -> int:
    """The perturbation table: what is added to a count ``n`` with ``cell_key``."""
    r = n % base
    if r == 0:
        return 0
    up = _RANK[cell_key % TABLE_SIZE] < r * TABLE_SIZE // base
    return base - r if up else -r


def perturb(atom: Atom, *, base: int) -> int:
    """The published count of one atom: a multiple of ``base``. An empty atom
    stays 0, and a count that is already a multiple of the base is left alone."""
    if atom.n < 0:
        raise ValueError("A count cannot be negative.")
    return atom.n + perturbation(atom.n, atom.cell_key, base=base)


def published(atoms: Iterable[Atom], *, base: int) -> int:
    """The published count of a cell made of ``atoms``."""
    return sum(perturb(atom, base=base) for atom in atoms)


def largest_error(atoms: int, *, base: int) -> int:
    """How far a cell of ``atoms`` non-empty atoms can be from its true count."""
    return atoms * (base - 1)


def mask_perturbed(suppressed: SuppressedTable, perturbed: Table) -> SuppressedTable:
    """What is published: the cells suppression kept, with their perturbed value.

    Suppression decides on the true counts (so "<5" still means 1 to 4 records);
    a kept cell shows its perturbed count, and a kept rate is worked out from the
    perturbed counts, so it says nothing the counts beside it do not.
    """

    def row(cells: dict[str, Cell], values: dict[str, int]) -> dict[str, Cell]:
        out = {
            m: cell if cell.suppressed or m not in values else Cell(values[m], False)
            for m, cell in cells.items()
        }
        for rate_name, rate in perturbed.rates.items():
            cell = out.get(rate_name)
            if cell is None or cell.suppressed:
                continue
            denominator = sum(values[part] for part in rate.denominator)
            value = values[rate.numerator] / denominator if denominator else None
            out[rate_name] = Cell(value, False)
        return out

    return SuppressedTable(
        threshold=suppressed.threshold,
        total=row(suppressed.total, perturbed.total),
        groups={
            key: row(cells, perturbed.groups[key])
            for key, cells in suppressed.groups.items()
        },
    )
