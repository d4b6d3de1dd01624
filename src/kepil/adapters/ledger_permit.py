"""The ledger's PermitVerifier: documents a Ministry head signed, under the node's own anchors.

A node trusts the Ministry by its EDS, not by anything the chain brings: it is configured with
the NCA trust anchors (a trust folder, as the permit service's) and the Ministry's BIN. A permit
(attached CMS over the permit service's canonical JSON) or a registry `permit_status_change`
(the CMS over the document's bytes, attached or detached) is accepted only when its one signer's
certificate chains to those anchors, names the Ministry's BIN and carries an NCA role that may
sign for the organisation:

- HEAD, the organisation's first head;
- SIGNER, "a person with the right of signature": the NCA issues it to whoever the organisation
  empowers to sign, which is how an acting head (or a vice minister signing a permit) holds a
  key. A certificate cannot say more; the permit service itself checks, in its staff register,
  that the official is the head or acting head before a change enters the registry.

A finance signer, a plain employee or an individual is refused (permit_signer_not_head).

It is deterministic, as every node must reach the same answer: validity is judged at the moment
the CMS states (its signing-time attribute), never the node's clock, and no revocation service
is asked (the Ministry suspends or revokes a permit on the ledger itself). When trusted RFC 3161
time-stamps are supported, `_signing_moment` is where a verified token's time takes precedence.
The permit's dates are Almaty calendar days; they become unix seconds at Almaty midnight.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Final

from kepil.ledger.build import DEFAULT_LIFETIME, window_at
from kepil.ledger.codes import ReasonCode
from kepil.ledger.crypto import key_from_seed, public_key_hex
from kepil.ledger.handlers.permit import PermitStatusChange
from kepil.ledger.permits import PermitFacts, PermitRefusal, StatusChangeFacts
from kepil.ledger.tx import MINISTRY, SignedTx, build_tx
from kepil.services.bridge import permit_facts, status_change_facts
from kepil.signing.cms_load import LoadedCms, load_cms
from kepil.signing.cms_verify import encapsulated_content, verify_cms
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind, Role
from kepil.signing.trust import TrustStore

# NCA roles whose holder may sign for the Ministry (see the module's docstring).
HEAD_ROLES: Final = frozenset({Role.HEAD, Role.SIGNER})
_RELAY_KEY_DOMAIN: Final = b"kepil/permit-relay/v1\x00"
# What says the signer's certificate does not lead to the anchors at the signing moment.
_UNTRUSTED: Final = frozenset(
    {
        ErrorCode.UNTRUSTED_CHAIN,
        ErrorCode.CERTIFICATE_EXPIRED,
        ErrorCode.CERTIFICATE_NOT_YET_VALID,
        ErrorCode.CERTIFICATE_REVOKED,
        ErrorCode.SIGNER_CERTIFICATE_MISSING,
    }
)


class _Refused(Exception):  # noqa: N818
    """Internal: why the document is refused, with the ledger's code."""

    def __init__(self, code: ReasonCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class CmsPermitVerifier:
    """Checks permits and status changes signed by a Ministry head under the node's anchors."""

    def __init__(self, trust_store: TrustStore, ministry_bin: str) -> None:
        """Trust the CAs of `trust_store` and the organisation whose BIN is `ministry_bin`."""
        self._trust = trust_store
        self._ministry_bin = ministry_bin.strip()

    def verify(self, permit_document: bytes) -> PermitFacts | PermitRefusal:
        """The facts of a genuine permit, or why the document is refused."""
        try:
            content, signed_at = self._signed(permit_document, None)
        except _Refused as refused:
            return PermitRefusal(str(refused), refused.code)
        facts = permit_facts(content)
        return facts if isinstance(facts, PermitRefusal) else replace(facts, signed_at=signed_at)

    def verify_status_change(
        self, document: bytes, cms: bytes
    ) -> StatusChangeFacts | PermitRefusal:
        """The facts of a genuine status change (`cms` signs `document`), or why it is refused."""
        try:
            content, signed_at = self._signed(cms, document)
        except _Refused as refused:
            return PermitRefusal(str(refused), refused.code)
        return status_change_facts(content, signed_at)

    def _signed(self, cms: bytes, data: bytes | None) -> tuple[bytes, int]:
        """The signed content and the signing moment (unix seconds), or _Refused."""
        try:
            loaded = load_cms(cms)
        except SigningError as error:
            raise _Refused(
                ReasonCode.PERMIT_REFUSED, f"{error.code.value}: {error.detail}"
            ) from None
        at = _signing_moment(loaded)
        result = verify_cms(cms, trust_store=self._trust, at=at, data=data, purpose=KeyKind.SIGN)
        if not result.valid:
            problems = ", ".join(f"{i.code.value} ({i.detail})" for i in result.errors)
            untrusted = any(issue.code in _UNTRUSTED for issue in result.errors)
            code = ReasonCode.PERMIT_SIGNER_UNTRUSTED if untrusted else ReasonCode.PERMIT_REFUSED
            raise _Refused(code, f"the signature is not accepted: {problems}")
        signer = result.signers[0].signer
        assert signer is not None  # noqa: S101 - a valid result has its signer
        if not self._ministry_bin:
            raise _Refused(ReasonCode.PERMIT_SIGNER_NOT_MINISTRY, "no Ministry BIN is configured")
        if signer.bin != self._ministry_bin:
            raise _Refused(
                ReasonCode.PERMIT_SIGNER_NOT_MINISTRY, f"signed for BIN {signer.bin or 'none'}"
            )
        if not HEAD_ROLES & set(signer.roles):
            roles = ", ".join(signer.roles) or "none"
            raise _Refused(ReasonCode.PERMIT_SIGNER_NOT_HEAD, f"the signer's NCA roles: {roles}")
        content = data if data is not None else encapsulated_content(cms)
        if content is None:
            raise _Refused(
                ReasonCode.PERMIT_REFUSED, "the CMS does not carry the permit (detached)"
            )
        return content, int(at.timestamp())


def _signing_moment(loaded: LoadedCms) -> datetime:
    """The moment the one signer's signature states; the node's clock is never asked."""
    if len(loaded.signers) != 1:
        raise _Refused(ReasonCode.PERMIT_REFUSED, f"one signer, not {len(loaded.signers)}")
    signed_at = loaded.signers[0].signing_time
    if signed_at is None:
        raise _Refused(ReasonCode.PERMIT_REFUSED, "the signature carries no signing time")
    return signed_at


def permit_change_tx(
    chain_id: str, cms: bytes, document: bytes | None, now: int, lifetime: int = DEFAULT_LIFETIME
) -> SignedTx:
    """The permit_status transaction relaying the Ministry's signed files, ready to submit.

    `document` is the registry's `permit_status_change` bytes and `cms` the head's signature
    over them (attached or detached); with no document, `cms` is a renewed or new permit (an
    attached CMS). The "ministry" nonce is the signing moment the CMS states, and the envelope
    is signed with a key derived from the signed bytes: it carries no authority, and the same
    files at the same `now` always give the same transaction. Valid from `now` for `lifetime`
    seconds. Raises ValueError when the CMS cannot be read or states no signing time.
    """
    try:
        at = _signing_moment(load_cms(cms))
    except (SigningError, _Refused) as error:
        raise ValueError(f"not a CMS the ledger can relay: {error}") from None
    digest = hashlib.sha256(cms + b"\x00" + (document or b"")).digest()
    key = key_from_seed(_RELAY_KEY_DOMAIN + digest)
    payload = PermitStatusChange(
        public_key_hex(key),
        base64.b64encode(cms).decode(),
        None if document is None else base64.b64encode(document).decode(),
    )
    nonces = {MINISTRY: int(at.timestamp())}
    return build_tx(chain_id, payload, nonces, window_at(now, lifetime)).sign({MINISTRY: key})
