"""The Ministry's word on the operator's permit: suspend, reinstate, revoke, renew.

The Ministry signs with the Ed25519 key genesis recorded. A renewal also carries the new permit
document, which the injected PermitVerifier checks against the Ministry certificate from genesis.
Issue is allowed only while the permit is active and within its validity at block time.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import Fields, malformed
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.genesis import MAX_DOCUMENT_BYTES
from kepil.ledger.handlers.rules import require_signers
from kepil.ledger.permits import PermitFacts, PermitVerifier, verified_facts
from kepil.ledger.records import ChainMeta, Permit
from kepil.ledger.statekeys import PERMIT_KEY
from kepil.ledger.tx import MINISTRY
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import PermitAction, PermitStatus

_FROM: dict[PermitAction, frozenset[PermitStatus]] = {
    PermitAction.SUSPEND: frozenset({PermitStatus.ACTIVE}),
    PermitAction.REINSTATE: frozenset({PermitStatus.SUSPENDED}),
    PermitAction.REVOKE: frozenset({PermitStatus.ACTIVE, PermitStatus.SUSPENDED}),
    PermitAction.RENEW: frozenset({PermitStatus.ACTIVE, PermitStatus.SUSPENDED}),
}
_TO: dict[PermitAction, PermitStatus | None] = {
    PermitAction.SUSPEND: PermitStatus.SUSPENDED,
    PermitAction.REINSTATE: PermitStatus.ACTIVE,
    PermitAction.REVOKE: PermitStatus.REVOKED,
    PermitAction.RENEW: None,  # a renewal replaces the dates and keeps the status
}


@dataclass(frozen=True, slots=True)
class PermitStatusChange(Payload):
    """A status change of the operator's permit, citing the Ministry's act."""

    TYPE: ClassVar[str] = "permit_status"
    action: PermitAction
    reference: str
    permit: str | None  # base64 of the renewed permit document; only for renew

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a permit status change strictly."""
        reader = Fields(data)
        action = reader.choice("action", PermitAction)
        reference = reader.text("reference", 200)
        permit = None
        if reader.raw("permit") is not None:
            reader.base64("permit", MAX_DOCUMENT_BYTES)
            permit = str(data["permit"])
        reader.done()
        if (permit is not None) != (action is PermitAction.RENEW):
            raise malformed("a permit document comes with renew and only with renew")
        return cls(action, reference, permit)


class PermitStatusHandler(TxHandler[PermitStatusChange]):
    """Applies the Ministry's status changes; revocation is final."""

    payload_type = PermitStatusChange

    def __init__(self, verifier: PermitVerifier) -> None:
        """Check renewed permits with `verifier`."""
        self._verifier = verifier

    def authorise(
        self, payload: PermitStatusChange, signers: frozenset[str], view: LedgerView
    ) -> None:
        """The Ministry signs."""
        require_signers(signers, (MINISTRY,))

    def dynamic_validate(
        self, payload: PermitStatusChange, ctx: TxContext, view: LedgerView
    ) -> None:
        """The transition is allowed from the current status; a renewal's permit is genuine."""
        permit, chain = self._current(view)
        if permit.status is PermitStatus.REVOKED:
            raise Refusal(ReasonCode.PERMIT_REVOKED)
        if permit.status not in _FROM[payload.action]:
            raise Refusal(ReasonCode.BAD_PERMIT_TRANSITION, f"{payload.action} of {permit.status}")
        if payload.permit is not None:
            self._facts(payload.permit, chain)

    def apply(self, payload: PermitStatusChange, ctx: TxContext, view: LedgerView) -> None:
        """Record the new status, or the renewed permit's number and dates."""
        permit, chain = self._current(view)
        status = _TO[payload.action] or permit.status
        changed = replace(
            permit, status=status, reference=payload.reference, changed_at=ctx.timestamp
        )
        if payload.permit is not None:
            facts = self._facts(payload.permit, chain)
            changed = replace(
                changed,
                number=facts.number,
                valid_from=facts.valid_from,
                valid_until=facts.valid_until,
            )
        view.put(PERMIT_KEY, changed)

    def _current(self, view: LedgerView) -> tuple[Permit, ChainMeta]:
        permit, chain = view.permit(), view.chain()
        if permit is None or chain is None:
            raise Refusal(ReasonCode.NOT_INITIALISED)
        return permit, chain

    def _facts(self, document: str, chain: ChainMeta) -> PermitFacts:
        return verified_facts(
            self._verifier,
            base64.b64decode(document),
            base64.b64decode(chain.ministry_certificate),
            chain.operator,
        )
