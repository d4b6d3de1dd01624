"""Checks that several transaction types share: signers, participants, roles, freezes."""

from __future__ import annotations

from collections.abc import Iterable

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.records import AssetClass, Participant
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import HOLDING_ROLES, ParticipantStatus, Role


def require_signers(signers: frozenset[str], expected: Iterable[str]) -> None:
    """Refuse unless the signers are exactly `expected`."""
    wanted = frozenset(expected)
    if not wanted <= signers:
        missing = ", ".join(sorted(wanted - signers))
        raise Refusal(ReasonCode.MISSING_SIGNATURE, f"needs the signature of {missing} too")
    if signers != wanted:
        raise Refusal(ReasonCode.UNEXPECTED_SIGNER, f"did not need {sorted(signers - wanted)}")


def operator_id(view: LedgerView) -> str:
    """The operator's IIN/BIN."""
    chain = view.chain()
    if chain is None:
        raise Refusal(ReasonCode.NOT_INITIALISED)
    return chain.operator


def require_operator_signed(signers: frozenset[str], view: LedgerView) -> str:
    """Refuse unless the operator alone signed; return its id."""
    operator = operator_id(view)
    require_signers(signers, (operator,))
    return operator


def known_participant(view: LedgerView, participant: str) -> Participant:
    """The participant, or UNKNOWN_PARTICIPANT."""
    found = view.participant(participant)
    if found is None:
        raise Refusal(ReasonCode.UNKNOWN_PARTICIPANT, participant)
    return found


def active_participant(view: LedgerView, participant: str, role: Role | None = None) -> Participant:
    """The active participant (holding `role`, if given), or a Refusal."""
    found = known_participant(view, participant)
    if found.status is not ParticipantStatus.ACTIVE:
        raise Refusal(ReasonCode.PARTICIPANT_INACTIVE, participant)
    if role is not None and not found.has(role):
        raise Refusal(ReasonCode.MISSING_ROLE, f"{participant} is not a {role}")
    return found


def require_can_hold(view: LedgerView, participant: str) -> None:
    """Refuse unless `participant` is active and has a role that may hold units."""
    found = view.participant(participant)
    if (
        found is None
        or found.status is not ParticipantStatus.ACTIVE
        or HOLDING_ROLES.isdisjoint(found.roles)
    ):
        raise Refusal(ReasonCode.RECIPIENT_CANNOT_HOLD, participant)


def known_asset(view: LedgerView, asset: str) -> AssetClass:
    """The asset class, or UNKNOWN_ASSET."""
    found = view.asset(asset)
    if found is None:
        raise Refusal(ReasonCode.UNKNOWN_ASSET, asset)
    return found


def require_not_frozen(view: LedgerView, holder: str, asset: str) -> None:
    """Refuse when `holder`'s units of `asset` are frozen."""
    if view.is_frozen(holder, asset):
        raise Refusal(ReasonCode.ACCOUNT_FROZEN, holder)


def require_free_units(view: LedgerView, holder: str, asset: str, amount: int) -> None:
    """Refuse unless `holder` has `amount` free units of `asset` and they are not frozen."""
    require_not_frozen(view, holder, asset)
    if view.balance(holder, asset) < amount:
        raise Refusal(ReasonCode.INSUFFICIENT_UNITS, holder)


def require_distinct(*parties: str) -> None:
    """Refuse a transaction whose parties coincide (a transfer to oneself, say)."""
    if len(set(parties)) != len(parties):
        raise Refusal(ReasonCode.SELF_DEALING)
