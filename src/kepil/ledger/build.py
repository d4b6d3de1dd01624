"""Builders for wallets and tests: every payload type by name, and one-call signed transactions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kepil.ledger.crypto import SigningKey
from kepil.ledger.handler import Payload
from kepil.ledger.handlers.escrow import EscrowConfirm, EscrowOpen, EscrowRefund
from kepil.ledger.handlers.genesis import Genesis
from kepil.ledger.handlers.holdings import Redeem, Swap, Transfer
from kepil.ledger.handlers.issuers import DefineAsset, Issue, IssuerAgreement
from kepil.ledger.handlers.operator import ForcedTransfer, FreezeOrder, Unfreeze
from kepil.ledger.handlers.participants import Admit, Reinstate, Revoke, RotateKey, Suspend
from kepil.ledger.handlers.permit import PermitStatusChange
from kepil.ledger.handlers.pledges import Encumber, Enforce, Release
from kepil.ledger.handlers.signature_rules import ScheduleSignatureRules
from kepil.ledger.tx import SignedTx, Window, build_tx

PAYLOAD_TYPES: Final[dict[str, type[Payload]]] = {
    p.TYPE: p
    for p in (
        Genesis, Admit, Suspend, Reinstate, Revoke, RotateKey, IssuerAgreement, DefineAsset,
        Issue, Transfer, Swap, Redeem, Encumber, Release, Enforce, EscrowOpen, EscrowConfirm,
        EscrowRefund, FreezeOrder, Unfreeze, ForcedTransfer, PermitStatusChange,
        ScheduleSignatureRules,
    )
}  # fmt: skip

DEFAULT_LIFETIME: Final = 3600


def window_at(timestamp: int, lifetime: int = DEFAULT_LIFETIME) -> Window:
    """A validity window opening at `timestamp` and lasting `lifetime` seconds."""
    return Window(timestamp, timestamp + lifetime)


def payload_from_json(type_name: str, data: Mapping[str, Any]) -> Payload:
    """Parse a payload of `type_name` from JSON (for a CLI that takes payloads as files)."""
    return PAYLOAD_TYPES[type_name].parse(data)


def signed_tx(
    chain: str,
    payload: Payload,
    keys: Mapping[str, SigningKey],
    nonces: Mapping[str, int],
    window: Window,
) -> SignedTx:
    """Build and sign in one call: `keys` and `nonces` are keyed by the same signer ids."""
    if keys.keys() != nonces.keys():
        raise ValueError("every signer needs both a key and a nonce")
    return build_tx(chain, payload, nonces, window).sign(keys)
