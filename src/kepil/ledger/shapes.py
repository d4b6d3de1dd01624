"""Declarative payload shapes: each type's fields, from which its JSON Schema and docs are made.

A shape mirrors what the matching `Fields` reader accepts and reuses its limits, so a payload's
schema and its strict parse() state one rule; tests/unit/ledger/test_schemas.py runs both on
generated payloads to keep them so. The few rules a schema cannot say (an IIN/BIN's check
digit, distinct parties) are in each field's or shape's `note`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from kepil.ledger.fields import ASSET_ID, HEX64, MAX_AMOUNT, MAX_TEXT
from kepil.ledger.vocab import Role

SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"


def _class_of(code_points: list[int]) -> str:
    return "".join(f"\\u{c:04x}" for c in code_points if c <= 0xFFFF)


# What str.strip() removes beyond the control characters: Fields.text refuses it at either end.
_SPACES: Final = [c for c in range(0x80, sys.maxunicode + 1) if chr(c).isspace()]
_INNER: Final = "[^\\u0000-\\u001f\\u007f]"
_EDGE: Final = f"[^\\u0000-\\u0020\\u007f{_class_of(_SPACES)}]"
TEXT_PATTERN: Final = f"^{_EDGE}({_INNER}*{_EDGE})?$"
# Canonical standard base64: whole quanta, and the bits padding leaves over are zero.
_B64: Final = "[A-Za-z0-9+/]"
BASE64_PATTERN: Final = (
    f"^({_B64}{{4}})*({_B64}{{4}}|{_B64}{{2}}[AEIMQUYcgkosw048]=|{_B64}[AQgw]==)$"
)
IDENTIFIER_FORMAT: Final = "kz-iin-bin"


class Shape:
    """What one JSON value must look like."""

    __slots__ = ()

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the value."""
        raise NotImplementedError

    def summary(self) -> str:
        """A few words for a help line, e.g. `text (1-500)`."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Text(Shape):
    """Fields.text: trimmed single-line text of 1..max_length characters."""

    max_length: int = MAX_TEXT

    def schema(self) -> dict[str, Any]:
        """A string without surrounding space or control characters."""
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": self.max_length,
            "pattern": TEXT_PATTERN,
        }

    def summary(self) -> str:
        """Text and its length."""
        return f"text (1-{self.max_length} characters, trimmed, one line)"


@dataclass(frozen=True, slots=True)
class Identifier(Shape):
    """Fields.identifier: a 12-digit IIN or BIN whose check digit is right."""

    def schema(self) -> dict[str, Any]:
        """Twelve digits; the check digit is named by the format."""
        return {
            "type": "string",
            "pattern": "^[0-9]{12}$",
            "format": IDENTIFIER_FORMAT,
            "description": "an IIN or BIN: 12 digits with a valid check digit",
        }

    def summary(self) -> str:
        """IIN/BIN."""
        return "IIN/BIN (12 digits, valid check digit)"


@dataclass(frozen=True, slots=True)
class AssetId(Shape):
    """Fields.asset: an asset class id."""

    def schema(self) -> dict[str, Any]:
        """1-64 letters, digits, dot, dash, underscore; not starting with punctuation."""
        return {"type": "string", "pattern": f"^{ASSET_ID.pattern}$"}

    def summary(self) -> str:
        """Asset class id."""
        return "asset class id (1-64 of A-Z a-z 0-9 . _ -)"


@dataclass(frozen=True, slots=True)
class Hex64(Shape):
    """Fields.hex64: a SHA-256 digest, a transaction id or an Ed25519 public key."""

    meaning: str = "64 lowercase hex digits"

    def schema(self) -> dict[str, Any]:
        """64 lowercase hex digits."""
        return {"type": "string", "pattern": f"^{HEX64.pattern}$", "description": self.meaning}

    def summary(self) -> str:
        """What the hex is."""
        return f"hex64 ({self.meaning})"


@dataclass(frozen=True, slots=True)
class OrEmpty(Shape):
    """A legacy field that older writers left as an empty string: that, or the inner shape."""

    inner: Shape

    def schema(self) -> dict[str, Any]:
        """The inner schema or the empty string."""
        return {"anyOf": [self.inner.schema(), {"const": ""}]}

    def summary(self) -> str:
        """The inner shape, or empty."""
        return f"{self.inner.summary()}, or empty"


@dataclass(frozen=True, slots=True)
class Integer(Shape):
    """Fields.integer (and Fields.amount, from 1): an integer in [low, high]."""

    low: int = 0
    high: int = MAX_AMOUNT

    def schema(self) -> dict[str, Any]:
        """An integer between the bounds (booleans and 1.0 are refused by the parser too)."""
        return {"type": "integer", "minimum": self.low, "maximum": self.high}

    def summary(self) -> str:
        """Integer and its bounds."""
        high = "2**53-1" if self.high == MAX_AMOUNT else str(self.high)
        return f"integer ({self.low}..{high})"


AMOUNT: Final = Integer(1, MAX_AMOUNT)


@dataclass(frozen=True, slots=True)
class Choice(Shape):
    """Fields.choice: one value of a StrEnum."""

    values: tuple[str, ...]

    @classmethod
    def of(cls, enum: type[StrEnum]) -> Choice:
        """Every value of `enum`, in its order."""
        return cls(tuple(member.value for member in enum))

    def schema(self) -> dict[str, Any]:
        """An enum of strings."""
        return {"type": "string", "enum": list(self.values)}

    def summary(self) -> str:
        """The values."""
        return "one of " + " | ".join(self.values)


@dataclass(frozen=True, slots=True)
class Base64(Shape):
    """Fields.base64: canonical standard base64 of 1..max_bytes bytes."""

    max_bytes: int
    meaning: str = "bytes"

    def schema(self) -> dict[str, Any]:
        """Canonical base64 text."""
        return {
            "type": "string",
            "contentEncoding": "base64",
            "minLength": 4,
            "maxLength": (self.max_bytes + 2) // 3 * 4,
            "pattern": BASE64_PATTERN,
            "description": self.meaning,
        }

    def summary(self) -> str:
        """What is encoded and its size."""
        return f"base64 ({self.meaning}, at most {self.max_bytes} bytes)"


@dataclass(frozen=True, slots=True)
class ListOf(Shape):
    """Fields.array: min_items..max_items values of one shape (optionally distinct)."""

    item: Shape
    max_items: int
    min_items: int = 0
    distinct: bool = False

    def schema(self) -> dict[str, Any]:
        """A JSON array."""
        schema: dict[str, Any] = {
            "type": "array",
            "items": self.item.schema(),
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }
        if self.distinct:
            schema["uniqueItems"] = True
        return schema

    def summary(self) -> str:
        """The item and the bounds."""
        head = f"list of {self.min_items}-{self.max_items}" + (" distinct" if self.distinct else "")
        if isinstance(self.item, Obj):
            return f"{head} objects"
        return f"{head} values, each {self.item.summary()}"


@dataclass(frozen=True, slots=True)
class Field:
    """One key of an object: its shape, whether it must be present, whether null is allowed."""

    name: str
    shape: Shape
    doc: str = ""
    required: bool = True  # False: the key may be left out
    nullable: bool = False

    def schema(self) -> dict[str, Any]:
        """The property's schema, with null allowed when it is."""
        schema = self.shape.schema()
        if self.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        if self.doc:
            schema["description"] = self.doc
        return schema


