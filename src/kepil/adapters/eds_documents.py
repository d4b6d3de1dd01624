"""EDS over documents and decisions: an attached CMS made with a signing key (Rules §3, §9)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from kepil.adapters.eds import principal_of
from kepil.domain.auth import Principal
from kepil.services.errors import SignatureRefusedError
from kepil.services.permits.ports import SignedContent
from kepil.signing.certificates import IdentityNumberCheck, is_valid_identity_number
from kepil.signing.cms_load import load_signed_data
from kepil.signing.cms_signer_info import read_signer_info
from kepil.signing.cms_verify import encapsulated_content, verify_cms
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import RevocationChecker
from kepil.signing.trust import TrustStore


class EdsDocumentVerifier:
    """Checks chain, validity at `at`, revocation and the signing key usage; one signer only."""

    def __init__(
        self,
        trust_store: TrustStore,
        revocation: Sequence[RevocationChecker] = (),
        check_number: IdentityNumberCheck = is_valid_identity_number,
    ) -> None:
        self._trust_store = trust_store
        self._revocation = tuple(revocation)
        self._check_number = check_number

    @property
    def trust_store(self) -> TrustStore:
        """The CA certificates trusted (the check page verifies uploaded PDFs against them)."""
        return self._trust_store

    @property
    def revocation(self) -> tuple[RevocationChecker, ...]:
        """The revocation checkers the server's own signatures are judged with."""
        return self._revocation

    def verify(self, cms: bytes, at: datetime) -> SignedContent:
        """The signer and the signed bytes, or SignatureRefusedError with the reasons."""
        result = verify_cms(
            cms,
            trust_store=self._trust_store,
            at=at,
            purpose=KeyKind.SIGN,
            revocation=self._revocation,
            check_number=self._check_number,
        )
        if not result.valid:
            codes = [issue.code.value for issue in result.errors]
            details = [{"code": i.code.value, "problem": i.detail} for i in result.errors]
            raise SignatureRefusedError(
                codes[0] if codes else "invalid_signature",
                "the EDS signature is not accepted: " + ", ".join(codes or ["no signer"]),
                details,
            )
        if len(result.signers) != 1:
            raise SignatureRefusedError("one_signer_required", "exactly one signer is required")
        content = encapsulated_content(cms)
        if content is None:
            raise SignatureRefusedError(
                "content_missing", "the CMS must carry the signed content (attached, not detached)"
            )
        signer = result.sole_signer()
        if signer.iin is None:
            raise SignatureRefusedError("no_identity", "the certificate names no IIN")
        principal = principal_of(signer, signer.iin)
        signing_time = read_signer_info(load_signed_data(cms)["signer_infos"][0]).signing_time
        return SignedContent(principal, content, act_digest(cms, content, principal), signing_time)


def act_digest(cms: bytes, content: bytes, principal: Principal) -> str:
    """The act's identity: the signer's certificate and the bytes its signature covers.

    Not the CMS bytes, which can be re-wrapped (certificates, unsigned attributes, the signer
    identifier) without touching the signature; nor the signature value, which an ECDSA
    signature lets anyone rewrite. The signed attributes carry the signing time, so the same
    text signed again is another act; without them the content is what was signed."""
    info = load_signed_data(cms)["signer_infos"][0]
    covered = read_signer_info(info).signed_attrs or content
    signer = f"{principal.certificate_issuer}\0{principal.certificate_serial}\0".encode()
    return hashlib.sha256(signer + covered).hexdigest()
