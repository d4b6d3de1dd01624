"""The shapes of the two payloads that carry the Ministry's documents: genesis and permit_status.

They live here, not beside their Payloads, so that a change to what the Ministry's documents
look like on the ledger (the permit bridge) updates one small module; the schema tests compare
them with Genesis.parse and PermitStatusChange.parse all the same.
"""

from __future__ import annotations

from typing import Final

from kepil.ledger.handlers.genesis import MAX_DOCUMENT_BYTES, MAX_NODES
from kepil.ledger.shapes import (
    Base64,
    Choice,
    Field,
    Hex64,
    Identifier,
    ListOf,
    Obj,
    PayloadShape,
    Text,
    roles,
)
from kepil.ledger.vocab import PermitAction

GENESIS: Final = PayloadShape(
    "genesis",
    "The first transaction: the platform, its operator, the operator's permit, the nodes.",
    Obj(
        (
            Field("platform", Text(), "the platform's name"),
            Field(
                "operator",
                Obj(
                    (
                        Field("id", Identifier(), "the operator's BIN (the permit's holder)"),
                        Field("name", Text()),
                        Field("key", Hex64("Ed25519 public key")),
                        Field("roles", roles()),
                    )
                ),
            ),
            Field("ministry_key", Hex64("Ed25519 key the Ministry signs permit_status with")),
            Field("ministry_certificate", Base64(MAX_DOCUMENT_BYTES, "DER certificate")),
            Field("permit", Base64(MAX_DOCUMENT_BYTES, "the permit document")),
            Field(
                "nodes",
                ListOf(
                    Obj((Field("name", Text(100)), Field("key", Hex64("Ed25519 public key")))),
                    MAX_NODES,
                    min_items=1,
                ),
                "the validators",
            ),
        ),
        "node names and node keys are each distinct",
    ),
    ("operator.id",),
)

PERMIT_STATUS: Final = PayloadShape(
    "permit_status",
    "The Ministry suspends, reinstates, revokes or renews the operator's permit.",
    Obj(
        (
            Field("action", Choice.of(PermitAction)),
            Field("reference", Text(200), "the Ministry's act"),
            Field(
                "permit",
                Base64(MAX_DOCUMENT_BYTES, "the renewed permit document"),
                "with renew, and null otherwise",
                nullable=True,
            ),
        ),
        "permit is a document exactly when action is renew",
    ),
    ("ministry",),
    {
        "if": {"properties": {"action": {"const": PermitAction.RENEW.value}}},
        "then": {"properties": {"permit": {"type": "string"}}},
        "else": {"properties": {"permit": {"type": "null"}}},
    },
)
