"""Every transaction type's payload schema (JSON Schema draft 2020-12), gathered by type name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from kepil.ledger.build import PAYLOAD_TYPES
from kepil.ledger.handler import Payload
from kepil.ledger.permit_shapes import GENESIS, PERMIT_STATUS
from kepil.ledger.shapes import PayloadShape

# The Ministry's payloads are described apart from their handlers (see permit_shapes).
_APART: Final = {shape.type_name: shape for shape in (GENESIS, PERMIT_STATUS)}


def _shape_of(type_name: str, payload_type: type[Payload]) -> PayloadShape:
    shape = _APART.get(type_name) or payload_type.__dict__.get("SHAPE")
    if not isinstance(shape, PayloadShape) or shape.type_name != type_name:
        raise LookupError(f"payload type {type_name!r} declares no shape of its own")
    return shape


SHAPES: Final[dict[str, PayloadShape]] = {
    name: _shape_of(name, cls) for name, cls in sorted(PAYLOAD_TYPES.items())
}


def payload_schema(type_name: str) -> dict[str, Any]:
    """The JSON Schema of `type_name`'s payload; KeyError for an unknown type."""
    return SHAPES[type_name].schema()


def payload_schemas() -> dict[str, dict[str, Any]]:
    """Every payload schema by type name, sorted."""
    return {name: shape.schema() for name, shape in SHAPES.items()}


def signers_line(shape: PayloadShape) -> str:
    """Who signs, in words: field paths name the IIN/BIN found in that payload field."""
    parts = [f"payload.{s}" if s in {p for p, _, _ in shape.rows()} else s for s in shape.signers]
    return " and ".join(parts)


def help_text(type_name: str) -> str:
    """What `kepil wallet build TYPE --help` shows: the fields and who must sign."""
    shape = SHAPES[type_name]
    width = max(len(path) for path, _, _ in shape.rows())
    lines = [f"{type_name}: {shape.title}", "", "Payload fields:"]
    lines += [f"  {path:<{width}}  {need}: {what}" for path, what, need in shape.rows()]
    if shape.body.note:
        lines.append(f"  (and: {shape.body.note})")
    lines += ["", f"Signed by: {signers_line(shape)}."]
    if len(shape.signers) > 1:
        lines.append(
            "Build it with --cosigner for each other party; each adds a signature with "
            "`kepil wallet cosign`."
        )
    return "\n".join(lines)


def markdown() -> str:
    """docs/ledger-transactions.md: every type's payload fields, signers and JSON Schema."""
    parts = [
        "# Ledger transaction types",
        "",
        "Generated from the payload schemas (`kepil wallet types --markdown`); do not edit.",
        "A transaction's body carries `type` and `payload`; the payload is a JSON object with",
        "exactly the fields below (any other key is refused). Integers are written without a",
        "fraction. The same schemas are served at `GET /api/v1/ledger/types` and shown by",
        "`kepil wallet build TYPE --help`.",
        "",
        "| type | what it does | signed by |",
        "| --- | --- | --- |",
    ]
    parts += [f"| `{n}` | {s.title} | {signers_line(s)} |" for n, s in SHAPES.items()]
    for name, shape in SHAPES.items():
        parts += ["", f"## `{name}`", "", shape.title, "", "| field | | |", "| --- | --- | --- |"]
        parts += [f"| `{p}` | {need} | {_cell(what)} |" for p, what, need in shape.rows()]
        if shape.body.note:
            parts += ["", f"Also: {shape.body.note}."]
        parts += ["", f"Signed by: {signers_line(shape)}.", ""]
        parts += ["```json", json.dumps(shape.schema(), indent=2, ensure_ascii=False), "```"]
    return "\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def one_line(type_name: str) -> str:
    """`TYPE  title` for `kepil wallet types`."""
    return f"{type_name:<17} {SHAPES[type_name].title}"


def field_signers(type_name: str, payload: Mapping[str, Any]) -> dict[str, str]:
    """The accounts a payload names as its signers, by field path (`a.party` -> its IIN/BIN)."""
    found: dict[str, str] = {}
    for path in SHAPES[type_name].signer_fields():
        value: Any = payload
        for key in path.split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            found[path] = value
    return found
