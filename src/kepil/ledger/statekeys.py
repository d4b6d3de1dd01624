"""The state's key space: namespaced keys, their values, and their stored and hashed forms.

A key is a tuple of strings whose first element names the space. Parts are IIN/BINs, asset ids,
hex ids or fixed words, none of which can contain the separators used to hash them.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Final

from kepil.domain.canonical import canonical_bytes
from kepil.ledger.records import (
    Agreement,
    AssetClass,
    ChainMeta,
    Encumbrance,
    Escrow,
    Freeze,
    Participant,
    Permit,
    Record,
    Redemption,
    SignatureRules,
    Supply,
)

StateKey = tuple[str, ...]
Value = int | Record

ALL_ASSETS: Final = "*"  # the asset part of a freeze that covers every asset class


class Space(StrEnum):
    """The first part of every state key."""

    CHAIN = "chain"
    PERMIT = "permit"
    PARTICIPANT = "participant"
    NONCE = "nonce"
    AGREEMENT = "agreement"
    ASSET = "asset"
    SUPPLY = "supply"
    BALANCE = "balance"
    PLEDGE = "pledge"
    ESCROW = "escrow"
    REDEMPTION = "redemption"
    FREEZE = "freeze"
    SIGNATURE_RULES = "signature_rules"


# None: the value is a plain integer (balances, nonces).
VALUE_TYPES: Final[dict[str, type[Record] | None]] = {
    Space.CHAIN: ChainMeta,
    Space.PERMIT: Permit,
    Space.PARTICIPANT: Participant,
    Space.NONCE: None,
    Space.AGREEMENT: Agreement,
    Space.ASSET: AssetClass,
    Space.SUPPLY: Supply,
    Space.BALANCE: None,
    Space.PLEDGE: Encumbrance,
    Space.ESCROW: Escrow,
    Space.REDEMPTION: Redemption,
    Space.FREEZE: Freeze,
    Space.SIGNATURE_RULES: SignatureRules,
}

CHAIN_KEY: Final[StateKey] = (Space.CHAIN.value,)
PERMIT_KEY: Final[StateKey] = (Space.PERMIT.value,)
# Written by a signature_rules transaction or a genesis naming rules other than 1: a chain that
# started under 1 and never switched has no such entry (its roots are what they always were).
SIGNATURE_RULES_KEY: Final[StateKey] = (Space.SIGNATURE_RULES.value,)
_KEY_SEPARATOR: Final = "\x1f"
_VALUE_SEPARATOR: Final = b"\x1e"


def balance_key(holder: str, asset: str) -> StateKey:
    """The key of `holder`'s free units of `asset`."""
    return ("balance", holder, asset)


def nonce_key(signer: str) -> StateKey:
    """The key of `signer`'s last used nonce."""
    return ("nonce", signer)


def participant_key(participant: str) -> StateKey:
    """The key of a participant record."""
    return ("participant", participant)


def agreement_key(issuer: str) -> StateKey:
    """The key of an issuer's agreement with the operator."""
    return ("agreement", issuer)


def asset_key(asset: str) -> StateKey:
    """The key of an asset class."""
    return ("asset", asset)


def supply_key(asset: str) -> StateKey:
    """The key of an asset class's supply counters."""
    return ("supply", asset)


def pledge_key(pledge_id: str) -> StateKey:
    """The key of an encumbrance (its id is the encumbering transaction's id)."""
    return ("pledge", pledge_id)


def escrow_key(escrow_id: str) -> StateKey:
    """The key of an escrow (its id is the opening transaction's id)."""
    return ("escrow", escrow_id)


def redemption_key(redemption_id: str) -> StateKey:
    """The key of a redemption (its id is the redeeming transaction's id)."""
    return ("redemption", redemption_id)


def freeze_key(holder: str, asset: str | None) -> StateKey:
    """The key of a freeze of `holder`'s units of `asset`, or of all assets for None."""
    return ("freeze", holder, ALL_ASSETS if asset is None else asset)


def key_text(key: StateKey) -> str:
    """A key as one string (for a storage column); inverse of key_from_text."""
    return _KEY_SEPARATOR.join(key)


def key_from_text(text: str) -> StateKey:
    """The key that key_text made `text` from."""
    return tuple(text.split(_KEY_SEPARATOR))


def value_json(value: Value) -> str:
    """A value's canonical JSON text, for storage."""
    return canonical_bytes(value if isinstance(value, int) else value.to_json()).decode()


def value_from_json(key: StateKey, text: str) -> Value:
    """Rebuild the value stored under `key` from value_json's text."""
    data = json.loads(text)
    record_type = VALUE_TYPES[key[0]]
    if record_type is None:
        if type(data) is not int:
            raise ValueError(f"{key_text(key)!r} holds an integer, not {text!r}")
        return data
    return record_type.from_json(data)


def entry_bytes(key: StateKey, value: Value) -> bytes:
    """The bytes that stand for one (key, value) entry in the state root."""
    # Integers are the hot path (balances, nonces): their decimal text is already canonical.
    encoded = (
        b"i" + str(value).encode()
        if isinstance(value, int)
        else b"r" + canonical_bytes(value.to_json())
    )
    return _KEY_SEPARATOR.join(key).encode() + _VALUE_SEPARATOR + encoded
