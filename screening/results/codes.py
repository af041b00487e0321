"""Which result codes each test allows, and how raw input is read as one."""

from django.utils.translation import gettext

from screening.models import ResultCode, ResultTest

# Lab exports and desk staff name tests in Chinese as often as by code.
TEST_ALIASES = {
    "hpv": ResultTest.HPV,
    "hrhpv": ResultTest.HPV,
    "高危型hpv": ResultTest.HPV,
    "hpv检测": ResultTest.HPV,
    "cytology": ResultTest.CYTOLOGY,
    "tct": ResultTest.CYTOLOGY,
    "lbc": ResultTest.CYTOLOGY,
    "宫颈细胞学": ResultTest.CYTOLOGY,
    "细胞学": ResultTest.CYTOLOGY,
    "cbe": ResultTest.CBE,
    "乳腺体检": ResultTest.CBE,
    "临床乳腺检查": ResultTest.CBE,
    "breast_ultrasound": ResultTest.BREAST_ULTRASOUND,
    "乳腺超声": ResultTest.BREAST_ULTRASOUND,
    "乳腺彩超": ResultTest.BREAST_ULTRASOUND,
    "mammography": ResultTest.MAMMOGRAPHY,
    "乳腺x线": ResultTest.MAMMOGRAPHY,
    "钼靶": ResultTest.MAMMOGRAPHY,
}


def normalise_test(raw: str) -> str:
    return TEST_ALIASES.get(raw.strip().lower(), raw.strip().lower())


def normalise_value(raw: str) -> str:
    """`asc-us` and `ASC_US` are the same code; so are `birads 4a` and `BIRADS_4A`."""
    return raw.strip().upper().replace("-", "_").replace(" ", "_")


def allowed_codes() -> dict[str, frozenset[str]]:
    """The active codes of each test, from the editable table, in one query."""
    codes: dict[str, set[str]] = {test: set() for test in ResultTest.values}
    for test, code in ResultCode.objects.filter(active=True).values_list(
        "test", "code"
    ):
        codes.setdefault(test, set()).add(code)
    return {test: frozenset(values) for test, values in codes.items()}


def code_problem(
    *, test: str, value: str, allowed: dict[str, frozenset[str]]
) -> tuple[str, str] | None:
    """(field, message) when `test` or `value` is not allowed, else None."""
    if test not in ResultTest.values:
        return "test", gettext("“%(test)s” is not a test. Use one of: %(tests)s.") % {
            "test": test,
            "tests": ", ".join(ResultTest.values),
        }
    if not value:
        return "value", gettext("The result is empty.")
    if value not in allowed.get(test, frozenset()):
        return "value", gettext("“%(value)s” is not a result code of %(test)s.") % {
            "value": value,
            "test": test,
        }
    return None
