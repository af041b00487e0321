"""What her result page says about tubes still out (SPEC §8.1): "not back yet",
or "being chased" once the lab is late, and never "normal" for a test with
no result. The tubes live in the specimens app above this one, so the settings
name the function that reads them (RESULTS_PENDING_SOURCE)."""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from screening.models import Result, ResultTest, Visit
from screening.results.organs import ORGAN_OF_TEST


def _pending(participant_id: int) -> dict[int, list[Any]]:
    source = getattr(settings, "RESULTS_PENDING_SOURCE", "")
    if not source:
        return {}
    pending = import_string(source)(participant_id=participant_id)
    if not pending:
        return {}
    # A result typed or imported without the tube's barcode still counts as back.
    back = set(
        Result.objects.filter(visit_id__in=list(pending), is_current=True).values_list(
            "visit_id", "test"
        )
    )
    return {
        visit_id: [t for t in tests if (visit_id, t.kind) not in back]
        for visit_id, tests in pending.items()
        if any((visit_id, t.kind) not in back for t in tests)
    }


def _notice(tests: list[Any]) -> dict[str, Any]:
    labels = dict(ResultTest.choices)
    return {
        "tests": [str(labels.get(t.kind, t.kind)) for t in tests],
        "chased": any(t.chased for t in tests),
        "organs": {ORGAN_OF_TEST.get(t.kind, "") for t in tests},
    }


def _hold_back(card: dict[str, Any], organs: set[str], not_back: str) -> None:
    """What the summary says of a part still waiting on a test (its words, its
    next step) would read as an all-clear: it waits for the result too."""
    wait = gettext("We will tell you what this means once every result is back.")
    card["conclusion_label"] = not_back
    if not card.get("organs"):
        card["paragraphs"] = [wait]
        card["action"] = ""
        card["due_on"] = None
    for organ in card.get("organs", []):
        if organ["organ"] in organs:
            organ["conclusion_label"] = not_back
            organ["paragraphs"] = [wait]
            organ["steps"] = []


def cards_with_pending(
    *, participant_id: int, cards: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Her cards, each told which of its tests are not back; a visit with
    nothing back yet gets a card of its own. An organ or a whole card whose
    test is still out never reads "no abnormality found"."""
    pending = _pending(participant_id)
    not_back = gettext("Not complete: a result is not back yet")
    for card in cards:
        tests = pending.pop(card.get("visit_id"), None)
        if not tests:
            continue
        card["pending"] = _notice(tests)
        _hold_back(card, card["pending"]["organs"], not_back)
    visits = Visit.objects.filter(pk__in=list(pending)).order_by("-day", "-id")
    for visit in visits:
        cards.append(
            {
                "visit_id": visit.pk,
                "day": visit.day,
                "site": visit.site_name,
                "pending_only": True,
                "pending": _notice(pending[visit.pk]),
            }
        )
    return cards
