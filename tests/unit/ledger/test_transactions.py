"""Transactions: canonical id, signatures, envelopes, validity windows and replay."""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.support.ledger import ALICE, BOB, CAROL, CHAIN_ID, T0, WHEAT, Chain, fixture_key, wheat

from kepil.domain.canonical import canonical_bytes
from kepil.ledger import ReasonCode, Refusal, Window, build_tx, decode_tx, signed_tx
from kepil.ledger.handler import Payload
from kepil.ledger.handlers.holdings import Redeem, Transfer
from kepil.ledger.handlers.issuers import DefineAsset
from kepil.ledger.tx import TxSignature


def a_transfer(amount: int = 10) -> Transfer:
    return Transfer(WHEAT, ALICE, BOB, amount)


def test_the_id_is_the_sha256_of_the_canonical_unsigned_body() -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 1}, Window(T0, T0 + 60))
    assert unsigned.tx_id == hashlib.sha256(canonical_bytes(dict(unsigned.body))).hexdigest()
    assert unsigned.body_bytes == canonical_bytes(dict(unsigned.body))


def test_signatures_do_not_change_the_id() -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 1}, Window(T0, T0 + 60))
    assert unsigned.sign({ALICE: fixture_key(ALICE)}).tx_id == unsigned.tx_id


def test_an_envelope_survives_its_bytes() -> None:
    tx = signed_tx(
        CHAIN_ID, a_transfer(), {ALICE: fixture_key(ALICE)}, {ALICE: 3}, Window(T0, T0 + 9)
    )
    again = decode_tx(tx.to_bytes())
    assert again.tx_id == tx.tx_id
    assert again.sigs == tx.sigs
    assert again.to_bytes() == tx.to_bytes()


def test_a_second_party_adds_its_signature_to_a_decoded_envelope() -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 1, BOB: 1}, Window(T0, T0 + 60))
    half = unsigned.sign({ALICE: fixture_key(ALICE)})
    whole = decode_tx(half.to_bytes()).with_signature(BOB, fixture_key(BOB))
    assert {s.by for s in whole.sigs} == {ALICE, BOB}


def test_json_with_a_duplicate_key_is_refused() -> None:
    text = '{"body": {}, "body": {}, "sigs": []}'
    with pytest.raises(Refusal) as refused:
        decode_tx(text)
    assert refused.value.code is ReasonCode.MALFORMED


def test_a_float_nonce_is_refused() -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 1}, Window(T0, T0 + 60))
    body = dict(unsigned.body) | {"nonces": {ALICE: 1.5}}
    with pytest.raises(Refusal) as refused:
        decode_tx({"body": body, "sigs": []})
    assert refused.value.code is ReasonCode.MALFORMED


def test_a_signature_by_a_signer_without_a_nonce_is_refused() -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 1}, Window(T0, T0 + 60))
    envelope = unsigned.sign({ALICE: fixture_key(ALICE)}).to_json()
    envelope["sigs"].append(unsigned.signature(BOB, fixture_key(BOB)).to_json())
    with pytest.raises(Refusal) as refused:
        decode_tx(json.dumps(envelope))
    assert refused.value.code is ReasonCode.UNEXPECTED_SIGNER


def test_a_tampered_amount_breaks_the_signature(chain: Chain) -> None:
    tx = chain.tx(a_transfer(10), ALICE)
    envelope = tx.to_json()
    envelope["body"]["payload"]["amount"] = 999
    assert chain.send(decode_tx(envelope)).code == ReasonCode.BAD_SIGNATURE
    assert chain.balance(BOB) == 500


def test_a_missing_signature_is_refused(chain: Chain) -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 50}, Window(chain.now, chain.now + 60))
    assert chain.send(unsigned.with_signatures([])).code == ReasonCode.MISSING_SIGNATURE


def test_a_signature_with_another_key_than_the_signers_is_refused(chain: Chain) -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 50}, Window(chain.now, chain.now + 60))
    forged = unsigned.signature(ALICE, fixture_key("mallory"))
    assert chain.send(unsigned.with_signatures([forged])).code == ReasonCode.SIGNER_KEY_MISMATCH


def test_a_garbled_signature_is_refused(chain: Chain) -> None:
    tx = chain.tx(a_transfer(), ALICE)
    good = tx.sigs[0]
    garbled = TxSignature(good.by, good.key, ("0" if good.sig[0] != "0" else "1") + good.sig[1:])
    assert chain.send(tx.unsigned.with_signatures([garbled])).code == ReasonCode.BAD_SIGNATURE


def test_an_unexpected_co_signer_is_refused(chain: Chain) -> None:
    assert chain.run(a_transfer(), ALICE, CAROL) == ReasonCode.UNEXPECTED_SIGNER


def test_a_transaction_for_another_chain_is_refused(chain: Chain) -> None:
    assert chain.run(a_transfer(), ALICE, chain="another-chain") == ReasonCode.WRONG_CHAIN


def test_a_transaction_before_its_window_is_refused(chain: Chain) -> None:
    window = Window(chain.now + 10, chain.now + 100)
    assert chain.run(a_transfer(), ALICE, window=window) == ReasonCode.NOT_YET_VALID


def test_a_transaction_after_its_window_is_refused(chain: Chain) -> None:
    window = Window(chain.now - 100, chain.now - 1)
    assert chain.run(a_transfer(), ALICE, window=window) == ReasonCode.EXPIRED


