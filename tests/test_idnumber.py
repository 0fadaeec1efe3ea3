"""ID-number validation (kiosk.idnumber): table-driven cases and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.identity import Gender
from kiosk.idnumber import NumberKind, Problem, check_number, is_valid_number, mod11_2_check_char, mrz_check_digit

TODAY = date(2026, 11, 27)


def with_check(first17: str) -> str:
    return first17 + mod11_2_check_char(first17)


@pytest.mark.parametrize(
    "number, kind, birth, gender",
    [
        # Numbers verified by hand against GB 11643 MOD 11-2.
        ("11010519491231002X", NumberKind.RESIDENT, date(1949, 12, 31), Gender.FEMALE),
        ("360426199101010071", NumberKind.RESIDENT, date(1991, 1, 1), Gender.MALE),
        ("810000199408230021", NumberKind.HK_MO_TW, date(1994, 8, 23), Gender.FEMALE),
        ("830000199201300022", NumberKind.HK_MO_TW, date(1992, 1, 30), Gender.FEMALE),
        (with_check("82000020000229001"), NumberKind.HK_MO_TW, date(2000, 2, 29), Gender.MALE),
        (with_check("94284019800412011"), NumberKind.FOREIGN_2023, date(1980, 4, 12), Gender.MALE),
        ("DEU420175083023", NumberKind.FOREIGN_2017, date(1975, 8, 30), None),
    ],
)
def test_valid_numbers(number: str, kind: NumberKind, birth: date, gender: Gender | None) -> None:
    check = check_number(number, birth_date=birth, gender=gender, today=TODAY)
    assert check.valid, check.problems
    assert check.kind is kind
    assert check.birth_date == birth
    assert check.gender == gender


def test_lowercase_x_and_spaces_are_accepted() -> None:
    assert is_valid_number(" 11010519491231002x ", today=TODAY)


@pytest.mark.parametrize(
    "number, problem",
    [
        ("110105194912310021", Problem.CHECKSUM),
        ("11010519491231002", Problem.FORMAT),
        ("1101051949123100XX", Problem.FORMAT),
        ("", Problem.FORMAT),
        (with_check("99010519491231002"), Problem.REGION),  # 9x is foreign-2023 shape: province 90 invalid
        (with_check("00010519491231002"), Problem.REGION),
        (with_check("81123419940823002"), Problem.REGION),  # permits use exactly 810000
        (with_check("11010519491331002"), Problem.BIRTH_DATE),  # month 13
        (with_check("11010520300101002"), Problem.BIRTH_DATE),  # born in the future
        (with_check("90084019800412011"), Problem.REGION),  # foreign 2023, province 00
        ("DEU420175083024", Problem.CHECKSUM),
        ("DEU420175133023", Problem.BIRTH_DATE),
    ],
)
def test_invalid_numbers(number: str, problem: Problem) -> None:
    check = check_number(number, today=TODAY)
    assert not check.valid
    assert problem in check.problems


def test_cross_checks_with_card_fields() -> None:
    number = "11010519491231002X"
    assert Problem.BIRTH_MISMATCH in check_number(number, birth_date=date(1949, 12, 30), today=TODAY).problems
    assert Problem.GENDER_MISMATCH in check_number(number, gender=Gender.MALE, today=TODAY).problems
    # An unknown gender on the card is not a contradiction.
    assert check_number(number, gender=Gender.UNKNOWN, today=TODAY).valid


def test_check_characters() -> None:
    assert mod11_2_check_char("11010519491231002") == "X"
    assert mrz_check_digit("DEU42017508302") == "3"
    with pytest.raises(ValueError):
        mod11_2_check_char("1234")


@given(st.from_regex(r"[1-6]\d{16}", fullmatch=True))
def test_computed_check_char_never_fails_the_checksum(first17: str) -> None:
    assert Problem.CHECKSUM not in check_number(first17 + mod11_2_check_char(first17), today=TODAY).problems


@given(st.text(max_size=40))
def test_any_text_is_judged_without_raising(text: str) -> None:
    check_number(text, today=TODAY)


@given(st.from_regex(r"[1-6]\d{16}", fullmatch=True), st.sampled_from("0123456789X"))
def test_single_wrong_check_char_is_always_caught(first17: str, char: str) -> None:
    right = mod11_2_check_char(first17)
    if char != right:
        assert Problem.CHECKSUM in check_number(first17 + char, today=TODAY).problems