@dataclass(frozen=True, slots=True)
class Obj(Shape):
    """A JSON object with exactly these fields (Fields.done refuses any other key)."""

    fields: tuple[Field, ...]
    note: str = ""  # a rule across fields that the schema does not express

    def schema(self) -> dict[str, Any]:
        """Closed object."""
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: f.schema() for f in self.fields},
            "required": [f.name for f in self.fields if f.required],
            "additionalProperties": False,
        }
        if self.note:
            schema["$comment"] = self.note
        return schema

    def summary(self) -> str:
        """An object."""
        return "object"


@dataclass(frozen=True, slots=True)
class PayloadShape:
    """A transaction type's payload: its fields, who must sign, and the schema it publishes."""

    type_name: str
    title: str
    body: Obj
    signers: tuple[str, ...]  # a field path (its IIN/BIN signs), or a party described in words
    extra: dict[str, Any] = field(default_factory=dict)  # keywords beyond the fields (if/then)

    def schema(self) -> dict[str, Any]:
        """The draft 2020-12 JSON Schema of the payload."""
        return {
            "$schema": SCHEMA_DIALECT,
            "$id": f"urn:kepil:ledger:payload:{self.type_name}",
            "title": self.type_name,
            "description": self.title,
            **self.body.schema(),
            **self.extra,
            "x-signers": list(self.signers),
        }

    def rows(self) -> list[tuple[str, str, str]]:
        """(path, what, required/optional) for every field, nested ones as `a.b` / `a[].b`."""
        return list(_rows(self.body, ""))

    def signer_fields(self) -> tuple[str, ...]:
        """The signers that are payload fields (their IIN/BIN signs)."""
        paths = {path for path, _, _ in self.rows()}
        return tuple(s for s in self.signers if s in paths)


def _rows(obj: Obj, prefix: str) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for f in obj.fields:
        path = f"{prefix}{f.name}"
        need = "required" if f.required else "optional"
        if f.nullable:
            need += ", may be null"
        what = f.shape.summary() + (f"; {f.doc}" if f.doc else "")
        rows.append((path, what, need))
        if isinstance(f.shape, Obj):
            rows.extend(_rows(f.shape, f"{path}."))
        elif isinstance(f.shape, ListOf) and isinstance(f.shape.item, Obj):
            rows.extend(_rows(f.shape.item, f"{path}[]."))
    return rows


def roles(min_items: int = 0) -> ListOf:
    """read_roles: distinct roles, at most one of each."""
    return ListOf(Choice.of(Role), len(Role), min_items, distinct=True)


# EscrowOpen's check: three trimmed ASCII characters, no lowercase, at least one capital.
_NOT_LOWER: Final = "[ -`{-~]"
_NOT_LOWER_EDGE: Final = "[!-`{-~]"
_NOT_CAPITAL: Final = "[ -@\\[-`{-~]"
_NOT_CAPITAL_EDGE: Final = "[!-@\\[-`{-~]"
CURRENCY_PATTERN: Final = (
    f"^([A-Z]{_NOT_LOWER}{_NOT_LOWER_EDGE}"
    f"|{_NOT_CAPITAL_EDGE}[A-Z]{_NOT_LOWER_EDGE}"
    f"|{_NOT_CAPITAL_EDGE}{_NOT_CAPITAL}[A-Z])$"
)


@dataclass(frozen=True, slots=True)
class Currency(Shape):
    """A currency as escrow_open checks it: an ISO 4217 code such as KZT (upper-case ASCII)."""

    def schema(self) -> dict[str, Any]:
        """Three upper-case ASCII characters."""
        return {"type": "string", "minLength": 3, "maxLength": 3, "pattern": CURRENCY_PATTERN}

    def summary(self) -> str:
        """ISO 4217."""
        return "currency (3 upper-case ASCII characters)"