def test_a_window_longer_than_a_month_is_refused(chain: Chain) -> None:
    window = Window(chain.now, chain.now + 40 * 24 * 3600)
    assert chain.run(a_transfer(), ALICE, window=window) == ReasonCode.BAD_WINDOW


def test_a_replayed_transaction_is_refused(chain: Chain) -> None:
    tx = chain.tx(a_transfer(10), ALICE)
    assert chain.send(tx).ok
    assert chain.send(tx).code == ReasonCode.STALE_NONCE
    assert chain.balance(BOB) == 510


def test_the_same_transaction_twice_in_one_block_applies_once(chain: Chain) -> None:
    tx = chain.tx(a_transfer(10), ALICE)
    block = chain.block([tx, tx])
    assert [r.code for r in block.results] == ["ok", ReasonCode.STALE_NONCE]


def test_a_lower_nonce_than_the_last_is_refused(chain: Chain) -> None:
    later, earlier = chain.tx(a_transfer(1), ALICE), chain.tx(a_transfer(2), ALICE)
    later_first = chain.block([earlier, later])
    assert [r.code for r in later_first.results] == ["ok", ReasonCode.STALE_NONCE]


def test_a_refused_transaction_still_uses_up_its_nonce(chain: Chain) -> None:
    too_much = chain.tx(a_transfer(5000), ALICE)
    assert chain.send(too_much).code == ReasonCode.INSUFFICIENT_UNITS
    assert chain.view().nonce(ALICE) == too_much.unsigned.nonces[ALICE]
    chain.run(Transfer(WHEAT, BOB, ALICE, 500), BOB)
    chain.run(Transfer(WHEAT, CAROL, ALICE, 1), CAROL)
    assert chain.send(too_much).code == ReasonCode.STALE_NONCE


def test_an_unknown_type_is_refused(chain: Chain) -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 90}, Window(chain.now, chain.now + 9))
    body = dict(unsigned.body) | {"type": "mint_money"}
    tx = decode_tx({"body": body, "sigs": []})
    tx = tx.with_signature(ALICE, fixture_key(ALICE))
    assert chain.send(tx).code == ReasonCode.UNKNOWN_TYPE


def test_an_unknown_payload_field_is_refused(chain: Chain) -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 90}, Window(chain.now, chain.now + 9))
    body = dict(unsigned.body)
    body["payload"] = dict(body["payload"]) | {"bonus": 1}
    tx = decode_tx({"body": body, "sigs": []}).with_signature(ALICE, fixture_key(ALICE))
    assert chain.send(tx).code == ReasonCode.MALFORMED


def test_a_boolean_amount_is_refused(chain: Chain) -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 90}, Window(chain.now, chain.now + 9))
    body = dict(unsigned.body)
    body["payload"] = dict(body["payload"]) | {"amount": True}
    tx = decode_tx({"body": body, "sigs": []}).with_signature(ALICE, fixture_key(ALICE))
    assert chain.send(tx).code == ReasonCode.BAD_AMOUNT


def test_a_recipient_that_is_not_an_iin_or_bin_is_refused(chain: Chain) -> None:
    assert chain.run(Transfer(WHEAT, ALICE, "123456789012", 1), ALICE) == ReasonCode.BAD_IDENTIFIER


def without(payload: Payload, key: str) -> dict[str, object]:
    """`payload`'s JSON with `key` left out, as a hand-written payload might have it."""
    data = payload.to_json()
    del data[key]
    return data


def test_a_transfer_without_a_memo_is_read_as_having_none() -> None:
    assert Transfer.parse(without(a_transfer(), "memo")) == a_transfer()


def test_a_transfer_with_a_null_memo_is_still_read_as_having_none() -> None:
    assert Transfer.parse(a_transfer().to_json() | {"memo": None}) == a_transfer()


def test_a_memo_that_is_not_text_is_still_refused() -> None:
    with pytest.raises(Refusal) as refused:
        Transfer.parse(a_transfer().to_json() | {"memo": 5})
    assert refused.value.code is ReasonCode.MALFORMED


def test_a_transfer_without_a_memo_still_refuses_an_unknown_field() -> None:
    with pytest.raises(Refusal) as refused:
        Transfer.parse(without(a_transfer(), "memo") | {"bonus": 1})
    assert refused.value.code is ReasonCode.MALFORMED


def test_a_redemption_without_a_claim_reference_is_read_as_having_none() -> None:
    redemption = Redeem(WHEAT, ALICE, 1)
    assert Redeem.parse(without(redemption, "claim_ref")) == redemption


def test_an_asset_class_without_a_cap_is_read_as_uncapped() -> None:
    uncapped = wheat(cap=None)
    assert DefineAsset.parse(without(uncapped, "cap")) == uncapped


def test_a_hand_written_transfer_without_a_memo_is_applied(chain: Chain) -> None:
    unsigned = build_tx(CHAIN_ID, a_transfer(), {ALICE: 90}, Window(chain.now, chain.now + 9))
    body = dict(unsigned.body) | {"payload": without(a_transfer(), "memo")}
    tx = decode_tx(json.dumps({"body": body, "sigs": []})).with_signature(ALICE, fixture_key(ALICE))
    assert chain.send(tx).ok
    assert chain.balance(BOB) == 510
