"""NCA GOST R 34.10-2015 kits: the key as Kalkan stores it, and CMS signed in Kalkan's layout.

Kalkan's PKCS#8 holds the private scalar as an OCTET STRING, little-endian (checked: the point
it gives is the certificate's public key, for every 2015 kit in the NCA samples). CMS is made
as Kalkan makes it: digest Streebog over the content, signed attributes (content type, signing
time, message digest), the signature over their DER in Kalkan's r||s layout, each half
little-endian (kepil.signing.gost). Only GOST 2015 (256 and 512 bit) is handled; GOST
34.310-2004 keys are refused, as kepil's verifier refuses their signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gostcrypto
from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import gost
from kepil.signing.certificates import subject_public_key_info
from kepil.signing.errors import SigningError
from kepil.signing.gost import GostVariant

_VARIANTS = {variant.public_key_oid: variant for variant in (gost.GOST_256, gost.GOST_512)}


class GostKitError(ValueError):
    """A GOST key that cannot be used; the message says why."""


@dataclass(frozen=True)
class GostSigner:
    """A GOST 2015 private key (big-endian scalar) with its certificate and chain."""

    variant: GostVariant
    scalar: bytes
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def sign(self, content: bytes, signing_time: datetime, *, detached: bool) -> bytes:
        """DER CMS SignedData over `content`, as Kalkan writes it."""
        attributes = _signed_attributes(content, self.variant, signing_time)
        signature = self._signature(bytes(attributes.dump()))
        parsed = asn1_x509.Certificate.load(self.certificate.public_bytes(Encoding.DER))
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": {
                    "issuer_and_serial_number": {
                        "issuer": parsed.issuer,
                        "serial_number": parsed.serial_number,
                    }
                },
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": self.variant.digest_oid}),
                "signed_attrs": attributes,
                "signature_algorithm": {"algorithm": self.variant.signature_oid},
                "signature": signature,
            }
        )
        encapsulated: dict[str, object] = {"content_type": "data"}
        if not detached:
            encapsulated["content"] = content
        certificates = [parsed] + [
            asn1_x509.Certificate.load(extra.public_bytes(Encoding.DER)) for extra in self.chain
        ]
        signed_data = cms.SignedData(
            {
                "version": "v1",
                "digest_algorithms": [{"algorithm": self.variant.digest_oid}],
                "encap_content_info": encapsulated,
                "certificates": certificates,
                "signer_infos": [signer_info],
            }
        )
        info = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return bytes(info.dump())

    def _signature(self, message: bytes) -> bytes:
        digest = gost.streebog(message, self.variant)
        # gostcrypto reads the digest big-endian; Streebog's bytes are little-endian.
        r_s = _engine(self.variant).sign(bytearray(self.scalar), bytearray(digest[::-1]))
        return gost.encode_signature(self.variant, bytes(r_s))


def gost_signer(
    private_key_info: bytes,
    certificates: Sequence[x509.Certificate],
) -> GostSigner:
    """The signer of a Kalkan PKCS#8 GOST key, with the certificate whose key it is."""
    try:
        info = core.Sequence.load(private_key_info)
        algorithm = core.Sequence.load(info[1].dump())
        oid = core.ObjectIdentifier.load(algorithm[0].dump()).dotted
        inner = core.load(bytes(core.OctetString.load(info[2].dump()).native))
    except (ValueError, TypeError) as error:
        raise GostKitError(f"the private key cannot be read ({error})") from None
    if oid.startswith("1.2.398.3.10.1.1.1."):
        raise GostKitError("a GOST 34.310-2004 key; only GOST R 34.10-2015 keys can sign here")
    variant = _VARIANTS.get(oid)
    if variant is None or not isinstance(inner, core.OctetString):
        raise GostKitError(f"a private key of algorithm {oid}, which the stand-in cannot use")
    scalar = bytes(inner.native)[::-1]  # Kalkan stores it little-endian
    if len(scalar) != variant.size:
        raise GostKitError("the GOST private key has a wrong size")
    point = bytes(_engine(variant).public_key_generate(bytearray(scalar)))
    size = variant.size
    little = point[:size][::-1] + point[size:][::-1]  # x || y as the NCA writes them
    mine = {little, bytes(core.OctetString(little).dump())}
    for index, certificate in enumerate(certificates):
        if _key_bits(certificate) in mine:
            chain = tuple(c for i, c in enumerate(certificates) if i != index)
            return GostSigner(variant, scalar, certificate, chain)
    raise GostKitError("no certificate in the file belongs to its GOST key")


def _key_bits(certificate: x509.Certificate) -> bytes | None:
    try:
        return gost.public_key_bits(subject_public_key_info(certificate))
    except (SigningError, ValueError):
        return None


def _engine(variant: GostVariant) -> Any:
    signature = gostcrypto.gostsignature
    mode = signature.MODE_256 if variant.bits == 256 else signature.MODE_512
    return signature.new(mode, signature.CURVES_R_1323565_1_024_2019[variant.curve_name])


def _signed_attributes(
    content: bytes, variant: GostVariant, signing_time: datetime
) -> cms.CMSAttributes:
    at = signing_time.astimezone(UTC).replace(microsecond=0)
    attributes = [
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": at})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [gost.streebog(content, variant)]}),
    ]
    # DER orders a SET OF by encoding.
    attributes.sort(key=lambda attribute: bytes(attribute.dump()))
    return cms.CMSAttributes(attributes)
