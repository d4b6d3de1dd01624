"""Every transaction type's payload schema (JSON Schema draft 2020-12), gathered by type name."""

from __future__ import annotations

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
