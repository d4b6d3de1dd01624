"""IIN (persons) and BIN (businesses) of Kazakhstan: parse, validate, decode and encode.

Validation order: the 12 digits are read, then the check digit is verified, and only then the
fields are decoded. A check-digit failure is the signal for a mistyped number, so it is reported
before any field that the typo may have garbled.

Known blind spots of the check digit (tests/unit/identity/test_check_digit.py proves them):
digit 11 has the first weight 11, which is 0 modulo 11, so while the first weights decide (10 of
11 numbers) any change to digit 11 keeps the number valid (990140004654 -> 990140004664).
A change to digits 1-10 goes unnoticed only when it moves the number between the first and the
second weights (990140004654 -> 910140004654).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import ClassVar, Final

from kepil.domain.identity.checksum import check_digit, is_ascii_digits


class IdentifierKind(StrEnum):
    """Which register a 12-digit number belongs to."""

    IIN = "iin"
    BIN = "bin"


class Sex(StrEnum):
    """Sex as digit 7 of an IIN encodes it."""

    MALE = "male"
    FEMALE = "female"


class EntityType(StrEnum):
    """Digit 5 of a BIN: the type of the registered entity."""

    LEGAL_ENTITY_RESIDENT = "legal_entity_resident"
    LEGAL_ENTITY_NON_RESIDENT = "legal_entity_non_resident"
    JOINT_ENTREPRENEUR = "joint_entrepreneur"  # ИП(С): an ИП in joint entrepreneurship


class EntityKind(StrEnum):
    """Digit 6 of a BIN: which part of the entity, or a joint peasant (farm) enterprise."""

    HEAD_OFFICE = "head_office"  # головное подразделение
    BRANCH = "branch"  # филиал
    REPRESENTATIVE_OFFICE = "representative_office"  # представительство
    PEASANT_FARM_JOINT = "peasant_farm_joint"  # КХ/ФХ на основе совместного предпринимательства


class InvalidReason(StrEnum):
    """Machine-readable reason why a text is not a valid IIN/BIN."""

    NOT_12_DIGITS = "not_12_digits"
    UNISSUABLE = "unissuable"
    BAD_CHECK_DIGIT = "bad_check_digit"
    BAD_CENTURY_DIGIT = "bad_century_digit"
    BAD_BIRTH_DATE = "bad_birth_date"
    BAD_MONTH = "bad_month"
    BAD_ENTITY_TYPE = "bad_entity_type"
    BAD_ENTITY_KIND = "bad_entity_kind"


class InvalidIdentifierError(ValueError):
    """A text that is not a valid IIN/BIN; `reason` names the rule it breaks."""

    def __init__(self, reason: InvalidReason, message: str) -> None:
        """Keep the reason code beside the human message."""
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[InvalidIdentifierError], tuple[InvalidReason, str]]:
        """Rebuild from both fields, so the error survives pickling across processes."""
        return (type(self), (self.reason, self.message))


_ENTITY_TYPE_DIGITS: Final = {
    EntityType.LEGAL_ENTITY_RESIDENT: 4,
    EntityType.LEGAL_ENTITY_NON_RESIDENT: 5,
    EntityType.JOINT_ENTREPRENEUR: 6,
}
_ENTITY_KIND_DIGITS: Final = {
    EntityKind.HEAD_OFFICE: 0,
    EntityKind.BRANCH: 1,
    EntityKind.REPRESENTATIVE_OFFICE: 2,
    EntityKind.PEASANT_FARM_JOINT: 3,
}
_ENTITY_TYPES: Final = {digit: kind for kind, digit in _ENTITY_TYPE_DIGITS.items()}
_ENTITY_KINDS: Final = {digit: kind for kind, digit in _ENTITY_KIND_DIGITS.items()}
# Digit 7 of an IIN: 1-2 the 1800s, 3-4 the 1900s, 5-6 the 2000s; odd male, even female.
_FIRST_CENTURY: Final = 1800
_LAST_YEAR: Final = 2099
_CENTURY_UNKNOWN: Final = 0
_MAX_CENTURY_DIGIT: Final = 6
_BIN_TYPE_DIGITS: Final = frozenset("456")
_SHOWN_INPUT_LIMIT: Final = 40


@dataclass(frozen=True, slots=True)
class Iin:
    """A valid IIN and what it says about the person.

    Digit 7 = 0 (foreign citizens, persons without century data) leaves the century unknown:
    birth_date, century and sex are then None, yet digits 1-6 must still be a date in some
    century the IIN can encode (1800-2099), so 000229 passes (2000 is a leap year), 010229 not.
    """

    kind: ClassVar[IdentifierKind] = IdentifierKind.IIN
    number: str
    birth_date: date | None
    century: int | None
    sex: Sex | None
    serial: int


@dataclass(frozen=True, slots=True)
class Bin:
    """A valid BIN and what it says about the registered entity."""

    kind: ClassVar[IdentifierKind] = IdentifierKind.BIN
    number: str
    registration_yy: int
    registration_month: int
    entity_type: EntityType
    entity_kind: EntityKind
    serial: int

    def registration_year(self, not_after: int) -> int:
        """The latest year ending in `registration_yy` that is not after `not_after`."""
        # A BIN carries only two year digits and the domain has no clock: the caller supplies
        # "now" (or the date of a document), since no entity is registered in the future.
        return not_after - (not_after - self.registration_yy) % 100


def parse_identifier(text: str, *, today: date | None = None) -> Iin | Bin:
    """Parse an IIN or a BIN (surrounding whitespace ignored), or raise InvalidIdentifierError.

    Given `today`, an IIN whose birth date lies after it is invalid too (the domain has no
    clock, so only a caller that knows the date can apply that rule).
    """
    number = _intact_number(text)
    # Digit 5 of an IIN is the tens of the birth day (0-3); in a BIN it is the entity type (4-6).
    if number[4] in _BIN_TYPE_DIGITS:
        return _decode_bin(number)
    return _decode_iin(number, today)


def parse_iin(text: str, *, today: date | None = None) -> Iin:
    """Parse an IIN, or raise InvalidIdentifierError (a BIN fails as a bad birth date)."""
    return _decode_iin(_intact_number(text), today)


def parse_bin(text: str) -> Bin:
    """Parse a BIN, or raise InvalidIdentifierError (an IIN fails as a bad entity type)."""
    return _decode_bin(_intact_number(text))


def make_iin(birth_date: date, sex: Sex, serial: int) -> str | None:
    """The IIN for these fields, or None when its check digit would be 10 under both weights."""
    if not _FIRST_CENTURY <= birth_date.year <= _LAST_YEAR:
        raise ValueError(f"an IIN encodes birth years 1800-2099, not {birth_date.year}")
    _require_range("IIN serial", serial, 0, 9999)
    century_index = (birth_date.year - _FIRST_CENTURY) // 100
    century_digit = 1 + 2 * century_index + (0 if sex is Sex.MALE else 1)
    return _with_check_digit(f"{birth_date:%y%m%d}{century_digit}{serial:04d}")


def make_bin(
    year: int, month: int, entity_type: EntityType, entity_kind: EntityKind, serial: int
) -> str | None:
    """The BIN for these fields, or None when its check digit would be 10 under both weights."""
    _require_range("registration year", year, 1, 9999)
    _require_range("registration month", month, 1, 12)
    _require_range("BIN serial", serial, 0, 99999)
    type_digit = _ENTITY_TYPE_DIGITS[entity_type]
    kind_digit = _ENTITY_KIND_DIGITS[entity_kind]
    return _with_check_digit(f"{year % 100:02d}{month:02d}{type_digit}{kind_digit}{serial:05d}")


def _intact_number(text: str) -> str:
    number = text.strip()
    if not is_ascii_digits(number, 12):
        shown = number if len(number) <= _SHOWN_INPUT_LIMIT else number[:_SHOWN_INPUT_LIMIT] + "…"
        raise InvalidIdentifierError(
            InvalidReason.NOT_12_DIGITS, f"{shown!r} is not a 12-digit IIN/BIN"
        )
    expected = check_digit(number[:11])
    if expected is None:
        raise InvalidIdentifierError(
            InvalidReason.UNISSUABLE,
            f"{number} is never issued: its check digit would be 10 under both weight sets",
        )
    if expected != int(number[11]):
        raise InvalidIdentifierError(
            InvalidReason.BAD_CHECK_DIGIT,
            f"{number} fails its check digit: digit 12 is {number[11]}, expected {expected}",
        )
    return number


def _decode_iin(number: str, today: date | None = None) -> Iin:
    century_digit = int(number[6])
    if century_digit > _MAX_CENTURY_DIGIT:
        raise InvalidIdentifierError(
            InvalidReason.BAD_CENTURY_DIGIT,
            f"{number} is not a valid IIN: digit 7 is {century_digit}, not a century code 0-6",
        )
    yy, month, day = int(number[0:2]), int(number[2:4]), int(number[4:6])
    serial = int(number[7:11])
    if century_digit == _CENTURY_UNKNOWN:
        centuries = (1800, 1900, 2000)
        if not any(_is_past_date(century + yy, month, day, today) for century in centuries):
            raise _bad_birth_date(number, "in any century")
        return Iin(number, birth_date=None, century=None, sex=None, serial=serial)
    century = _FIRST_CENTURY + 100 * ((century_digit - 1) // 2)
    if not _is_date(century + yy, month, day):
        raise _bad_birth_date(number, f"in the {century}s")
    if today is not None and date(century + yy, month, day) > today:
        raise InvalidIdentifierError(
            InvalidReason.BAD_BIRTH_DATE,
            f"{number} is not a valid IIN: its birth date {date(century + yy, month, day)} "
            f"(digit 7 {century_digit}: the {century}s) is after today, {today}",
        )
    sex = Sex.MALE if century_digit % 2 == 1 else Sex.FEMALE
    birth_date = date(century + yy, month, day)
    return Iin(number, birth_date=birth_date, century=century, sex=sex, serial=serial)


def _decode_bin(number: str) -> Bin:
    month = int(number[2:4])
    if not 1 <= month <= 12:
        raise InvalidIdentifierError(
            InvalidReason.BAD_MONTH,
            f"{number} is not a valid BIN: digits 3-4 ({number[2:4]}) are not a month 01-12",
        )
    entity_type = _ENTITY_TYPES.get(int(number[4]))
    if entity_type is None:
        raise InvalidIdentifierError(
            InvalidReason.BAD_ENTITY_TYPE,
            f"{number} is not a valid BIN: digit 5 is {number[4]}, not an entity type 4-6",
        )
    entity_kind = _ENTITY_KINDS.get(int(number[5]))
    if entity_kind is None:
        raise InvalidIdentifierError(
            InvalidReason.BAD_ENTITY_KIND,
            f"{number} is not a valid BIN: digit 6 is {number[5]}, not an entity kind 0-3",
        )
    return Bin(
        number,
        registration_yy=int(number[0:2]),
        registration_month=month,
        entity_type=entity_type,
        entity_kind=entity_kind,
        serial=int(number[6:11]),
    )


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_past_date(year: int, month: int, day: int, today: date | None) -> bool:
    return _is_date(year, month, day) and (today is None or date(year, month, day) <= today)


def _bad_birth_date(number: str, where: str) -> InvalidIdentifierError:
    return InvalidIdentifierError(
        InvalidReason.BAD_BIRTH_DATE,
        f"{number} is not a valid IIN: digits 1-6 ({number[:6]}) are not a date {where}",
    )


def _with_check_digit(first11: str) -> str | None:
    digit = check_digit(first11)
    return None if digit is None else first11 + str(digit)


def _require_range(what: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{what} must be {low}-{high}, got {value}")
