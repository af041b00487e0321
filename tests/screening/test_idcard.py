from datetime import date

import pytest
from django.utils.functional import Promise

from screening.idcard import (
    IdNumber,
    InvalidIdNumber,
    age_on,
    id_check_character,
    normalise_id_number,
    parse_id_number,
)

TODAY = date(2025, 6, 1)


def full_width(text: str) -> str:
    """The same characters as typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def with_check_character(body: str) -> str:
    """Complete 17 digits into a valid number, derived straight from ISO 7064 MOD 11-2.

    Written independently of the module's weight table, so the two check each other.
    """
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def code_of(raw: str, today: date = TODAY) -> str:
    with pytest.raises(InvalidIdNumber) as excinfo:
        parse_id_number(raw, today=today)
    return str(excinfo.value.code)


def test_the_reference_number_parses_as_a_woman_born_on_31_december_1949():
    parsed = parse_id_number("11010519491231002X", today=TODAY)

    assert parsed == IdNumber(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        sex="F",
        region_code="110105",
        region_known=True,
    )


def test_a_lowercase_x_is_accepted_and_stored_in_upper_case():
    parsed = parse_id_number("11010519491231002x", today=TODAY)

    assert parsed.number == "11010519491231002X"


def test_surrounding_whitespace_is_ignored():
    parsed = parse_id_number("  11010519491231002X\t\n", today=TODAY)

    assert parsed.number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "birth_date", "sex"),
    [
        ("360426199101010071", date(1991, 1, 1), "M"),
        ("440524188001010014", date(1880, 1, 1), "M"),
    ],
)
def test_published_checksum_valid_numbers_are_accepted(number, birth_date, sex):
    parsed = parse_id_number(number, today=TODAY)

    assert (parsed.birth_date, parsed.sex, parsed.region_known) == (
        birth_date,
        sex,
        True,
    )


@pytest.mark.parametrize(
    ("sequence", "sex"),
    [("001", "M"), ("002", "F"), ("013", "M"), ("990", "F"), ("997", "M")],
)
def test_the_seventeenth_digit_gives_the_sex_odd_male_even_female(sequence, sex):
    number = with_check_character("11010519900101" + sequence)

    assert parse_id_number(number, today=TODAY).sex == sex


def test_the_test_helper_agrees_with_the_published_numbers():
    assert [
        with_check_character(n[:17])
        for n in ("11010519491231002X", "360426199101010071", "440524188001010014")
    ] == ["11010519491231002X", "360426199101010071", "440524188001010014"]


def test_the_module_check_character_agrees_with_the_test_helper():
    bodies = [f"{n:017d}" for n in range(0, 10**17, 7_777_777_777_777)]

    assert [b + id_check_character(b) for b in bodies] == [
        with_check_character(b) for b in bodies
    ]


# Every check character but the right one, which is 1.
@pytest.mark.parametrize("wrong", "023456789X")
def test_a_wrong_check_character_is_rejected_with_id_checksum(wrong):
    assert code_of("36042619910101007" + wrong) == "id_checksum"


def test_two_swapped_digits_are_rejected_with_id_checksum():
    assert code_of("11010519491213002X") == "id_checksum"


@pytest.mark.parametrize(
    "body",
    [
        "11010519900230002",  # 30 February
        "11010519900229002",  # 29 February in a non-leap year
        "11010519000229002",  # 1900 is not a leap year
        "11010519901301002",  # month 13
        "11010519900001002",  # month 0
        "11010519900100002",  # day 0
        "11010519900431002",  # 31 April
        "11010500000101002",  # year 0
    ],
)
def test_a_date_that_does_not_exist_is_rejected_with_id_date(body):
    assert code_of(with_check_character(body)) == "id_date"


@pytest.mark.parametrize("body", ["11010520000229002", "11010520240229002"])
def test_29_february_in_a_leap_year_is_a_real_date(body):
    parsed = parse_id_number(with_check_character(body), today=TODAY)

    assert (parsed.birth_date.month, parsed.birth_date.day) == (2, 29)


def test_a_birth_date_after_today_is_rejected_with_id_future():
    number = with_check_character("11010520250602002")

    assert code_of(number, today=date(2025, 6, 1)) == "id_future"


def test_a_baby_born_today_is_accepted():
    number = with_check_character("11010520250601002")

    assert parse_id_number(number, today=date(2025, 6, 1)).birth_date == date(
        2025, 6, 1
    )


@pytest.mark.parametrize("raw", ["110105491231002", " 360426910101007 "])
def test_a_15_digit_first_generation_number_is_rejected_with_id_15_digits(raw):
    assert code_of(raw) == "id_15_digits"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "11010519491231002",  # 17 digits
        "11010519491231002X1",  # 19 characters
        "11010519491231002Y",
        "X10105194912310021",  # X only allowed last
        "1101051949123100AX",
        "110105-19491231-002X",
        # Arabic-Indic digits are not full-width ones: NFKC leaves them as they are.
        "".join(chr(0x0660 + int(d)) for d in "11010519491231002") + "X",
        "11010519491231X",  # 15 characters ending in X
        "11010519491231002XX",
    ],
)
def test_anything_but_17_digits_and_a_digit_or_x_is_rejected_with_id_format(raw):
    assert code_of(raw) == "id_format"


def test_the_check_character_is_tested_before_the_date():
    # A typo in the date digits usually breaks the checksum too; reporting the
    # checksum keeps the message the same whichever digit was mistyped.
    assert code_of("11010519900230002X") == "id_checksum"


@pytest.mark.parametrize("prefix", ["00", "10", "16", "20", "24", "47", "99"])
def test_an_unknown_region_code_is_accepted_with_region_known_false(prefix):
    number = with_check_character(prefix + "010519900101002")

    parsed = parse_id_number(number, today=TODAY)

    assert (parsed.region_code, parsed.region_known) == (prefix + "0105", False)


@pytest.mark.parametrize("prefix", ["11", "15", "37", "46", "54", "65", "71", "81"])
def test_a_province_level_region_code_is_known(prefix):
    number = with_check_character(prefix + "010519900101002")

    assert parse_id_number(number, today=TODAY).region_known is True


def test_a_residence_permit_for_taiwan_residents_is_known():
    number = with_check_character("83000019900101002")

    assert parse_id_number(number, today=TODAY).region_known is True


def test_the_error_says_why_and_carries_a_lazy_message():
    with pytest.raises(InvalidIdNumber) as excinfo:
        parse_id_number("110105491231002", today=TODAY)

    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value.message, Promise)


def test_the_parsed_number_cannot_be_changed():
    parsed = parse_id_number("11010519491231002X", today=TODAY)

    with pytest.raises(AttributeError):
        parsed.sex = "M"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 11010519491231002X\n", "11010519491231002X"),
        ("360426199101010071", "360426199101010071"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("110105\u300019491231\u00a0002x", "11010519491231002X"),
        (full_width("11010519491231002X"), "11010519491231002X"),
        (full_width("11010519491231002x"), "11010519491231002X"),
    ],
)
def test_normalising_strips_and_upper_cases_so_equal_numbers_hash_alike(
    raw, normalised
):
    assert normalise_id_number(raw) == normalised


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2025, 3, 14), 34),  # the day before the birthday
        (date(2025, 3, 15), 35),  # the birthday
        (date(2025, 3, 16), 35),  # the day after
        (date(2025, 12, 31), 35),
        (date(2026, 1, 1), 35),
        (date(1990, 3, 15), 0),  # the day of birth
    ],
)
def test_age_is_counted_in_full_years_around_the_birthday(day, age):
    assert age_on(date(1990, 3, 15), day) == age


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (date(2025, 2, 28), 24),  # non-leap year: not yet
        (date(2025, 3, 1), 25),  # non-leap year: reached on 1 March
        (date(2024, 2, 28), 23),  # leap year: the day before
        (date(2024, 2, 29), 24),  # leap year: the birthday itself
        (date(2024, 3, 1), 24),
    ],
)
def test_a_29_february_birthday_is_reached_on_1_march_in_non_leap_years(day, age):
    assert age_on(date(2000, 2, 29), day) == age


def test_age_on_a_day_before_birth_is_an_error():
    with pytest.raises(ValueError, match="before"):
        age_on(date(1990, 3, 15), date(1990, 3, 14))


def test_an_id_typed_in_groups_or_in_full_width_is_accepted_as_the_plain_number():
    for raw in ("110105 19491231 002X", full_width("11010519491231002X")):
        assert parse_id_number(raw, today=TODAY).number == "11010519491231002X"
