"""The visit measures as bits of one bigint, so PostgreSQL folds a campaign in
one pass: each current result becomes the bits of its (test, value), looked up in
a small table of known codes rather than tested condition by condition; each
visit ORs its results' bits with those of its summary, case and quiz take; each
woman ORs her visits'; women with the same bits, first day, site and occupation
are counted together, and only those few rows are split into measures.

The same answer as the row-by-row fold of `indicators.counting` (which SQLite
still runs): a woman has a measure when any of her joined rows meets its
condition, and the rows of one visit are every result crossed with its one
summary, one case and one quiz take, so a condition on a result and a case holds
when some result meets its part and the case meets the rest.
"""

from __future__ import annotations

import re

from indicators.measures import _CERVIX_ABNORMAL, ALL_OF, VISIT_MEASURES

_ALIAS = re.compile(r"\b([a-z])\.")

NAMES: tuple[str, ...] = tuple(VISIT_MEASURES)
BIT = {name: 1 << n for n, name in enumerate(NAMES)}
# A result's share of a condition on a result and a case; never a measure itself.
_CERVIX_ABNORMAL_BIT = 1 << 62
if len(NAMES) > 62:
    raise ImportError("More visit measures than bits in a bigint.")


def _aliases(condition: str) -> set[str]:
    return set(_ALIAS.findall(condition))


# Conditions on a current result alone: worked out once per known code.
RESULT_ONLY = {m: c for m, c in VISIT_MEASURES.items() if _aliases(c) == {"r"}}
RESULT_MASK = sum(BIT[m] for m in RESULT_ONLY)


def _visit_condition(measure: str) -> str:
    condition = VISIT_MEASURES[measure].replace(
        _CERVIX_ABNORMAL, f"((COALESCE(rv.bits, 0) & {_CERVIX_ABNORMAL_BIT}) <> 0)"
    )
    if {"r", "p"} & _aliases(condition):
        # A new mixed condition needs its result (or participant) part named
        # here, like the cervical one above; refuse rather than count it wrongly.
        raise ImportError(f"Measure {measure} mixes a result or her row with others.")
    return condition


# Conditions on her participant row alone: worked out once per woman, after her
# visits are folded, so the visits need not carry her row.
PERSON_ONLY = {m: c for m, c in VISIT_MEASURES.items() if _aliases(c) == {"p"}}
VISIT_LEVEL = {
    m: _visit_condition(m)
    for m in NAMES
    if m not in RESULT_ONLY and m not in ALL_OF and m not in PERSON_ONLY
}


def result_bits() -> str:
    """SQL: the bits one result row ``r`` (test, value) carries."""
    terms = [f"CASE WHEN {c} THEN {BIT[m]} ELSE 0 END" for m, c in RESULT_ONLY.items()]
    terms.append(f"CASE WHEN {_CERVIX_ABNORMAL} THEN {_CERVIX_ABNORMAL_BIT} ELSE 0 END")
    return "(" + " | ".join(terms) + ")"


def visit_bits() -> str:
    """SQL: one visit's bits, given ``rv.bits`` (its results' OR)."""
    terms = [f"(COALESCE(rv.bits, 0) & {RESULT_MASK})"]
    terms += [f"CASE WHEN {c} THEN {BIT[m]} ELSE 0 END" for m, c in VISIT_LEVEL.items()]
    return "(" + " | ".join(terms) + ")"


def all_of(alias: str) -> str:
    """SQL per visit: 1/0 for each ALL_OF measure, NULL while unsummarised."""
    return ", ".join(
        f"CASE WHEN s.id IS NULL THEN NULL WHEN {VISIT_MEASURES[m]} THEN 1 ELSE 0 END"
        f" AS {alias}_{m}"
        for m in sorted(ALL_OF)
    )


def woman_bits(alias: str) -> str:
    """SQL per woman: her visits' OR, with the ALL_OF measures every visit met."""
    terms = [f"bit_or({alias}.bits)"]
    terms += [
        f"CASE WHEN COALESCE(MIN({alias}.{alias}_{m}), 0) = 1 THEN {BIT[m]} ELSE 0 END"
        for m in sorted(ALL_OF)
    ]
    return "(" + " | ".join(terms) + ")"


def person_bits() -> str:
    """SQL: the bits of her participant row ``p``."""
    terms = [f"CASE WHEN {c} THEN {BIT[m]} ELSE 0 END" for m, c in PERSON_ONLY.items()]
    return "(" + " | ".join(terms or ["0"]) + ")"


def split(alias: str = "g") -> str:
    """SQL over rows (bits, n, ks): per measure the women and their key sum."""
    return ", ".join(
        f"SUM({alias}.n) FILTER (WHERE ({alias}.bits & {BIT[m]}) <> 0), "
        f"SUM({alias}.ks) FILTER (WHERE ({alias}.bits & {BIT[m]}) <> 0)"
        for m in NAMES
    )
