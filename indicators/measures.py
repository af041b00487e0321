"""The counted measures behind every indicator and the quarterly table, each a
condition on one woman's screening records in a campaign. A woman counts once per
measure however many visits, results or cases she has (DOMAIN §1.6: person-level,
de-duplicated by ID hash; a participant row is one ID hash, `id_hash` unique).

The conditions are SQL over the joined rows of `indicators.counting`: ``r`` a
current result, ``s`` the visit's summary, ``f`` its follow-up case, ``t`` a case
that reached treatment, ``q`` her quiz take. Codes are the constants below, never
user input.
"""

from __future__ import annotations

import re

from screening.results.follow_up import CANCER_DIAGNOSES, PRECANCER_DIAGNOSES
from screening.results.selectors import (
    BREAST_IMAGING_ABNORMAL,
    CYTOLOGY_ABNORMAL,
    HPV_POSITIVE,
)

CERVIX_PRECANCER = ("CIN2", "CIN3", "AIS")
CERVIX_CANCER = ("MICROINV", "INV_SCC", "INV_ADENO")
# Early-stage cervical cancer: FIGO IA (micro-invasive). The stage cut is ⚠ in
# DOMAIN §1.6; the definitions table says so to admins.
CERVIX_EARLY_CANCER = ("MICROINV",)
BREAST_IN_SITU = ("DCIS", "LCIS")
BREAST_CANCER = ("DCIS", "LCIS", "INVASIVE")
BREAST_PRECANCER = ("ATYPIA",)
REFERRED = ("REFER", "PRECANCER", "CANCER")
COMPLETED = ("DONE_EXAM", "DIAGNOSED", "TREATED", "OBSERVATION", "CLOSED")
BIRADS = ("0", "1", "2", "3", "4A", "4B", "4C", "5")

# The follow-up desk accepts these codes; a code it dropped would count nobody.
if not (
    {*CERVIX_PRECANCER, *BREAST_PRECANCER, *BREAST_IN_SITU} <= PRECANCER_DIAGNOSES
    and {*CERVIX_CANCER, "INVASIVE"} <= CANCER_DIAGNOSES
):
    raise ImportError("Diagnosis codes out of step with screening's.")

_CODE = re.compile(r"^[A-Za-z0-9_]+$")


def _in(column: str, values: tuple[str, ...] | list[str]) -> str:
    for value in values:
        if not _CODE.match(value):
            raise ValueError(f"Not a code: {value!r}")
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _test(test: str, *values: str) -> str:
    if not values:
        return f"r.test = '{test}'"
    return f"(r.test = '{test}' AND {_in('r.value', values)})"


def _diag(values: tuple[str, ...]) -> str:
    return _in("f.diagnosis_code", values)


CERVIX_TESTED = (
    "("
    + " OR ".join(
        [
            "(r.test = 'hpv' AND r.value <> 'HPV_INVALID')",
            "(r.test = 'cytology' AND r.value <> 'UNSAT')",
        ]
    )
    + ")"
)
BREAST_TESTED = "r.test IN ('cbe', 'breast_ultrasound', 'mammography')"
_CERVIX_ABNORMAL = (
    f"({_test('hpv', *HPV_POSITIVE)} OR {_test('cytology', *CYTOLOGY_ABNORMAL)})"
)
# Referred after an abnormal cervical result: the colposcopy of the national form.
_CERVIX_REFER = (
    f"(f.id IS NOT NULL AND {_in('f.conclusion', REFERRED)} AND {_CERVIX_ABNORMAL})"
)

