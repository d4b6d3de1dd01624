"""EDS over documents and decisions: an attached CMS made with a signing key (Rules §3, §9)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kepil.adapters.eds import principal_of
from kepil.services.errors import SignatureRefusedError
from kepil.services.permits.ports import SignedContent
from kepil.signing.cms_verify import encapsulated_content, verify_cms
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import RevocationChecker
from kepil.signing.trust import TrustStore


class EdsDocumentVerifier:
    """Checks chain, validity at `at`, revocation and the signing key usage; one signer only."""

    def __init__(
        self, trust_store: TrustStore, revocation: Sequence[RevocationChecker] = ()
    ) -> None:
        self._trust_store = trust_store
        self._revocation = tuple(revocation)

    def verify(self, cms: bytes, at: datetime) -> SignedContent:
        """The signer and the signed bytes, or SignatureRefusedError with the reasons."""
        result = verify_cms(
            cms,
            trust_store=self._trust_store,
            at=at,
            purpose=KeyKind.SIGN,
            revocation=self._revocation,
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
        return SignedContent(principal_of(signer, signer.iin), content)
