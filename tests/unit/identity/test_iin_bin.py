"""Parsing, decoding and encoding of IIN and BIN."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kepil.domain.identity import (
    Bin,
    EntityKind,
    EntityType,
    IdentifierKind,
    Iin,
    InvalidIdentifierError,
    InvalidReason,
    Sex,
    check_digit,
    make_bin,
    make_iin,
    parse_bin,
    parse_identifier,
    parse_iin,
)

R = InvalidReason

birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(Sex)
eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


def reason_for(text: str) -> InvalidReason:
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_identifier(text)
    return raised.value.reason


def parsed_or_reason(text: str) -> Iin | Bin | InvalidReason:
    try:
        return parse_identifier(text)
    except InvalidIdentifierError as error:
        return error.reason


def test_real_bin_990140004654_is_a_resident_legal_entity_head_office_from_january_1999() -> None:
    parsed = parse_identifier("990140004654")
    assert parsed == Bin(
        "990140004654",
        registration_yy=99,
        registration_month=1,
        entity_type=EntityType.LEGAL_ENTITY_RESIDENT,
        entity_kind=EntityKind.HEAD_OFFICE,
        serial=465,
    )
    assert parsed.kind is IdentifierKind.BIN
    assert parsed.registration_year(not_after=2025) == 1999


def test_an_iin_decodes_birth_date_century_sex_and_serial() -> None:
    parsed = parse_identifier("850712300017")
    assert parsed == Iin(
        "850712300017", birth_date=date(1985, 7, 12), century=1900, sex=Sex.MALE, serial=1
    )
    assert parsed.kind is IdentifierKind.IIN


@pytest.mark.parametrize(
    ("number", "century", "sex"),
    [
        ("180101100011", 1800, Sex.MALE),
        ("180101200018", 1800, Sex.FEMALE),
        ("850712300017", 1900, Sex.MALE),
        ("850712400013", 1900, Sex.FEMALE),
        ("050101500010", 2000, Sex.MALE),
        ("050101600017", 2000, Sex.FEMALE),
    ],
)
def test_digit_7_of_an_iin_encodes_century_and_sex(number: str, century: int, sex: Sex) -> None:
    parsed = parse_iin(number)
    assert (parsed.century, parsed.sex) == (century, sex)
    assert parsed.birth_date is not None
    assert parsed.birth_date.year // 100 * 100 == century


def test_digit_7_zero_leaves_century_sex_and_birth_date_unknown() -> None:
    assert parse_iin("850712000018") == Iin(
        "850712000018", birth_date=None, century=None, sex=None, serial=1
    )


def test_digit_7_zero_accepts_february_29_when_some_century_makes_it_a_leap_day() -> None:
    # 2000 is a leap year, so 000229 is a date although 1800 and 1900 were not leap years.
    assert parse_iin("000229000016").birth_date is None


def test_digit_7_zero_rejects_february_29_that_no_century_has() -> None:
    assert reason_for("010229000018") is R.BAD_BIRTH_DATE


@pytest.mark.parametrize(
    "number",
    [
        "9901400046",  # too short
        "9901400046540",  # too long
        "12ab",
        "abcdefghijkl",
        "9901 4000 4654",  # separators are not accepted
        "99-014-000465",
        "９９０１４０００４６５４",  # fullwidth digits
        "",
    ],
)
def test_anything_but_twelve_ascii_digits_is_not_12_digits(number: str) -> None:
    assert reason_for(number) is R.NOT_12_DIGITS


def test_the_unreadable_input_is_quoted_and_cut_in_the_message() -> None:
    with pytest.raises(InvalidIdentifierError, match=r"^'12ab' is not a 12-digit IIN/BIN$"):
        parse_identifier("12ab")
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_identifier("x" * 500)
    assert len(raised.value.message) < 80


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_identifier(" \t990140004654\n").number == "990140004654"


@pytest.mark.parametrize("number", ["850712301600", "850712301605", "990140000820"])
def test_a_number_whose_check_digit_would_be_ten_twice_is_unissuable(number: str) -> None:
    assert reason_for(number) is R.UNISSUABLE


@pytest.mark.parametrize("number", ["990140004655", "850712300018", "910140004650"])
def test_a_wrong_twelfth_digit_is_a_bad_check_digit(number: str) -> None:
    assert reason_for(number) is R.BAD_CHECK_DIGIT


def test_a_bad_check_digit_is_reported_before_a_bad_field() -> None:
    # Month 13 and a wrong check digit: the typo signal wins over the garbled field.
    assert reason_for("991340004650") is R.BAD_CHECK_DIGIT


@pytest.mark.parametrize("number", ["850712700012", "850712800019", "850712900015"])
def test_an_iin_with_digit_7_above_6_has_a_bad_century_digit(number: str) -> None:
    assert reason_for(number) is R.BAD_CENTURY_DIGIT


@pytest.mark.parametrize(
    "number",
    [
        "990230300015",  # 30 February 1999
        "991301300013",  # month 13
        "000229300015",  # 1900 was not a leap year
        "990171300015",  # digit 5 is 7: neither a day's tens digit nor an entity type
        "850700300011",  # day 00
    ],
)
def test_an_iin_whose_first_six_digits_are_no_date_has_a_bad_birth_date(number: str) -> None:
    assert reason_for(number) is R.BAD_BIRTH_DATE


def test_february_29_2000_is_a_valid_birth_date() -> None:
    assert parse_iin("000229500018").birth_date == date(2000, 2, 29)


@pytest.mark.parametrize("number", ["991340004654", "990040004650"])
def test_a_bin_with_month_outside_01_12_has_a_bad_month(number: str) -> None:
    assert reason_for(number) is R.BAD_MONTH


def test_a_bin_with_digit_6_above_3_has_a_bad_entity_kind() -> None:
    assert reason_for("990144004656") is R.BAD_ENTITY_KIND


def test_an_iin_read_as_a_bin_has_a_bad_entity_type() -> None:
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_bin("850712300017")
    assert raised.value.reason is R.BAD_ENTITY_TYPE


def test_a_bin_read_as_an_iin_has_a_bad_birth_date() -> None:
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_iin("990140004654")
    assert raised.value.reason is R.BAD_BIRTH_DATE


@pytest.mark.parametrize(
    ("number", "entity_type", "entity_kind"),
    [
        ("990140004654", EntityType.LEGAL_ENTITY_RESIDENT, EntityKind.HEAD_OFFICE),
        ("990150004659", EntityType.LEGAL_ENTITY_NON_RESIDENT, EntityKind.HEAD_OFFICE),
        ("990543000018", EntityType.LEGAL_ENTITY_RESIDENT, EntityKind.PEASANT_FARM_JOINT),
        ("990551000011", EntityType.LEGAL_ENTITY_NON_RESIDENT, EntityKind.BRANCH),
        ("991262000013", EntityType.JOINT_ENTREPRENEUR, EntityKind.REPRESENTATIVE_OFFICE),
    ],
)
def test_digits_5_and_6_of_a_bin_encode_entity_type_and_kind(
    number: str, entity_type: EntityType, entity_kind: EntityKind
) -> None:
    parsed = parse_bin(number)
    assert (parsed.entity_type, parsed.entity_kind) == (entity_type, entity_kind)


def test_every_reason_has_an_example_here() -> None:
    examples = {
        R.NOT_12_DIGITS: "12ab",
        R.UNISSUABLE: "850712301600",
        R.BAD_CHECK_DIGIT: "990140004655",
        R.BAD_CENTURY_DIGIT: "850712700012",
        R.BAD_BIRTH_DATE: "990230300015",
        R.BAD_MONTH: "991340004654",
        R.BAD_ENTITY_TYPE: "850712300017",
        R.BAD_ENTITY_KIND: "990144004656",
    }
    assert set(examples) == set(InvalidReason)
    for reason, number in examples.items():
        with pytest.raises(InvalidIdentifierError) as raised:
            parse_bin(number) if reason is R.BAD_ENTITY_TYPE else parse_identifier(number)
        assert raised.value.reason is reason
        assert isinstance(raised.value, ValueError)
        assert str(raised.value) == raised.value.message


def test_an_invalid_identifier_error_survives_pickling() -> None:
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_identifier("990140004655")
    copy = pickle.loads(pickle.dumps(raised.value))  # noqa: S301 - our own bytes
    assert (copy.reason, copy.message) == (raised.value.reason, raised.value.message)


@pytest.mark.parametrize(
    ("yy", "not_after", "year"),
    [(99, 2025, 1999), (25, 2025, 2025), (26, 2025, 1926), (0, 2099, 2000), (99, 2099, 2099)],
)
def test_registration_year_is_the_latest_year_with_those_digits_not_after_the_limit(
    yy: int, not_after: int, year: int
) -> None:
    number = make_bin(2000 + yy, 1, EntityType.LEGAL_ENTITY_RESIDENT, EntityKind.HEAD_OFFICE, 1)
    assert number is not None
    assert parse_bin(number).registration_year(not_after=not_after) == year


def test_make_iin_returns_none_when_the_number_cannot_be_issued() -> None:
    assert make_iin(date(1985, 7, 12), Sex.MALE, 160) is None


def test_make_bin_returns_none_when_the_number_cannot_be_issued() -> None:
    assert make_bin(1999, 1, EntityType.LEGAL_ENTITY_RESIDENT, EntityKind.HEAD_OFFICE, 82) is None


def test_make_bin_reproduces_the_real_bin() -> None:
    made = make_bin(1999, 1, EntityType.LEGAL_ENTITY_RESIDENT, EntityKind.HEAD_OFFICE, 465)
    assert made == "990140004654"


@pytest.mark.parametrize(
    ("birth_date", "serial"),
    [
        (date(1799, 12, 31), 1),
        (date(2100, 1, 1), 1),
        (date(2000, 1, 1), -1),
        (date(2000, 1, 1), 10_000),
    ],
)
def test_make_iin_rejects_fields_an_iin_cannot_hold(birth_date: date, serial: int) -> None:
    with pytest.raises(ValueError, match=r"must be|encodes birth years"):
        make_iin(birth_date, Sex.FEMALE, serial)


@pytest.mark.parametrize(
    ("year", "month", "serial"),
    [(0, 1, 1), (10_000, 1, 1), (2000, 0, 1), (2000, 13, 1), (2000, 1, -1), (2000, 1, 100_000)],
)
def test_make_bin_rejects_fields_a_bin_cannot_hold(year: int, month: int, serial: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        make_bin(year, month, EntityType.JOINT_ENTREPRENEUR, EntityKind.BRANCH, serial)


@given(birth_dates, sexes, st.integers(0, 9999))
def test_every_made_iin_parses_back_to_its_fields(birth_date: date, sex: Sex, serial: int) -> None:
    number = make_iin(birth_date, sex, serial)
    assume(number is not None)
    assert number is not None
    parsed = parse_identifier(number)
    assert parsed == Iin(
        number,
        birth_date=birth_date,
        century=birth_date.year // 100 * 100,
        sex=sex,
        serial=serial,
    )


@given(
    st.integers(1, 9999),
    st.integers(1, 12),
    st.sampled_from(EntityType),
    st.sampled_from(EntityKind),
    st.integers(0, 99_999),
)
def test_every_made_bin_parses_back_to_its_fields(
    year: int, month: int, entity_type: EntityType, entity_kind: EntityKind, serial: int
) -> None:
    number = make_bin(year, month, entity_type, entity_kind, serial)
    assume(number is not None)
    assert number is not None
    parsed = parse_identifier(number)
    assert parsed == Bin(
        number,
        registration_yy=year % 100,
        registration_month=month,
        entity_type=entity_type,
        entity_kind=entity_kind,
        serial=serial,
    )
    assert isinstance(parsed, Bin)
    assert parsed.registration_year(not_after=year) == year
    assert parsed.registration_year(not_after=year + 99) == year


@given(eleven_digits)
def test_every_number_that_parses_re_encodes_to_itself(first11: str) -> None:
    digit = check_digit(first11)
    assume(digit is not None)
    number = first11 + str(digit)
    parsed = parsed_or_reason(number)
    if isinstance(parsed, InvalidReason):
        # An intact number can only fail on its fields, never as unreadable or mistyped.
        assert parsed not in {R.NOT_12_DIGITS, R.UNISSUABLE, R.BAD_CHECK_DIGIT}
        return
    if isinstance(parsed, Bin):
        year = parsed.registration_year(not_after=2099)
        made = make_bin(
            year, parsed.registration_month, parsed.entity_type, parsed.entity_kind, parsed.serial
        )
    elif parsed.birth_date is not None and parsed.sex is not None:
        made = make_iin(parsed.birth_date, parsed.sex, parsed.serial)
    else:
        assert number[6] == "0"
        return
    assert made == number


@given(st.text())
def test_any_text_either_parses_or_raises_invalid_identifier(text: str) -> None:
    parsed = parsed_or_reason(text)
    if not isinstance(parsed, InvalidReason):
        assert parsed.number == text.strip()
