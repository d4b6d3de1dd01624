"""The bridge to the permit service: facts a verified permit states, checked at block time.

The ledger does not parse EDS documents (kepil.signing sits above it): a PermitVerifier is
injected. It must be deterministic, consult neither clock nor network, and give every node the
same answer for the same bytes; the ledger itself checks the validity dates against block time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.records import Permit
from kepil.ledger.vocab import PermitStatus


@dataclass(frozen=True, slots=True)
class PermitFacts:
    """What a valid permit says: its number, holder and validity (unix seconds, UTC)."""

    number: str
    holder: str  # the operator's IIN/BIN
    valid_from: int
    valid_until: int  # exclusive


@dataclass(frozen=True, slots=True)
class PermitRefusal:
    """Why a permit document was not accepted (signature, signer, format), for humans."""

    reason: str


class PermitVerifier(Protocol):
    """Checks a permit document signed by the Ministry against the Ministry's certificate."""

    def verify(
        self, permit_document: bytes, ministry_certificate: bytes
    ) -> PermitFacts | PermitRefusal:
        """The facts of a genuine permit, or why the document is refused."""
        ...


def verified_facts(
    verifier: PermitVerifier, permit_document: bytes, ministry_certificate: bytes, operator: str
) -> PermitFacts:
    """The facts of a permit held by `operator`, or a Refusal."""
    result = verifier.verify(permit_document, ministry_certificate)
    if isinstance(result, PermitRefusal):
        raise Refusal(ReasonCode.PERMIT_REFUSED, result.reason)
    if result.holder != operator:
        raise Refusal(ReasonCode.PERMIT_HOLDER_MISMATCH, f"the permit names {result.holder}")
    if result.valid_until <= result.valid_from:
        raise Refusal(ReasonCode.PERMIT_REFUSED, "the permit's validity is empty")
    return result


def require_permit_valid(permit: Permit | None, at: int) -> None:
    """Refuse unless the operator's permit is in force at block time `at`."""
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
