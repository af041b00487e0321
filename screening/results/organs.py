"""Her summary speaks once per organ (issue: results that contradicted themselves).

The cervix (HPV, cytology) and the breasts (clinical exam, ultrasound,
mammography) each get one message, from the most severe finding of that organ,
so that "HPV found, needs re-testing" and "no abnormality found in this
cervical screening" never stand side by side. Every finding that needs a next
step lists it with its date, whichever organ it belongs to and however severe
the others are. The words themselves stay in the SummaryRule table, which the
clinicians edit; this module only arranges them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from screening.models import Conclusion

CERVIX = "cervix"
BREAST = "breast"
OTHER = "other"

ORGAN_OF_TEST = {
    "hpv": CERVIX,
    "cytology": CERVIX,
    "cbe": BREAST,
    "breast_ultrasound": BREAST,
    "mammography": BREAST,
}
ORGAN_ORDER = (CERVIX, BREAST, OTHER)
ORGAN_LABELS = {
    CERVIX: _("Cervix"),
    BREAST: _("Breast"),
    OTHER: _("Other tests"),
}
# Conclusions that ask her to do something, and so must come with a date.
NEEDS_STEP = frozenset(
    {Conclusion.RECALL, Conclusion.REFER, Conclusion.PRECANCER, Conclusion.CANCER}
)


@dataclass(frozen=True)
class Finding:
    """One result's outcome under its rule, with the test it came from."""

    test: str
    conclusion: str
    severity: int
    urgent: bool
    action_zh: str
    action_en: str
    text_zh: str
    text_en: str
    follow_up_days: int | None

    @property
    def rank(self) -> tuple[int, bool, int]:
        # Most severe first; then urgent; then the sooner follow-up.
        days = self.follow_up_days if self.follow_up_days is not None else 10**6
        return (self.severity, self.urgent, -days)


def organ_of(test: str) -> str:
    return ORGAN_OF_TEST.get(test, OTHER)


def _steps(findings: list[Finding], day: date) -> list[dict[str, Any]]:
    """One step per finding that needs one, soonest first; the same action asked
    twice (HPV and cytology both sending her to colposcopy) once, by the sooner
    date. A normal organ keeps its routine advice, undated."""
    steps: dict[str, dict[str, Any]] = {}
    for finding in findings:
        if finding.conclusion not in NEEDS_STEP and finding.follow_up_days is None:
            continue
        due = (
            day + timedelta(days=finding.follow_up_days)
            if finding.follow_up_days is not None
            else None
        )
        step = {
            "action_zh": finding.action_zh,
            "action_en": finding.action_en,
            "due_on": due.isoformat() if due else None,
            "urgent": finding.urgent,
        }
        known = steps.get(finding.action_zh)
        if known is None or (due and (known["due_on"] or "9999") > step["due_on"]):
            steps[finding.action_zh] = step
    ordered = sorted(
        steps.values(), key=lambda s: (s["due_on"] or "9999", s["action_zh"])
    )
    if ordered:
        return ordered
    top = max(findings, key=lambda f: f.rank)
    routine = {"action_zh": top.action_zh, "action_en": top.action_en}
    return [{**routine, "due_on": None, "urgent": False}] if top.action_zh else []


def organ_messages(findings: list[Finding], *, day: date) -> list[dict[str, Any]]:
    """Per organ, in a fixed order: its conclusion and text from its most severe
    finding, and the dated next steps of all its findings."""
    by_organ: dict[str, list[Finding]] = {}
    for finding in findings:
        by_organ.setdefault(organ_of(finding.test), []).append(finding)
    messages = []
    for organ in ORGAN_ORDER:
        found = by_organ.get(organ)
        if not found:
            continue
        # Stable: equal findings keep the tests' order, so a recompute agrees.
        top = max(found, key=lambda f: f.rank)
        messages.append(
            {
                "organ": organ,
                "conclusion": top.conclusion,
                "urgent": any(
                    f.urgent for f in found if f.conclusion == top.conclusion
                ),
                "text_zh": top.text_zh.strip(),
                "text_en": top.text_en.strip(),
                "steps": _steps(found, day),
            }
        )
    return messages


def organ_label(organ: str) -> str:
    return str(ORGAN_LABELS.get(organ, ORGAN_LABELS[OTHER]))


def organs_for_page(organs: list[dict[str, Any]], *, english: bool) -> list[dict]:
    """The stored per-organ messages in her language, dates as dates."""
    lang = "en" if english else "zh"
    return [
        {
            "organ": organ["organ"],
            "label": organ_label(organ["organ"]),
            "conclusion": organ["conclusion"],
            "conclusion_label": str(Conclusion(organ["conclusion"]).label),
            "urgent": organ["urgent"],
            "paragraphs": [
                part for part in organ[f"text_{lang}"].split("\n\n") if part.strip()
            ],
            "steps": [
                {
                    "action": step[f"action_{lang}"],
                    "due_on": date.fromisoformat(step["due_on"])
                    if step["due_on"]
                    else None,
                    "urgent": step["urgent"],
                }
                for step in organ["steps"]
            ],
        }
        for organ in organs
    ]
