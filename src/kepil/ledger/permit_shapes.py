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
    Field,
    Hex64,
    Identifier,
    Integer,
    ListOf,
    Obj,
    OrEmpty,
    PayloadShape,
    Text,
    roles,
)
from kepil.ledger.sigrules import LATEST_RULES

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
            Field(
                "permit",
                Base64(MAX_DOCUMENT_BYTES, "the permit's CMS"),
                "signed by a Ministry head under the node's own NCA anchors",
            ),
            Field(
                "ministry_key",
                OrEmpty(Hex64("Ed25519 public key")),
                "legacy, read from older genesis files and trusted for nothing",
                required=False,
                nullable=True,
            ),
            Field(
                "ministry_certificate",
                OrEmpty(Base64(MAX_DOCUMENT_BYTES, "DER certificate")),
                "legacy, read from older genesis files and trusted for nothing",
                required=False,
                nullable=True,
            ),
            Field(
                "signature_rules",
                Integer(1, LATEST_RULES),
                "the signature rules from height 1 (1 when omitted: libsodium; 2: ZIP 215)",
                required=False,
            ),
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
    "The Ministry's signed registry change (suspend, reinstate, revoke) or a renewed permit.",
    Obj(
        (
            Field("submitter", Hex64("Ed25519 public key"), "the relay's key; no authority"),
            Field(
                "cms",
                Base64(MAX_DOCUMENT_BYTES, "CMS"),
                "a Ministry head's signature over the document (detached), or the renewed "
                "permit's CMS (attached) when there is no document",
            ),
            Field(
                "document",
                Base64(MAX_DOCUMENT_BYTES, "canonical JSON"),
                "the registry's permit_status_change document, as signed",
                required=False,
                nullable=True,
            ),
        ),
        'the "ministry" nonce is the CMS signing time; the document names this permit',
    ),
    ("ministry",),
)
