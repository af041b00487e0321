"""What a name may not contain: characters that are not letters one can see.

A right-to-left override (U+202E) turns "王芳" shown at the desk into anything
the sender likes; other control and format characters hide text or break the
exports and the calendar file. Unicode categories Cc (controls), Cf (format:
bidirectional overrides, zero-width joiners and spaces), Co (private use), Cs
(surrogates), Cn (unassigned) and the line and paragraph separators are refused.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def has_hidden_characters(text: str) -> bool:
    """Whether `text` holds a character of a refused category."""
    return any(unicodedata.category(char) in REFUSED_CATEGORIES for char in text)


HIDDEN_CHARACTERS_MESSAGE = _(
    "This contains an invisible or control character. Please type it again "
    "without copying it from elsewhere."
)
