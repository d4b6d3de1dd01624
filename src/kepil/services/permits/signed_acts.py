"""From an EDS-signed CMS to a verified, typed act: the one way every signed request comes in.

The verifier checks the signature, the certificate chain and that a *signing* key made it (not an
authentication key); this module adds that the signer is the person whose session sent it, and
decodes the signed bytes with the reader the command gives (an App.2 form, a decision, a
complaint, a registry status change). Handlers receive the typed payload and never see JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from kepil.domain.auth import Principal
from kepil.services.errors import ConflictError, InvalidInputError, SignatureRefusedError
from kepil.services.permits.ports import AlreadyStored, DocumentSignatureVerifier
from kepil.services.unit_of_work import UnitOfWork

P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class SignedAct(Generic[P]):
    """A verified act: who signed it, what it says (typed), the exact bytes, the CMS and the
    digest that names the act whatever wraps it."""

    signer: Principal
    payload: P
    content: bytes
    cms: bytes
    digest: str
    signing_time: datetime | None = None


def verify_act(
    cms: bytes,
    session_holder: Principal,
    verifier: DocumentSignatureVerifier,
    at: datetime,
    read: Callable[[bytes], P],
    what: str,
) -> SignedAct[P]:
    """The act if the signature holds, its signer holds the session and its content reads."""
    signed = verifier.verify(cms, at)
    if signed.principal.iin != session_holder.iin:
        raise SignatureRefusedError(
            "signer_mismatch", f"the {what} is signed by someone other than the signed-in user"
        )
    return SignedAct(
        signed.principal,
        read(signed.content),
        signed.content,
        cms,
        signed.act_digest,
        signed.signing_time,
    )


def use_act(uow: UnitOfWork, act: SignedAct[Any], what: str, result: str, at: datetime) -> None:
    """Record the act as used, in the transaction of its effect, once everything else about
    it was accepted: if it took effect before (a captured CMS sent again, or a twin that
    committed while we worked), ConflictError naming what it did then."""
    try:
        uow.signed_acts.use(act.digest, what, result, at)
    except AlreadyStored:
        raise _used(what, uow.signed_acts.result_of(act.digest) or "another request") from None


def _used(what: str, result: str) -> ConflictError:
    return ConflictError(
        "signed_act_used",
        f"this signed {what} was used already ({result}); a signed act takes effect once: "
        "sign a new one to act again",
    )


def json_object(content: bytes, code: str) -> dict[str, Any]:
    """The signed bytes as a JSON object, or InvalidInputError with `code`."""
    try:
        payload = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        raise InvalidInputError(code, "the signed content is not a JSON object")
    return payload
