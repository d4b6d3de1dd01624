"""The Ministry's word on the operator's permit: suspend, reinstate, revoke, renew.

A change travels as the Ministry signed it: the registry's `permit_status_change` document and
the head's CMS over it, or, for a renewal or a new permit, the permit document itself (attached
CMS). The injected PermitVerifier judges the signature under the node's own anchors; no key of
the chain's own making authorises anything. The envelope is signed by whoever relays the change,
under the signer id "ministry" with a key the payload names (it carries no authority: anyone may
relay), and its "ministry" nonce must be the moment the CMS states. So the Ministry's changes
apply in the order it signed them, and a replay, or a change older than the last one applied, is
refused before any state is touched (permit_change_replayed). Issue is allowed only while the
permit is active and within its validity at block time; expiry needs no message.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Final, Self

from kepil.ledger.codes import ReasonCode, Refusal, refuse_unless
from kepil.ledger.fields import Fields, malformed
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.genesis import MAX_DOCUMENT_BYTES
from kepil.ledger.handlers.rules import require_signers
from kepil.ledger.permits import (
    PermitFacts,
    PermitRefusal,
    PermitVerifier,
    StatusChangeFacts,
    verified_change,
)
from kepil.ledger.records import Permit
from kepil.ledger.statekeys import PERMIT_KEY
from kepil.ledger.tx import MINISTRY, SignedTx
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
    PermitAction.RENEW: None,  # a renewal replaces the number and dates and keeps the status
}
_REMEMBERED: Final = 64  # verified documents kept, so one transaction's CMS is checked once


@dataclass(frozen=True, slots=True)
class PermitStatusChange(Payload):
    """A Ministry-signed change of the operator's permit, exactly as the Ministry signed it."""

    TYPE: ClassVar[str] = "permit_status"
    submitter: str  # hex Ed25519 key the relay signs the envelope with; no authority
    cms: str  # base64: the CMS over `document`, or an attached CMS permit (a renewal)
    document: str | None = None  # base64 of the signed permit_status_change; None: renewal

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a permit status change strictly."""
        reader = Fields(data)
        submitter = reader.hex64("submitter")
        reader.base64("cms", MAX_DOCUMENT_BYTES)
        document = None
        if data.get("document") is not None:
            reader.base64("document", MAX_DOCUMENT_BYTES)
            document = str(data["document"])
        elif "document" in data:
            reader.raw("document")
        reader.done()
        return cls(submitter, str(data["cms"]), document)

    @property
    def signed_bytes(self) -> bytes:
        """The bytes the Ministry signed: the change document, or the renewal's CMS."""
        return base64.b64decode(self.document if self.document is not None else self.cms)


class PermitStatusHandler(TxHandler[PermitStatusChange]):
    """Applies the Ministry's signed changes in signing order; revocation is final."""

    payload_type = PermitStatusChange

    def __init__(self, verifier: PermitVerifier) -> None:
        """Check the Ministry's signatures with `verifier`."""
        self._verifier = verifier
        self._verified: dict[tuple[str, str | None], StatusChangeFacts | PermitFacts] = {}

    def static_validate(self, tx: SignedTx) -> PermitStatusChange:
        """The signature is a Ministry head's; the "ministry" nonce is its signing moment."""
        payload = PermitStatusChange.parse(tx.unsigned.payload)
        signed_at = self.facts(payload).signed_at
        if dict(tx.unsigned.nonces) != {MINISTRY: signed_at}:
            raise malformed(f'the nonces must be {{"{MINISTRY}": {signed_at}}}, the signing time')
        return payload

    def signer_key(self, signer: str, payload: PermitStatusChange, view: LedgerView) -> str:
        """The relay's key the payload names; a change not newer than the last is a replay."""
        refuse_unless(signer == MINISTRY, ReasonCode.UNEXPECTED_SIGNER, signer)
        if view.nonce(MINISTRY) >= self.facts(payload).signed_at:
            raise Refusal(ReasonCode.PERMIT_CHANGE_REPLAYED, "not newer than the last applied")
        return payload.submitter

    def authorise(
        self, payload: PermitStatusChange, signers: frozenset[str], view: LedgerView
    ) -> None:
        """Relayed under the Ministry's signer id alone."""
        require_signers(signers, (MINISTRY,))

    def dynamic_validate(
        self, payload: PermitStatusChange, ctx: TxContext, view: LedgerView
    ) -> None:
        """The change names this platform's permit and is allowed from its current status."""
        self._changed(payload, view)

    def apply(self, payload: PermitStatusChange, ctx: TxContext, view: LedgerView) -> None:
        """Record the new status, or the renewed permit's number and dates."""
        changed = replace(self._changed(payload, view), changed_at=ctx.timestamp)
        view.put(PERMIT_KEY, changed)

    def facts(self, payload: PermitStatusChange) -> StatusChangeFacts | PermitFacts:
        """What the Ministry signed (verified once per document), or a Refusal."""
        key = (payload.cms, payload.document)
        known = self._verified.get(key)
        if known is not None:
            return known
        cms = base64.b64decode(payload.cms)
        facts: StatusChangeFacts | PermitFacts
        if payload.document is None:
            found = self._verifier.verify(cms)
            if isinstance(found, PermitRefusal):
                raise Refusal(found.code, found.reason)
            if found.valid_until <= found.valid_from:
                raise Refusal(ReasonCode.PERMIT_REFUSED, "the permit's validity is empty")
            facts = found
        else:
            facts = verified_change(self._verifier, base64.b64decode(payload.document), cms)
        if len(self._verified) >= _REMEMBERED:
            self._verified.clear()
        self._verified[key] = facts
        return facts

    def _changed(self, payload: PermitStatusChange, view: LedgerView) -> Permit:
        permit, chain = view.permit(), view.chain()
        if permit is None or chain is None:
            raise Refusal(ReasonCode.NOT_INITIALISED)
        facts = self.facts(payload)
        action = facts.action if isinstance(facts, StatusChangeFacts) else PermitAction.RENEW
        if permit.status is PermitStatus.REVOKED:
            raise Refusal(ReasonCode.PERMIT_REVOKED)
        reference = hashlib.sha256(payload.signed_bytes).hexdigest()  # the act, by its hash
        if isinstance(facts, StatusChangeFacts):
            if facts.permit_number != permit.number:
                raise Refusal(ReasonCode.PERMIT_CHANGE_FOR_ANOTHER_PERMIT, facts.permit_number)
        elif facts.holder != chain.operator:
            raise Refusal(ReasonCode.PERMIT_HOLDER_MISMATCH, f"the permit names {facts.holder}")
        if permit.status not in _FROM[action]:
            raise Refusal(ReasonCode.BAD_PERMIT_TRANSITION, f"{action} of {permit.status}")
        changed = replace(permit, status=_TO[action] or permit.status, reference=reference)
        if isinstance(facts, PermitFacts):
            changed = replace(
                changed,
                number=facts.number,
                valid_from=facts.valid_from,
                valid_until=facts.valid_until,
            )
        return changed
