"""A new chain may start under signature rules 2: its genesis names them, no switch needed."""

from __future__ import annotations

import dataclasses

import pytest
from tests.support.ledger import (
    ALICE,
    BOB,
    ISSUER,
    OPERATOR,
    WHEAT,
    Chain,
    genesis_payload,
    wheat,
)
from tests.support.zip215 import torsioned_transfer

from kepil.ledger.block import preverify_rules
from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.handlers.genesis import Genesis
from kepil.ledger.handlers.issuers import Issue, IssuerAgreement
from kepil.ledger.handlers.signature_rules import MIN_RULES_NOTICE, ScheduleSignatureRules
from kepil.ledger.records import SignatureRules
from kepil.ledger.sigrules import LIBSODIUM, ZIP215, rules_at
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import Role


def chain_from(payload: Genesis) -> Chain:
    """Genesis `payload`, Alice and Bob, the wheat class, 1000 units issued to Alice."""
    chain = Chain()
    chain.genesis(payload)
    assert chain.admit(ISSUER, Role.ISSUER, Role.HOLDER) == "ok"
    for holder in (ALICE, BOB):
        assert chain.admit(holder, Role.HOLDER) == "ok"
    assert chain.run(IssuerAgreement(ISSUER, "cd" * 32), OPERATOR, ISSUER) == "ok"
    assert chain.run(wheat(), ISSUER) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1000), ISSUER) == "ok"
    return chain


def under_2() -> Genesis:
    return dataclasses.replace(genesis_payload(), signature_rules=ZIP215)


def test_a_genesis_without_signature_rules_is_written_as_before_the_field_existed() -> None:
    data = genesis_payload().to_json()
    assert "signature_rules" not in data
    assert Genesis.parse(data) == genesis_payload()
    assert under_2().to_json()["signature_rules"] == ZIP215
    assert Genesis.parse(under_2().to_json()) == under_2()
    assert Genesis.from_json(genesis_payload().to_json()) == genesis_payload()
    assert Genesis.from_json(under_2().to_json()) == under_2()


def test_a_genesis_naming_version_2_verifies_every_later_block_under_it() -> None:
    chain = chain_from(under_2())
    assert LedgerView(chain.state).signature_rules() == SignatureRules(ZIP215, 1, 0)
    assert rules_at(LedgerView(chain.state).signature_rules(), 0) == LIBSODIUM
    assert preverify_rules(chain.state) == ZIP215
    assert chain.send(torsioned_transfer(chain)).ok  # only ZIP 215 accepts its signature
    assert chain.balance(BOB) == 5


def test_a_genesis_without_them_keeps_version_1() -> None:
    chain = chain_from(genesis_payload())
    assert LedgerView(chain.state).signature_rules() is None
    assert chain.send(torsioned_transfer(chain)).reason is ReasonCode.BAD_SIGNATURE


def test_a_genesis_naming_rules_this_node_does_not_know_is_refused() -> None:
    data = {**genesis_payload().to_json(), "signature_rules": ZIP215 + 1}
    with pytest.raises(Refusal) as refused:
        Genesis.parse(data)
    assert refused.value.code is ReasonCode.MALFORMED


def test_a_chain_that_started_under_version_2_schedules_no_other() -> None:
    chain = chain_from(under_2())
    head = chain.state.head()
    assert head is not None
    later = ScheduleSignatureRules(ZIP215 + 1, head.height + 1 + MIN_RULES_NOTICE)
    assert chain.run(later, OPERATOR) == ReasonCode.WRONG_RULES_VERSION
    again = ScheduleSignatureRules(ZIP215, head.height + 1 + MIN_RULES_NOTICE)
    assert chain.run(again, OPERATOR) == ReasonCode.WRONG_RULES_VERSION
