"""How a published cell reads on the dashboard and in the exports.

A hidden count reads "<5" (it is a count from 1 to 4, or one hidden beside it). A
hidden rate is not a small number, so "<5" in a percentage column would read as
"under 5%": it reads as a dash, explained by `HIDDEN_RATE_NOTE` beside the table.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.suppression import Cell, display

HIDDEN_RATE = "\u2014"
PERTURBED_NOTE = _(
    "To protect privacy, figures are rounded or adjusted slightly, so small "
    "differences between tables are expected."
)
HIDDEN_RATE_NOTE = _(
    "— in a rate column: the rate is not shown because one of the counts it is "
    "worked out from is hidden."
)


def cell_text(cell: Cell | None, *, threshold: int, rate: bool) -> str:
    """The cell as text: "<5" for a hidden count, "—" for a hidden rate."""
    if cell is None:
        return ""
    if rate and cell.suppressed:
        return HIDDEN_RATE
    return display(cell, threshold=threshold, rate=rate)


def turnout_rate_note() -> str:
    """How the turnout and no-show rates are worked out, in the reader's language."""
    minutes = getattr(settings, "NO_SHOW_AFTER_MINUTES", 60)
    return gettext(
        "Turnout and no-show rates are worked out over the visits whose time has "
        "come: those she came to and those she missed. Bookings still ahead are "
        "left out; a visit counts as missed %(minutes)s minutes after its slot ends."
    ) % {"minutes": minutes}
