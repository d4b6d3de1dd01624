"""A test time-stamping authority (RFC 3161) under kepil's dev CA, and tokens it makes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kepil.signing import dev_ca, keys
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.dev_pki import DevPki

TIME_STAMPING = ExtendedKeyUsageOID.TIME_STAMPING
TEST_POLICY = "1.2.398.3.3.2.6.4"  # the policy the NCA's production TSA stamps with
_HASHLIB = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def tsa_credential(
    pki: DevPki,
    not_before: datetime,
    *,
    algorithm: KeyAlgorithm = KeyAlgorithm.EC,
    days: int = 365,
    usages: Sequence[x509.ObjectIdentifier] = (TIME_STAMPING,),
    critical: bool = True,
) -> SignerCredential:
    """A TSA key and certificate issued by the dev PKI's issuing CA (RFC 3161 2.3 profile)."""
    key = dev_ca.generate_key(algorithm)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "kepil TEST TSA — NOT FOR PRODUCTION"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(pki.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(usages)), critical=critical)
        .sign(pki.issuing_key, hashes.SHA256())
    )
    return SignerCredential(key, certificate, (pki.issuing,))


def make_token(
    tsa: SignerCredential,
    stamped: bytes,
    gen_time: datetime,
    *,
    imprint_hash: str = "sha256",
    serial: int = 4242,
    include_certificates: bool = True,
    binding: str | None = "v2",
    bound_certificate: x509.Certificate | None = None,
) -> bytes:
    """An RFC 3161 token: a SignedData whose TSTInfo stamps the hash of `stamped` at gen_time.

    `binding` is the ESS signing-certificate attribute: "v1" (SHA-1), "v2" (SHA-256) or None;
    it names `bound_certificate`, by default the TSA's own.
    """
    tst_info = tsp.TSTInfo(
        {
            "version": "v1",
            "policy": TEST_POLICY,
            "message_imprint": {
                "hash_algorithm": {"algorithm": imprint_hash},
                "hashed_message": _HASHLIB[imprint_hash](stamped).digest(),
            },
            "serial_number": serial,
            "gen_time": gen_time,
            "nonce": 7,
        }
    )
    tst_der = bytes(tst_info.dump())
    bound = (bound_certificate or tsa.certificate).public_bytes(Encoding.DER)
    ess = []
    if binding == "v1":
        ess = [
            cms.CMSAttribute(
                {
                    "type": "signing_certificate",
                    "values": [
                        {
                            "certs": [
                                {"cert_hash": hashlib.sha1(bound, usedforsecurity=False).digest()}
                            ]
                        }
                    ],
                }
            )
        ]
    elif binding == "v2":
        ess = [
            cms.CMSAttribute(
                {
                    "type": "signing_certificate_v2",
                    "values": [{"certs": [{"cert_hash": hashlib.sha256(bound).digest()}]}],
                }
            )
        ]
    attributes = cms.CMSAttributes(
        sorted(
            [
                *ess,
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "signing_time", "values": [cms.Time({"utc_time": gen_time})]}
                ),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}
                ),
            ],
            key=lambda attribute: bytes(attribute.dump()),
        )
    )
    is_rsa = isinstance(tsa.key, rsa.RSAPrivateKey)
    parsed = _asn1(tsa.certificate)
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": parsed.issuer,
                        "serial_number": parsed.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attributes,
            "signature_algorithm": algos.SignedDigestAlgorithm(
                {"algorithm": "sha256_rsa" if is_rsa else "sha256_ecdsa"}
            ),
            "signature": keys.sign(tsa.key, attributes.dump(), hashes.SHA256()),
        }
    )
    signed_data: dict[str, object] = {
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {
            "content_type": "tst_info",
            "content": core.ParsableOctetString(tst_der),
        },
        "signer_infos": [signer_info],
    }
    if include_certificates:
        signed_data["certificates"] = [_asn1(c) for c in (tsa.certificate, *tsa.chain)]
    info = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})
    return bytes(info.dump())


def with_tokens(cms_bytes: bytes, *tokens: bytes) -> bytes:
    """The CMS with `tokens` as its first signer's signature-time-stamp attribute."""
    info = cms.ContentInfo.load(cms_bytes)
    signed_data = info["content"]
    first, *others = signed_data["signer_infos"]
    fields = {name: first[name] for name, *_ in cms.SignerInfo._fields if name != "unsigned_attrs"}
    attribute = cms.CMSAttribute(
        {
            "type": "signature_time_stamp_token",
            "values": [cms.ContentInfo.load(token) for token in tokens],
        }
    )
    # New objects around the old parts, never dump(force=True): asn1crypto re-encodes nested
    # structures again at every level then, which takes minutes for a few levels more.
    stamped = cms.SignerInfo({**fields, "unsigned_attrs": cms.CMSAttributes([attribute])})
    parts = {name: signed_data[name] for name, *_ in cms.SignedData._fields}
    parts["signer_infos"] = cms.SignerInfos([stamped, *others])
    content = cms.SignedData({k: v for k, v in parts.items() if not isinstance(v, core.Void)})
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": content}).dump())


def signature_value(cms_bytes: bytes, index: int = 0) -> bytes:
    """The signature value of one SignerInfo, which a time-stamp token stamps."""
    info = cms.ContentInfo.load(cms_bytes)
    return bytes(info["content"]["signer_infos"][index]["signature"].native)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
