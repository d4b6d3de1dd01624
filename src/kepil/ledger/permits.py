"""The bridge to the permit service: facts a verified permit states, checked at block time.

The ledger does not parse EDS documents (kepil.signing sits above it): a PermitVerifier is
injected. It is configured by the node (the NCA trust anchors and the Ministry's BIN), never by
the chain: a genesis cannot bring its own trust. It must be deterministic, judging a signature at
the moment the CMS states, consult neither clock nor network, and give every node the same
answer for the same bytes; the ledger itself checks the validity dates against block time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.records import Permit
from kepil.ledger.vocab import PermitAction, PermitStatus


@dataclass(frozen=True, slots=True)
class PermitFacts:
    """What a valid permit says: its number, holder and validity (unix seconds, UTC)."""

    number: str
    holder: str  # the operator's IIN/BIN
    valid_from: int
    valid_until: int  # exclusive
    signed_at: int = 0  # the moment the Ministry's signature states (unix seconds); 0: unread


@dataclass(frozen=True, slots=True)
class StatusChangeFacts:
    """What a Ministry-signed `permit_status_change` document says, and when it was signed."""

    permit_number: str
    action: PermitAction  # suspend, reinstate or revoke (a renewal is a new permit document)
    reason: str
    signed_at: int  # unix seconds, as the CMS states


@dataclass(frozen=True, slots=True)
class PermitRefusal:
    """Why a document was not accepted (signature, signer, format): a code and a human reason."""

    reason: str
    code: ReasonCode = ReasonCode.PERMIT_REFUSED


class PermitVerifier(Protocol):
    """Checks documents signed by a Ministry head under the node's own trust anchors."""

    def verify(self, permit_document: bytes) -> PermitFacts | PermitRefusal:
        """The facts of a genuine permit (an attached CMS), or why the document is refused."""
        ...

    def verify_status_change(
        self, document: bytes, cms: bytes
    ) -> StatusChangeFacts | PermitRefusal:
        """The facts of a genuine status change (`cms` signs `document`), or why it is refused."""
        ...


def verified_facts(verifier: PermitVerifier, permit_document: bytes, operator: str) -> PermitFacts:
    """The facts of a permit held by `operator`, or a Refusal."""
    result = verifier.verify(permit_document)
    if isinstance(result, PermitRefusal):
        raise Refusal(result.code, result.reason)
    if result.holder != operator:
        raise Refusal(ReasonCode.PERMIT_HOLDER_MISMATCH, f"the permit names {result.holder}")
    if result.valid_until <= result.valid_from:
        raise Refusal(ReasonCode.PERMIT_REFUSED, "the permit's validity is empty")
    return result


def verified_change(verifier: PermitVerifier, document: bytes, cms: bytes) -> StatusChangeFacts:
    """The facts of a genuine status change, or a Refusal naming why not."""
    result = verifier.verify_status_change(document, cms)
    if isinstance(result, PermitRefusal):
        raise Refusal(result.code, result.reason)
    return result


def require_permit_valid(permit: Permit | None, at: int) -> None:
    """Refuse unless the operator's permit is in force at block time `at`.

    Expiry needs no message: past valid_until (the end of its 3 years) issue is refused here.
    """
    if permit is None:
        raise Refusal(ReasonCode.NOT_INITIALISED)
    if permit.status is PermitStatus.REVOKED:
        raise Refusal(ReasonCode.PERMIT_REVOKED)
    if permit.status is PermitStatus.SUSPENDED:
        raise Refusal(ReasonCode.PERMIT_SUSPENDED)
    if at < permit.valid_from:
        raise Refusal(ReasonCode.PERMIT_NOT_YET_VALID)
    if at >= permit.valid_until:
        raise Refusal(ReasonCode.PERMIT_EXPIRED)
