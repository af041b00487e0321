"""A reason she cannot go on, and whom she may call about it.

The eligibility rules produce these and the errors carry them; both import them
from here, below the models, so that the errors never need the rules (which
need the models, which raise the errors).
"""

from dataclasses import dataclass

from django.utils.translation import gettext


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


def contact_sentence(contact_phone: str) -> str:
    """Whom to call, in the active language; the programme in general when the
    campaign has no number."""
    if contact_phone:
        return gettext("Call %(phone)s and we will help.") % {"phone": contact_phone}
    return gettext("Ask the trade union's screening programme for help.")
