"""Read the parts of a CMS SignerInfo that verification needs, in plain Python types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from kepil.signing import nca_profile as nca
from kepil.signing.errors import ErrorCode, SigningError

# signatureAlgorithm name (asn1crypto) -> (key family, hash), None = the digestAlgorithm's hash
_SIGNATURE_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "rsassa_pkcs1v15": ("rsa", None),
    "sha256_rsa": ("rsa", "sha256"),
    "sha384_rsa": ("rsa", "sha384"),
    "sha512_rsa": ("rsa", "sha512"),
    "ecdsa": ("ecdsa", None),
    "sha256_ecdsa": ("ecdsa", "sha256"),
    "sha384_ecdsa": ("ecdsa", "sha384"),
    "sha512_ecdsa": ("ecdsa", "sha512"),
    "ed25519": ("ed25519", "sha512"),
}
_GOST_NAMES = {
    nca.GOST2015_256_SIGNATURE: "gost2015-256",
    nca.GOST2015_512_SIGNATURE: "gost2015-512",
    nca.GOST2004_SIGNATURE: "gost2004",
}


@dataclass(frozen=True)
class SignerInfoView:
    """One SignerInfo, decoded."""

    issuer_der: bytes | None
    serial_number: int | None
    key_identifier: bytes | None
    digest_oid: str
    digest_name: str
    signature_oid: str
    signature_name: str
    signature: bytes
    signed_attrs: bytes | None  # DER of the SET OF, the bytes the signature covers
    message_digest: bytes | None
    content_type: str | None
    signing_time: datetime | None

    @property
    def key_family(self) -> str:
        """rsa, ecdsa, ed25519 or gost; unsupported_algorithm otherwise."""
        if self.signature_oid in _GOST_NAMES:
            return "gost"
        return self._known()[0]

    @property
    def signature_hash_name(self) -> str:
        """The hash the signature algorithm applies to the signed bytes."""
        return self._known()[1] or self.digest_name

    @property
    def algorithm_name(self) -> str:
        """A short name such as rsa-sha256, ecdsa-sha256, ed25519 or gost2015-512."""
        if self.signature_oid in _GOST_NAMES:
            return _GOST_NAMES[self.signature_oid]
        known = _SIGNATURE_ALGORITHMS.get(self.signature_name)
        if known is None:
            return self.signature_oid
        family, hash_name = known
        return family if family == "ed25519" else f"{family}-{hash_name or self.digest_name}"

    def _known(self) -> tuple[str, str | None]:
        try:
            return _SIGNATURE_ALGORITHMS[self.signature_name]
        except KeyError:
            raise SigningError(
                ErrorCode.UNSUPPORTED_ALGORITHM, f"signature algorithm {self.signature_oid}"
            ) from None


def read_signer_info(info: cms.SignerInfo) -> SignerInfoView:
    """Decode one SignerInfo; damage raises the parser's own exceptions."""
    sid = info["sid"]
    issuer = serial = key_id = None
    if sid.name == "issuer_and_serial_number":
        issuer = bytes(sid.chosen["issuer"].dump())
        serial = int(sid.chosen["serial_number"].native)
    else:
        key_id = bytes(sid.chosen.native)
    attributes = info["signed_attrs"]
    signed_bytes = message_digest = content_type = signing_time = None
    if attributes.contents is not None and len(attributes):
        # The signature covers the attributes as a SET OF (tag 0x31), not as [0] IMPLICIT.
        signed_bytes = b"\x31" + bytes(attributes.dump())[1:]
        for attribute in attributes:
            kind = attribute["type"].native
            value = attribute["values"][0]
            if kind == "message_digest":
                message_digest = bytes(value.native)
            elif kind == "content_type":
                content_type = value.dotted
            elif kind == "signing_time":
                signing_time = value.native
    return SignerInfoView(
        issuer_der=issuer,
        serial_number=serial,
        key_identifier=key_id,
        digest_oid=info["digest_algorithm"]["algorithm"].dotted,
        digest_name=str(info["digest_algorithm"]["algorithm"].native),
        signature_oid=info["signature_algorithm"]["algorithm"].dotted,
        signature_name=str(info["signature_algorithm"]["algorithm"].native),
        signature=bytes(info["signature"].native),
        signed_attrs=signed_bytes,
        message_digest=message_digest,
        content_type=content_type,
        signing_time=signing_time,
    )


def find_certificate(
    view: SignerInfoView, certificates: Sequence[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate the SignerInfo names, by issuer and serial or by key identifier."""
    for certificate in certificates:
        if view.serial_number is not None:
            if certificate.serial_number == view.serial_number and _same_name(
                certificate.issuer, view.issuer_der
            ):
                return certificate
        elif _key_identifier(certificate) == view.key_identifier:
            return certificate
    return None


def _key_identifier(certificate: x509.Certificate) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value.digest
    except x509.ExtensionNotFound:
        return None


def _same_name(name: x509.Name, der: bytes | None) -> bool:
    if der is None:
        return False
    own = name.public_bytes()
    # asn1crypto compares names the RFC 5280 way (case and space folding) when bytes differ.
    return own == der or bool(asn1_x509.Name.load(own) == asn1_x509.Name.load(der))
