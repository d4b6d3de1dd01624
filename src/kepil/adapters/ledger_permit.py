"""The ledger's PermitVerifier: the Ministry's permit as an attached CMS over canonical JSON.

The permit service signs canonical_bytes(Permit.to_canonical_dict()) in an attached CMS. This
verifier checks that document against the Ministry certificate the chain's genesis fixed:

- the certificate given is the Ministry's signing certificate: the CMS's one signer must be
  exactly that certificate, and its chain must reach the certificate's issuer (taken from the
  bytes given after it, PEM bundle, or else from the certificates the CMS carries);
- or the certificate given is a CA: any signer whose chain reaches it is accepted.

It is deterministic, as every node must reach the same answer: validity is judged at the CMS
signing time, never the wall clock, and no revocation service is asked (the Ministry suspends or
revokes a permit on the ledger itself, by a permit_status transaction). The permit's dates are
Almaty calendar days; they become unix seconds at Almaty midnight, valid_until exclusive.
"""

from __future__ import annotations

from cryptography import x509

from kepil.ledger.permits import PermitFacts, PermitRefusal
from kepil.services.bridge import permit_facts
from kepil.signing.certificates import load_certificates
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_verify import encapsulated_content, verify_cms
from kepil.signing.errors import SigningError
from kepil.signing.nca_profile import KeyKind
from kepil.signing.trust import TrustStore, is_ca, is_issued_by


class _Refused(Exception):  # noqa: N818
    """Internal: why the document is refused."""


class CmsPermitVerifier:
    """Checks a permit document (attached CMS) signed with the Ministry's certificate."""

    def verify(
        self, permit_document: bytes, ministry_certificate: bytes
    ) -> PermitFacts | PermitRefusal:
        """The facts of a genuine permit, or why the document is refused."""
        try:
            content = _verified_content(permit_document, ministry_certificate)
        except _Refused as refused:
            return PermitRefusal(str(refused))
        return permit_facts(content)


def _verified_content(permit_document: bytes, ministry_certificate: bytes) -> bytes:
    try:
        given = load_certificates(ministry_certificate)
        loaded = load_cms(permit_document)
    except SigningError as error:
        raise _Refused(f"{error.code.value}: {error.detail}") from None
    if not given:
        raise _Refused("no Ministry certificate given")
    if len(loaded.signers) != 1:
        raise _Refused(f"a permit has one signer, not {len(loaded.signers)}")
    signed_at = loaded.signers[0].signing_time
    if signed_at is None:
        raise _Refused("the signature carries no signing time")
    ministry, rest = given[0], given[1:]
    pinned = not is_ca(ministry)
    anchors = _issuers(ministry, [*rest, *loaded.certificates]) if pinned else [ministry]
    if not anchors:
        raise _Refused("the Ministry certificate's issuer is neither given nor attached")
    result = verify_cms(
        permit_document,
        # The genesis pins the Ministry's certificate (or its CA): its issuer anchors the
        # check, though it need not be a root.
        trust_store=TrustStore(pinned=tuple(anchors)),
        at=signed_at,
        purpose=KeyKind.SIGN,
    )
    if not result.valid:
        problems = ", ".join(f"{i.code.value} ({i.detail})" for i in result.errors)
        raise _Refused(f"the Ministry's signature is not accepted: {problems}")
    chain = result.signers[0].chain
    if pinned and (not chain or chain[0] != ministry):
        raise _Refused("signed with another certificate than the Ministry's")
    content = encapsulated_content(permit_document)
    if content is None:
        raise _Refused("the CMS does not carry the permit (detached)")
    return content


def _issuers(
    certificate: x509.Certificate, candidates: list[x509.Certificate]
) -> list[x509.Certificate]:
    return [
        c
        for c in candidates
        if c.subject == certificate.issuer and is_ca(c) and is_issued_by(certificate, c)
    ]
