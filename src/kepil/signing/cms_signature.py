"""Check one SignerInfo's signature and message digest against a candidate certificate."""

from __future__ import annotations

import hmac

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from kepil.signing import gost, keys
from kepil.signing.certificates import subject_public_key_info
from kepil.signing.cms_load import ID_DATA
from kepil.signing.cms_signer_info import SignerInfoView
from kepil.signing.errors import ErrorCode, SigningError


def check_digest(
    view: SignerInfoView,
    content: bytes,
    content_type: str,
    digests: dict[str, bytes] | None = None,
) -> bytes:
    """The bytes the signature must cover, once the signed attributes match the content.

    With signed attributes: the content-type attribute must name eContentType and the
    message-digest must equal the content's digest; the signature covers the attributes.
    Without them (allowed by RFC 5652 for id-data only) the signature covers the content.
    `digests` keeps the content's digest by algorithm OID across the signers of one CMS:
    Streebog takes over half a second per 100 kB in pure Python, so copied SignerInfos must
    not hash the same content again.
    """
    view.check_algorithms()
    if digests is None:
        digests = {}
    if view.digest_oid not in digests:
        digests[view.digest_oid] = _digest(view, content)
    digest = digests[view.digest_oid]
    if view.signed_attrs is None:
        if content_type != ID_DATA:
            raise SigningError(
                ErrorCode.MALFORMED_CMS, "content other than id-data needs signed attributes"
            )
        return content
    if view.content_type != content_type:
        raise SigningError(ErrorCode.BAD_SIGNATURE, "content-type attribute does not match")
    if view.message_digest is None or not hmac.compare_digest(digest, view.message_digest):
        raise SigningError(ErrorCode.DIGEST_MISMATCH, "message-digest differs from the data")
    return view.signed_attrs


def _digest(view: SignerInfoView, content: bytes) -> bytes:
    gost_variant = gost.variant_for_digest(view.digest_oid)
    if gost_variant is not None:
        return gost.streebog(content, gost_variant)
    hasher = hashes.Hash(keys.hash_algorithm(view.digest_name))
    hasher.update(content)
    return hasher.finalize()


def check_signature(
    view: SignerInfoView, signed_bytes: bytes, certificate: x509.Certificate
) -> None:
    """The certificate's key must have made the signature over `signed_bytes`."""
    if gost.is_gost_oid(view.signature_oid):
        spki = subject_public_key_info(certificate)
        ok = gost.verify(spki, view.signature_oid, signed_bytes, view.signature)
    else:
        public_key = certificate.public_key()
        if keys.key_family(public_key) != view.key_family:
            raise SigningError(
                ErrorCode.UNSUPPORTED_ALGORITHM,
                f"{view.algorithm_name} signature by a {keys.key_family(public_key)} key",
            )
        ok = keys.verify(
            public_key,
            view.signature,
            signed_bytes,
            keys.hash_algorithm(view.signature_hash_name),
        )
    if not ok:
        raise SigningError(ErrorCode.BAD_SIGNATURE, "signature does not verify")