# measure -> SQL condition on one joined row; a woman has the measure when any of
# her rows meets it.
VISIT_MEASURES: dict[str, str] = {
    "screened": "v.id IS NOT NULL",
    "screened_eligible": "p.birth_date BETWEEN %(born_from)s AND %(born_to)s",
    "normal": "s.conclusion = 'NORMAL'",
    "abnormal": _in("s.conclusion", ("RECALL", "REFER", "PRECANCER", "CANCER")),
    "cervix_screened": CERVIX_TESTED,
    "breast_screened": BREAST_TESTED,
    "hpv_tested": "(r.test = 'hpv' AND r.value <> 'HPV_INVALID')",
    "hpv_positive": _test("hpv", *HPV_POSITIVE),
    "hpv_16_18_positive": _test("hpv", "HPV_16_18_POS"),
    "cytology_tested": "(r.test = 'cytology' AND r.value <> 'UNSAT')",
    "cytology_abnormal": _test("cytology", *CYTOLOGY_ABNORMAL),
    "cbe_examined": "r.test = 'cbe'",
    "us_examined": "r.test = 'breast_ultrasound'",
    "us_abnormal": _test("breast_ultrasound", *BREAST_IMAGING_ABNORMAL),
    "mammography_examined": "r.test = 'mammography'",
    "follow_up_needed": "f.id IS NOT NULL",
    "follow_up_done": "(f.id IS NOT NULL AND " + _in("f.status", COMPLETED) + ")",
    "follow_up_lost": "f.status = 'LOST'",
    "referral_needed": "(f.id IS NOT NULL AND " + _in("f.conclusion", REFERRED) + ")",
    "referral_done": "(f.id IS NOT NULL AND "
    + _in("f.conclusion", REFERRED)
    + " AND "
    + _in("f.status", COMPLETED)
    + ")",
    "colposcopy_referred": _CERVIX_REFER,
    "colposcopy_done": f"({_CERVIX_REFER} AND {_in('f.status', COMPLETED)})",
    "biopsied": "f.diagnosis_code <> ''",
    "cervix_biopsied": _diag(("PATH_NEG", "CIN1", *CERVIX_PRECANCER, *CERVIX_CANCER)),
    "cin1": "f.diagnosis_code = 'CIN1'",
    "cin2": "f.diagnosis_code = 'CIN2'",
    "cin3": "f.diagnosis_code = 'CIN3'",
    "ais": "f.diagnosis_code = 'AIS'",
    "microinvasive": "f.diagnosis_code = 'MICROINV'",
    "invasive_cervical": _diag(("INV_SCC", "INV_ADENO")),
    "cervical_precancer": _diag(CERVIX_PRECANCER),
    "cervical_cancer": _diag(CERVIX_CANCER),
    "cervical_early": _diag(CERVIX_PRECANCER + CERVIX_EARLY_CANCER),
    "cervical_found": _diag(CERVIX_PRECANCER + CERVIX_CANCER),
    "breast_cancer": _diag(BREAST_CANCER),
    "breast_early": _diag(BREAST_IN_SITU),
    "diagnosed": _diag(
        CERVIX_PRECANCER + CERVIX_CANCER + BREAST_PRECANCER + BREAST_CANCER
    ),
    "treated": "(t.case_id IS NOT NULL AND "
    + _diag(CERVIX_PRECANCER + CERVIX_CANCER + BREAST_PRECANCER + BREAST_CANCER)
    + ")",
    "quiz_surveyed": "q.id IS NOT NULL",
    "quiz_aware": "q.level = 'aware'",
    "quiz_partial": "q.level = 'partial'",
    **{
        f"us_birads_{c.lower()}": _test("breast_ultrasound", f"BIRADS_{c}")
        for c in BIRADS
    },
    **{f"mg_birads_{c.lower()}": _test("mammography", f"BIRADS_{c}") for c in BIRADS},
}

# Measures a woman has only when every summarised visit meets them (the rest:
# when any row does). 正常人数 are women found normal at every visit.
ALL_OF = frozenset({"normal"})

# From appointments (her bookings), not visits.
BOOKING_MEASURES: dict[str, str] = {
    "booked": "a.status IN ('booked', 'checked_in', 'screened', 'no_show')",
    "attended": "a.status IN ('checked_in', 'screened')",
    "no_show": "a.status = 'no_show'",
}

# Entered by an admin, not counted: never suppressed, never perturbed.
TARGET = "target_population"

MEASURES: tuple[str, ...] = (*VISIT_MEASURES, *BOOKING_MEASURES)
