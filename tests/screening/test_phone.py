import pytest
from django.utils.functional import Promise

from common.phone import InvalidPhone, normalise_phone, phone_e164


def full_width(text: str) -> str:
    """The same characters as typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 13812345678 ",
        "+8613812345678",
        "+86 138 1234 5678",
        "008613812345678",
        "0086-138-1234-5678",
        "8613812345678",
        "86 13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "(+86) 138-1234-5678",
        "+86 (138) 1234.5678",
        "138\u00a01234\u30005678",  # non-breaking and full-width spaces
    ],
)
def test_common_ways_of_writing_a_number_normalise_to_the_bare_11_digits(raw):
    assert normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw",
    [
        "13012345678",
        "14512345678",
        "15912345678",
        "16612345678",
        "17712345678",
        "18612345678",
        "19912345678",
    ],
)
def test_every_mobile_range_from_13x_to_19x_is_accepted(raw):
    assert normalise_phone(raw) == raw


def test_a_number_that_itself_starts_with_86_is_not_mistaken_for_a_prefix():
    # 86 followed by only 9 digits is not a prefix, so nothing is stripped.
    with pytest.raises(InvalidPhone):
        normalise_phone("86123456789")


@pytest.mark.parametrize(
    "raw",
    [
        "12012345678",  # 12x is not a mobile range
        "11012345678",
        "10012345678",
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "1440123456789",  # 13-digit IoT number
        "1064812345678",  # 13-digit 10x data number
        "+85213812345678",  # another country code
        "+8612012345678",
        "+86138123456",
        "8613812345678 ext 1",
        "138" + full_width("12345678"),
        "138abcd5678",
        "+13812345678",
        "",
        "   ",
    ],
)
def test_anything_but_a_mainland_mobile_number_is_rejected(raw):
    with pytest.raises(InvalidPhone) as excinfo:
        normalise_phone(raw)

    assert str(excinfo.value.code) == "phone_invalid"


def test_the_error_is_a_value_error_with_a_lazy_message():
    with pytest.raises(InvalidPhone) as excinfo:
        normalise_phone("12012345678")

    assert isinstance(excinfo.value, ValueError)
    assert isinstance(excinfo.value.message, Promise)


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138 1234 5678", "008613812345678", "+8613812345678"]
)
def test_e164_form_is_plus_86_and_the_11_digits(raw):
    assert phone_e164(raw) == "+8613812345678"


def test_e164_form_of_an_invalid_number_is_an_error():
    with pytest.raises(InvalidPhone):
        phone_e164("12012345678")
