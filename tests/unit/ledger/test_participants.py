"""Admission, suspension, reinstatement, revocation and key rotation."""

from __future__ import annotations

from tests.support.ledger import ALICE, BOB, OPERATOR, Chain, fixture_key, person

from kepil.ledger import ReasonCode, public_key_hex
from kepil.ledger.handlers.participants import Admit, Reinstate, Revoke, RotateKey, Suspend
from kepil.ledger.vocab import ParticipantStatus, Role


def test_the_operator_admits_a_participant_with_a_key_and_roles(chain: Chain) -> None:
    newcomer = person(20)
    assert chain.admit(newcomer, Role.HOLDER, Role.PLEDGEE) == "ok"
    found = chain.view().participant(newcomer)
    assert found is not None
    assert found.roles == (Role.HOLDER, Role.PLEDGEE)
    assert found.key == public_key_hex(fixture_key(newcomer))


def test_only_the_operator_admits(chain: Chain) -> None:
    newcomer = person(21)
    admit = Admit(newcomer, "Someone", public_key_hex(fixture_key(newcomer)), (Role.HOLDER,))
    assert chain.run(admit, ALICE) == ReasonCode.MISSING_SIGNATURE


def test_a_participant_is_admitted_once(chain: Chain) -> None:
    assert chain.admit(ALICE, Role.HOLDER) == ReasonCode.PARTICIPANT_EXISTS


def test_an_admission_without_roles_is_refused(chain: Chain) -> None:
    assert chain.admit(person(22)) == ReasonCode.MALFORMED


def test_an_invalid_iin_is_refused_at_admission(chain: Chain) -> None:
    admit = Admit("850314312345", "Typo", "00" * 32, (Role.HOLDER,))
    assert chain.run(admit, OPERATOR) == ReasonCode.BAD_IDENTIFIER


def test_a_suspended_participant_cannot_sign(chain: Chain) -> None:
    assert chain.run(Suspend(ALICE, "AML review"), OPERATOR) == "ok"
    assert chain.transfer(ALICE, BOB, 1) == ReasonCode.SIGNER_INACTIVE


def test_a_suspended_participant_cannot_receive(chain: Chain) -> None:
    chain.run(Suspend(ALICE, "AML review"), OPERATOR)
    assert chain.transfer(BOB, ALICE, 1) == ReasonCode.RECIPIENT_CANNOT_HOLD


def test_a_reinstated_participant_signs_again(chain: Chain) -> None:
    chain.run(Suspend(ALICE, "AML review"), OPERATOR)
    assert chain.run(Reinstate(ALICE, "review closed"), OPERATOR) == "ok"
    assert chain.transfer(ALICE, BOB, 1) == "ok"


def test_reinstating_an_active_participant_is_refused(chain: Chain) -> None:
    assert chain.run(Reinstate(ALICE, "nothing"), OPERATOR) == ReasonCode.BAD_PARTICIPANT_TRANSITION


def test_revocation_is_final(chain: Chain) -> None:
    assert chain.run(Revoke(ALICE, "contract ended"), OPERATOR) == "ok"
    assert chain.run(Reinstate(ALICE, "again"), OPERATOR) == ReasonCode.BAD_PARTICIPANT_TRANSITION
    assert chain.admit(ALICE, Role.HOLDER) == ReasonCode.PARTICIPANT_EXISTS
    participant = chain.view().participant(ALICE)
    assert participant is not None
    assert participant.status is ParticipantStatus.REVOKED


def test_the_operator_cannot_suspend_itself(chain: Chain) -> None:
    assert chain.run(Suspend(OPERATOR, "oops"), OPERATOR) == ReasonCode.OPERATOR_PROTECTED


def test_suspending_an_unknown_participant_is_refused(chain: Chain) -> None:
    assert chain.run(Suspend(person(30), "who"), OPERATOR) == ReasonCode.UNKNOWN_PARTICIPANT


def test_a_participant_rotates_its_own_key_and_the_old_key_stops_working(chain: Chain) -> None:
    new_key = fixture_key("alice second key")
    assert chain.run(RotateKey(ALICE, public_key_hex(new_key)), ALICE) == "ok"
    assert chain.transfer(ALICE, BOB, 1) == ReasonCode.SIGNER_KEY_MISMATCH
    chain.keys[ALICE] = new_key
    assert chain.transfer(ALICE, BOB, 1) == "ok"


def test_the_operator_rotates_a_lost_key(chain: Chain) -> None:
    new_key = fixture_key("alice recovered key")
    assert chain.run(RotateKey(ALICE, public_key_hex(new_key)), OPERATOR) == "ok"


def test_nobody_else_rotates_a_key(chain: Chain) -> None:
    rotate = RotateKey(ALICE, public_key_hex(fixture_key("bob's choice")))
    assert chain.run(rotate, BOB) == ReasonCode.MISSING_SIGNATURE


def test_rotating_to_the_same_key_is_refused(chain: Chain) -> None:
    rotate = RotateKey(ALICE, public_key_hex(fixture_key(ALICE)))
    assert chain.run(rotate, ALICE) == ReasonCode.SAME_KEY


def test_an_unknown_signer_is_refused(chain: Chain) -> None:
    stranger = person(40)
    assert chain.transfer(stranger, BOB, 1) == ReasonCode.UNKNOWN_SIGNER
