"""Read the parts of a CMS SignerInfo that verification needs, in plain Python types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import cms, core, parser
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from kepil.signing import gost
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
    "ed25519": ("ed25519", "sha512"),  # RFC 8419: SHA-512 digests with signed attributes
}
_GOST_NAMES = {
    nca.GOST2015_256_SIGNATURE: "gost2015-256",
    nca.GOST2015_512_SIGNATURE: "gost2015-512",
    nca.GOST2004_SIGNATURE: "gost2004",
}
# RFC 5652 section 11: each of these appears at most once, with exactly one value.
_SINGLE_VALUED = ("content_type", "message_digest", "signing_time")
# The SignerInfo fields parsed when a CMS is loaded; unsigned attributes stay raw DER.
SIGNED_PARTS = (
    "version",
    "sid",
    "digest_algorithm",
    "signed_attrs",
    "signature_algorithm",
    "signature",
)
# RFC 3161 appendix A: id-aa-signatureTimeStampToken, a ContentInfo (SignedData of TSTInfo).
SIGNATURE_TIME_STAMP_OID = "1.2.840.113549.1.9.16.2.14"


class _RawValues(core.SetOf):  # type: ignore[misc]
    _child_spec = core.Any


class _RawAttribute(core.Sequence):  # type: ignore[misc]
    _fields = [("type", core.ObjectIdentifier), ("values", _RawValues)]  # noqa: RUF012 - asn1crypto's declaration style


class _RawAttributes(core.SetOf):  # type: ignore[misc]
    _child_spec = _RawAttribute


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
    # DER of the unsigned attributes' SET OF, unparsed: no signature covers them, and what
    # they carry (a time-stamp token, revocation values) is read only when asked for.
    unsigned_attrs: bytes | None = None

    def unsigned_attribute_values(self, oid: str) -> list[bytes]:
        """The DER of every value of the unsigned attributes of type `oid`.

        Raises malformed_cms when the unsigned attributes cannot be read; the signature
        itself does not depend on them, so callers decide what that means.
        """
        if self.unsigned_attrs is None:
            return []
        try:
            attributes = _RawAttributes.load(self.unsigned_attrs, strict=True)
            return [
                bytes(value.dump())
                for attribute in attributes
                if attribute["type"].dotted == oid
                for value in attribute["values"]
            ]
        except Exception as error:  # asn1crypto reports damage with many exception types
            raise SigningError(
                ErrorCode.MALFORMED_CMS, f"unreadable unsigned attributes: {error}"
            ) from error

    @property
    def timestamp_tokens(self) -> list[bytes]:
        """The RFC 3161 time-stamp tokens (ContentInfo DER), not verified; [] if unreadable."""
        try:
            return self.unsigned_attribute_values(SIGNATURE_TIME_STAMP_OID)
        except SigningError:
            return []

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

    def check_algorithms(self) -> None:
        """The digest algorithm must be the one the signature algorithm hashes with."""
        if gost.is_gost_oid(self.signature_oid) or gost.is_gost_oid(self.digest_oid):
            variant = gost.variant_for_signature(self.signature_oid)  # refuses GOST 2004 too
            if gost.variant_for_digest(self.digest_oid) is not variant:
                raise SigningError(
                    ErrorCode.UNSUPPORTED_ALGORITHM,
                    f"digest {self.digest_oid} does not belong to signature {self.signature_oid}",
                )
            return
        family, hash_name = self._known()
        if hash_name is not None and hash_name != self.digest_name:
            raise SigningError(
                ErrorCode.UNSUPPORTED_ALGORITHM,
                f"digest {self.digest_name} with a {family}-{hash_name} signature",
            )

    def _known(self) -> tuple[str, str | None]:
        try:
            return _SIGNATURE_ALGORITHMS[self.signature_name]
        except KeyError:
            raise SigningError(
                ErrorCode.UNSUPPORTED_ALGORITHM, f"signature algorithm {self.signature_oid}"
            ) from None


def read_signer_info(info: cms.SignerInfo) -> SignerInfoView:
    """Decode one SignerInfo; damage raises malformed_cms or the parser's own exceptions."""
    sid = info["sid"]
    issuer = serial = key_id = None
    if sid.name == "issuer_and_serial_number":
        issuer = bytes(sid.chosen["issuer"].dump())
        serial = int(sid.chosen["serial_number"].native)
    else:
        key_id = bytes(sid.chosen.native)
    attributes = info["signed_attrs"]
    signed_bytes = None
    values: dict[str, object] = {}
    if not isinstance(attributes, core.Void):  # Void: the optional field is absent
        if not len(attributes):
            raise SigningError(ErrorCode.MALFORMED_CMS, "signed attributes present but empty")
        values = _single_values(attributes)
        if "content_type" not in values or "message_digest" not in values:
            raise SigningError(
                ErrorCode.MALFORMED_CMS, "signed attributes lack content-type or message-digest"
            )
        signed_bytes = _der_set_of(attributes)
    content_type = values.get("content_type")
    message_digest = values.get("message_digest")
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
        message_digest=message_digest if isinstance(message_digest, bytes) else None,
        content_type=content_type if isinstance(content_type, str) else None,
        signing_time=_signing_time(values.get("signing_time")),
        unsigned_attrs=_raw_unsigned(info),
    )


def _raw_unsigned(info: cms.SignerInfo) -> bytes | None:
    """The unsigned attributes ([1] IMPLICIT SET OF) re-tagged as a DER SET OF, unparsed."""
    attributes = info["unsigned_attrs"]
    if isinstance(attributes, core.Void):
        return None
    return bytes(parser.emit(0, 1, 17, attributes.contents))


def _single_values(attributes: cms.CMSAttributes) -> dict[str, object]:
    found: dict[str, object] = {}
    for attribute in attributes:
        kind = attribute["type"].native
        if kind not in _SINGLE_VALUED:
            continue
        if kind in found or len(attribute["values"]) != 1:
            raise SigningError(
                ErrorCode.MALFORMED_CMS, f"the {kind} attribute must appear once with one value"
            )
        value = attribute["values"][0]
        found[kind] = value.dotted if kind == "content_type" else value.native
    return found


def _der_set_of(attributes: cms.CMSAttributes) -> bytes:
    """The attributes re-encoded as a DER SET OF (RFC 5652 5.4), whatever tag or form came in.

    Re-encoding sorts the SET OF and gives definite lengths, so a BER or unsorted encoding
    is judged by the bytes a conforming signer (OpenSSL, Bouncy Castle) would have signed.
    """
    copy = cms.CMSAttributes([attribute.copy() for attribute in attributes])
    der = bytes(copy.dump(force=True))
    if der[:1] != b"\x31":
        raise SigningError(ErrorCode.MALFORMED_CMS, "signed attributes do not re-encode")
    return der


def _signing_time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        # DER times end in Z; a local time or asn1crypto's year-0 stand-in cannot be judged.
        raise SigningError(ErrorCode.MALFORMED_CMS, f"unusable signing-time {value!r}")
    return value.astimezone(UTC)


def candidate_certificates(
    view: SignerInfoView, certificates: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """Every certificate the SignerInfo's identifier names (an attacker may add look-alikes)."""
    found = []
    for certificate in certificates:
        if view.serial_number is not None:
            if certificate.serial_number == view.serial_number and _same_name(
                certificate.issuer, view.issuer_der
            ):
                found.append(certificate)
        elif (
            view.key_identifier is not None and _key_identifier(certificate) == view.key_identifier
        ):
            found.append(certificate)
    return found


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
