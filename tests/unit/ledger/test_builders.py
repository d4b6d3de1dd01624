"""Every transaction type can be built, serialised and read back the same (what a wallet does)."""

from __future__ import annotations

import pytest
from tests.support.ledger import (
    ALICE,
    BOB,
    CHAIN_ID,
    OPERATOR,
    T0,
    WHEAT,
    FakePermitVerifier,
    fixture_key,
    genesis_payload,
    status_change,
    wheat,
)

from kepil.ledger import (
    PAYLOAD_TYPES,
    Payload,
    decode_tx,
    default_registry,
    payload_from_json,
    signed_tx,
    window_at,
)
from kepil.ledger.handlers.escrow import EscrowConfirm, EscrowOpen, EscrowRefund
from kepil.ledger.handlers.holdings import Leg, Redeem, Swap, Transfer
from kepil.ledger.handlers.issuers import Issue, IssuerAgreement
from kepil.ledger.handlers.operator import ForcedTransfer, FreezeOrder, Unfreeze
from kepil.ledger.handlers.participants import Admit, Reinstate, Revoke, RotateKey, Suspend
from kepil.ledger.handlers.pledges import Encumber, Enforce, Release
from kepil.ledger.handlers.signature_rules import ScheduleSignatureRules
from kepil.ledger.vocab import PermitAction, Role

TX = "9a" * 32
SAMPLES: list[Payload] = [
    genesis_payload(),
    Admit(ALICE, "Алия Садыкова", "01" * 32, (Role.HOLDER, Role.PLEDGEE)),
    Suspend(ALICE, "AML review"),
    Reinstate(ALICE, "review closed"),
    Revoke(ALICE, "contract ended"),
    RotateKey(ALICE, "02" * 32),
    IssuerAgreement(ALICE, "03" * 32),
    wheat(),
    Issue(WHEAT, ALICE, 5),
    Transfer(WHEAT, ALICE, BOB, 5, "for March"),
    Swap(Leg(ALICE, WHEAT, 1), Leg(BOB, "OATS", 2)),
    Redeem(WHEAT, ALICE, 1, None),
    Encumber(WHEAT, ALICE, BOB, 1, "04" * 32, T0 + 100),
    Release(TX),
    Enforce(TX, None, BOB),
    EscrowOpen(WHEAT, ALICE, BOB, OPERATOR, 1, 100, "KZT", "inv-1", T0 + 100),
    EscrowConfirm(TX, "inv-1"),
    EscrowRefund(TX),
    FreezeOrder(ALICE, None, "art. 158", "2-1/2026"),
    Unfreeze(ALICE, WHEAT, "art. 158", "2-1/2026"),
    ForcedTransfer(WHEAT, ALICE, BOB, 1, "art. 158", "2-1/2026"),
    status_change(PermitAction.SUSPEND, T0),
    ScheduleSignatureRules(2, 500),
]


def test_every_registered_type_has_a_payload_and_a_sample() -> None:
    registered = default_registry(FakePermitVerifier()).names()
    assert registered == sorted(PAYLOAD_TYPES)
    assert sorted(p.TYPE for p in SAMPLES) == registered


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: p.TYPE)
def test_a_payload_reads_back_from_its_json(payload: Payload) -> None:
    assert payload_from_json(payload.TYPE, payload.to_json()) == payload


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: p.TYPE)
def test_a_signed_transaction_of_each_type_survives_the_wire(payload: Payload) -> None:
    tx = signed_tx(CHAIN_ID, payload, {ALICE: fixture_key(ALICE)}, {ALICE: 7}, window_at(T0))
    again = decode_tx(tx.to_bytes())
    assert again.tx_id == tx.tx_id
    assert PAYLOAD_TYPES[again.type].parse(again.unsigned.payload) == payload


def test_keys_and_nonces_must_name_the_same_signers() -> None:
    with pytest.raises(ValueError, match="key and a nonce"):
        signed_tx(CHAIN_ID, Release(TX), {ALICE: fixture_key(ALICE)}, {BOB: 1}, window_at(T0))
