import pytest

from common.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("+8613812345678", "**********5678"),  # not bare digits: last four only
        ("0371-6512345", "********2345"),
        ("65123456", "****3456"),
        ("6512345", "*******"),  # too short to show four
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_masking_keeps_first_three_and_last_four_of_a_mobile(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("410105199001011234", "410105********1234"),
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),  # an old 15-digit number
        ("E12345678", "*****5678"),  # a passport keeps its last four only
        ("G1234", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_id_masking_keeps_the_region_and_the_last_four(id_number, masked):
    assert mask_id_number(id_number) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李晓华", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛孔明", "诸葛**"),
        ("澹台灭明", "澹台**"),
        ("欧阳", "欧*"),  # two characters: surname 欧, given name 阳
        ("张", "*"),  # never shown whole
        (" 王芳 ", "王*"),
        ("买买提·艾力", "买*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_masking_keeps_the_surname_and_stars_the_rest(name, masked):
    assert mask_name(name) == masked
