"""HPV genotypes a lab reports (DOMAIN §6.1): the 14 high-risk types, how a
lab writes them, and whether they agree with the coded hrHPV result."""

from django.utils.translation import gettext

# The WHO high-risk types, in the order labs print them.
HIGH_RISK_TYPES: tuple[int, ...] = (
    16,
    18,
    31,
    33,
    35,
    39,
    45,
    51,
    52,
    56,
    58,
    59,
    66,
    68,
)
# The two types that send her straight to colposcopy (DOMAIN §1.4.1).
REFER_TYPES = frozenset({16, 18})
# Full-width comma and semicolon, as Chinese input methods type them.
SEPARATORS = (";", ",", "\uff0c", "\uff1b", "、", "/", " ")


class GenotypeError(ValueError):
    """A genotype list that cannot be read; `message` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def parse_hpv_types(raw: str) -> tuple[int, ...]:
    """`16;52`, `HPV16, 52` or `16、52` as (16, 52), sorted; GenotypeError for a
    type that is not one of the 14 high-risk types."""
    text = raw.strip().upper().replace("HPV", "")
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    types: set[int] = set()
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        if not part.isdigit() or int(part) not in HIGH_RISK_TYPES:
            raise GenotypeError(
                gettext(
                    "“%(type)s” is not one of the 14 high-risk HPV types (%(types)s)."
                )
                % {"type": part, "types": ", ".join(map(str, HIGH_RISK_TYPES))}
            )
        types.add(int(part))
    return tuple(sorted(types))


def value_for_types(types: tuple[int, ...]) -> str:
    """The hrHPV code the genotypes give when the lab left the code out."""
    if not types:
        return ""
    return "HPV_16_18_POS" if REFER_TYPES & set(types) else "HPV_OTHER_POS"


def types_problem(*, test: str, value: str, types: tuple[int, ...]) -> str | None:
    """Why these genotypes cannot stand beside this result, or None."""
    if not types:
        return None
    if test != "hpv":
        return gettext("Genotypes belong to an hrHPV result only.")
    if value != value_for_types(types):
        return gettext(
            "The genotypes %(types)s do not agree with the result %(value)s."
        ) % {"types": ";".join(map(str, types)), "value": value}
    return None


def format_types(types: list[int] | tuple[int, ...]) -> str:
    return ";".join(str(t) for t in types)
