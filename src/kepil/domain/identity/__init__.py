"""Identification numbers of Kazakhstan: IIN (persons) and BIN (businesses)."""

from kepil.domain.identity.checksum import check_digit
from kepil.domain.identity.iin_bin import (
    Bin,
    EntityKind,
    EntityType,
    IdentifierKind,
    Iin,
    InvalidIdentifierError,
    InvalidReason,
    Sex,
    make_bin,
    make_iin,
    parse_bin,
    parse_identifier,
    parse_iin,
)

__all__ = [
    "Bin",
    "EntityKind",
    "EntityType",
    "IdentifierKind",
    "Iin",
    "InvalidIdentifierError",
    "InvalidReason",
    "Sex",
    "check_digit",
    "make_bin",
    "make_iin",
    "parse_bin",
    "parse_identifier",
    "parse_iin",
]
