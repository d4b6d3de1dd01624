"""Strict readers for JSON transaction payloads: every malformed field becomes a Refusal."""

from __future__ import annotations

import base64
import re
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, TypeVar

from kepil.domain.identity import InvalidIdentifierError, parse_identifier
from kepil.ledger.codes import ReasonCode, Refusal

# Integers above 2**53 have no exact JSON (IEEE double) form, so RFC 8785 cannot carry them.
MAX_AMOUNT: Final = 2**53 - 1
MAX_TEXT: Final = 500
HEX64: Final = re.compile(r"[0-9a-f]{64}")
ASSET_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_MISSING: Final = object()

E = TypeVar("E", bound=StrEnum)


@lru_cache(maxsize=65536)
def is_identifier(text: str) -> bool:
    """Whether `text` is exactly a valid 12-digit IIN or BIN (no surrounding whitespace)."""
    try:
        return parse_identifier(text).number == text
    except InvalidIdentifierError:
        return False


def is_text(value: object, max_length: int = MAX_TEXT) -> bool:
    """Whether Fields.text(max_length) takes `value` as it stands (the same checks, no refusal)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= max_length
        and value == value.strip()
        and not _CONTROL.search(value)
    )


def malformed(detail: str) -> Refusal:
    """A MALFORMED refusal naming what was wrong."""
    return Refusal(ReasonCode.MALFORMED, detail)


class Fields:
    """Reads the fields of one JSON object, each exactly once; `done()` refuses any extra key."""

    __slots__ = ("_data", "_seen", "_where")

    def __init__(self, data: object, where: str = "payload") -> None:
        """Wrap `data`, which must be a JSON object."""
        if not isinstance(data, dict):
            raise malformed(f"{where} must be an object")
        self._data: dict[str, Any] = data
        self._where = where
        self._seen: set[str] = set()

    def raw(self, key: str) -> object:
        """The value of `key`, which must be present (null counts as present)."""
        value = self._data.get(key, _MISSING)
        if value is _MISSING:
            raise malformed(f"{self._where}.{key} is missing")
        self._seen.add(key)
        return value

    def _absent(self, key: str) -> bool:
        # A missing key must stay unseen: done() counts seen keys against present ones.
        if key not in self._data:
            return True
        return self.raw(key) is None

    def path(self, key: str) -> str:
        """Where `key` of this object is, as refusals name it (`payload.operator.roles`)."""
        return f"{self._where}.{key}"

    def done(self) -> None:
        """Refuse keys that no reader asked for, so one meaning has one byte form."""
        # Only keys present are ever marked seen, so equal counts mean none is left over.
        if len(self._seen) != len(self._data):
            extra = self._data.keys() - self._seen
            raise malformed(f"{self._where} has unknown fields {sorted(extra)}")

    def text(self, key: str, max_length: int = MAX_TEXT) -> str:
        """A non-empty, trimmed, single-line string of at most `max_length` characters."""
        value = self.raw(key)
        if not isinstance(value, str) or not 0 < len(value) <= max_length:
            raise malformed(f"{self._where}.{key} must be text of 1-{max_length} characters")
        if value != value.strip() or _CONTROL.search(value):
            raise malformed(f"{self._where}.{key} has surrounding space or control characters")
        return value

    def optional_text(self, key: str, max_length: int = MAX_TEXT) -> str | None:
        """Like text(), or None for null or a missing key."""
        return None if self._absent(key) else self.text(key, max_length)

    def identifier(self, key: str) -> str:
        """A valid IIN or BIN."""
        value = self.raw(key)
        if not isinstance(value, str) or not is_identifier(value):
            raise Refusal(ReasonCode.BAD_IDENTIFIER, f"{self._where}.{key} is not an IIN/BIN")
        return value

    def asset(self, key: str) -> str:
        """An asset class id: 1-64 of letters, digits, dot, dash and underscore."""
        value = self.raw(key)
        if not isinstance(value, str) or not ASSET_ID.fullmatch(value):
            raise malformed(f"{self._where}.{key} is not an asset class id")
        return value

    def hex64(self, key: str) -> str:
        """64 lowercase hex digits: a SHA-256 digest, a transaction id or an Ed25519 key."""
        value = self.raw(key)
        if not isinstance(value, str) or not HEX64.fullmatch(value):
            raise malformed(f"{self._where}.{key} must be 64 lowercase hex digits")
        return value

    def integer(self, key: str, low: int = 0, high: int = MAX_AMOUNT) -> int:
        """An integer in [low, high]; booleans and floats are refused."""
        value = self.raw(key)
        if type(value) is not int or not low <= value <= high:
            raise malformed(f"{self._where}.{key} must be an integer in [{low}, {high}]")
        return value

    def optional_integer(self, key: str, low: int = 0, high: int = MAX_AMOUNT) -> int | None:
        """Like integer(), or None for null or a missing key."""
        return None if self._absent(key) else self.integer(key, low, high)

    def amount(self, key: str) -> int:
        """A positive number of base units."""
        value = self.raw(key)
        if type(value) is not int or not 0 < value <= MAX_AMOUNT:
            raise Refusal(ReasonCode.BAD_AMOUNT, f"{self._where}.{key} must be 1..2**53-1")
        return value

    def choice(self, key: str, enum: type[E]) -> E:
        """One of the values of `enum`."""
        value = self.raw(key)
        if not isinstance(value, str) or value not in enum.__members__.values():
            raise malformed(f"{self._where}.{key} must be one of {[e.value for e in enum]}")
        return enum(value)

    def base64(self, key: str, max_bytes: int = 65536) -> bytes:
        """Standard base64 text, decoded; at most `max_bytes` once decoded."""
        value = self.raw(key)
        if not isinstance(value, str) or len(value) > (max_bytes + 2) // 3 * 4:
            raise malformed(f"{self._where}.{key} must be base64 of at most {max_bytes} bytes")
        try:
            decoded = base64.b64decode(value, validate=True)
        except ValueError:  # binascii.Error, or a str with non-ASCII characters
            raise malformed(f"{self._where}.{key} is not valid base64") from None
        if not decoded or base64.b64encode(decoded).decode() != value:
            raise malformed(f"{self._where}.{key} is empty or not in canonical base64")
        return decoded

    def nested(self, key: str) -> Fields:
        """A nested object, read with its own Fields."""
        return Fields(self.raw(key), f"{self._where}.{key}")

    def array(self, key: str, max_items: int = 64, min_items: int = 0) -> list[object]:
        """A JSON array of `min_items`..`max_items` elements."""
        value = self.raw(key)
        if not isinstance(value, list) or not min_items <= len(value) <= max_items:
            raise malformed(f"{self._where}.{key} must be a list of {min_items}-{max_items}")
        return value
