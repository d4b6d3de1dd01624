"""GOST R 34.10-2015 verification: certificates and CMS made here with gostcrypto."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import gostcrypto
import pytest
from asn1crypto import algos, cms, keys, x509

from kepil.signing import gost
from kepil.signing import nca_profile as nca
from kepil.signing.certificates import load_certificate, parse_certificate
from kepil.signing.cms_verify import verify_cms
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.gost import GOST_256, GOST_512, GostVariant
from kepil.signing.trust import TrustStore

DATA = "Рұқсат беру туралы өтініш".encode()


@dataclass(frozen=True)
class GostKey:
    """A GOST private key and its public point, big-endian as gostcrypto uses them."""

    variant: GostVariant
    private: bytes
    point: bytes

    def sign(self, message: bytes) -> bytes:
        """Sign in the NCA layout (r, s little-endian), hashing with Streebog."""
        engine = _engine(self.variant)
        digest = gost.streebog(message, self.variant)
        r_s = engine.sign(bytearray(self.private), bytearray(digest[::-1]))
        return gost.encode_signature(self.variant, bytes(r_s))


def _engine(variant: GostVariant) -> Any:
    curves = gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019
    signature = gostcrypto.gostsignature
    mode = signature.MODE_256 if variant.bits == 256 else signature.MODE_512
    return gostcrypto.gostsignature.new(mode, curves[variant.curve_name])


def _new_key(variant: GostVariant) -> GostKey:
    q = gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[variant.curve_name]["q"]
    scalar = secrets.randbelow(q - 1) + 1
    private = scalar.to_bytes(variant.size, "big")
    point = bytes(_engine(variant).public_key_generate(bytearray(private)))
    return GostKey(variant, private, point)


def _name(common_name: str, iin: str | None = None) -> x509.Name:
    values = {"common_name": common_name, "country_name": "KZ"}
    if iin:
        values["serial_number"] = f"IIN{iin}"
    return x509.Name.build(values)


def _certificate(
    subject: x509.Name,
    key: GostKey,
    issuer: x509.Name,
    issuer_key: GostKey,
    now: datetime,
    is_ca: bool,
) -> bytes:
    # A holder's key as the NCA issues GOST 2015 keys: signing bits and key agreement.
    holder_usage = {"digital_signature", "non_repudiation", "key_agreement"}
    usage = {"key_cert_sign", "crl_sign"} if is_ca else holder_usage
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": is_ca}},
        {"extn_id": "key_usage", "critical": True, "extn_value": usage},
    ]
    if not is_ca:
        eku = {
            "extn_id": "extended_key_usage",
            "critical": False,
            "extn_value": [nca.EKU_INDIVIDUAL],
        }
        extensions.append(eku)
    signature_algorithm = {"algorithm": issuer_key.variant.signature_oid}
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": secrets.randbits(64),
            "signature": signature_algorithm,
            "issuer": issuer,
            "validity": {
                "not_before": x509.Time({"utc_time": now - timedelta(days=1)}),
                "not_after": x509.Time({"utc_time": now + timedelta(days=365)}),
            },
            "subject": subject,
            "subject_public_key_info": keys.PublicKeyInfo.load(
                gost.encode_public_key_info(key.variant, key.point)
            ),
            "extensions": extensions,
        }
    )
    signature = issuer_key.sign(tbs.dump())
    certificate = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": signature_algorithm,
            "signature_value": signature,
        }
    )
    return bytes(certificate.dump())


def _cms(
    key: GostKey, certificate_der: bytes, data: bytes, now: datetime, content: bytes | None = None
) -> bytes:
    variant = key.variant
    attributes = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": now})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [gost.streebog(data, variant)]}),
        ]
    )
    parsed = x509.Certificate.load(certificate_der)
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": {
                "issuer_and_serial_number": {
                    "issuer": parsed.issuer,
                    "serial_number": parsed.serial_number,
                }
            },
            "digest_algorithm": algos.DigestAlgorithm({"algorithm": variant.digest_oid}),
            "signed_attrs": attributes,
            "signature_algorithm": {"algorithm": variant.signature_oid},
            "signature": key.sign(attributes.dump()),
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": variant.digest_oid}],
            "encap_content_info": {"content_type": "data", "content": content or data},
            "certificates": [parsed],
            "signer_infos": [signer_info],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


@dataclass(frozen=True)
class GostPki:
    """A GOST root and a holder, with the holder's key."""

    root: bytes
    leaf: bytes
    key: GostKey


@pytest.fixture(scope="module", params=[GOST_256, GOST_512], ids=["256", "512"])
def gost_pki(request: pytest.FixtureRequest, now: datetime) -> GostPki:
    """A hand-built GOST PKI of each size."""
    variant: GostVariant = request.param
    root_key, leaf_key = _new_key(variant), _new_key(variant)
    root_name = _name("kepil TEST GOST ROOT — NOT FOR PRODUCTION")
    root = _certificate(root_name, root_key, root_name, root_key, now, is_ca=True)
    leaf_name = _name("ТЕСТОВ ТЕСТ", iin="900101300126")
    leaf = _certificate(leaf_name, leaf_key, root_name, root_key, now, is_ca=False)
    return GostPki(root, leaf, leaf_key)


def test_a_gost_cms_round_trips_through_verification(gost_pki: GostPki, now: datetime) -> None:
    signed = _cms(gost_pki.key, gost_pki.leaf, DATA, now)
    store = TrustStore.from_certificates([load_certificate(gost_pki.root)])
    result = verify_cms(signed, trust_store=store, at=now)
    assert result.valid, result.errors
    signer = result.sole_signer()
    assert signer.iin == "900101300126"
    assert signer.algorithm == f"gost2015-{gost_pki.key.variant.bits}"
    assert result.signers[0].algorithm == f"gost2015-{gost_pki.key.variant.bits}"


def test_a_gost_cms_over_other_data_is_a_digest_mismatch(gost_pki: GostPki, now: datetime) -> None:
    signed = _cms(gost_pki.key, gost_pki.leaf, DATA, now, content=b"tampered")
    store = TrustStore.from_certificates([load_certificate(gost_pki.root)])
    result = verify_cms(signed, trust_store=store, at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.DIGEST_MISMATCH}


def test_a_gost_signature_with_a_flipped_bit_fails(gost_pki: GostPki) -> None:
    message = b"tbs"
    signature = bytearray(gost_pki.key.sign(message))
    spki = gost.encode_public_key_info(gost_pki.key.variant, gost_pki.key.point)
    oid = gost_pki.key.variant.signature_oid
    assert gost.verify(spki, oid, message, bytes(signature))
    signature[3] ^= 0x10
    assert not gost.verify(spki, oid, message, bytes(signature))


def test_the_rfc_4491_layout_of_a_signature_is_accepted_too(gost_pki: GostPki) -> None:
    message = b"tbs"
    kalkan = gost_pki.key.sign(message)
    size = gost_pki.key.variant.size
    rfc4491 = kalkan[::-1]  # s || r, big-endian
    assert rfc4491[size:] == kalkan[:size][::-1]
    spki = gost.encode_public_key_info(gost_pki.key.variant, gost_pki.key.point)
    assert gost.verify(spki, gost_pki.key.variant.signature_oid, message, rfc4491)


def test_a_gost_cms_with_tampered_signed_attributes_fails(gost_pki: GostPki, now: datetime) -> None:
    signed = bytearray(_cms(gost_pki.key, gost_pki.leaf, DATA, now))
    at = signed.find(now.strftime("%y%m%d%H%M%SZ").encode())
    signed[at] ^= 0x01  # the signing-time year's first digit: 2 -> 3
    store = TrustStore.from_certificates([load_certificate(gost_pki.root)])
    result = verify_cms(bytes(signed), trust_store=store, at=now + timedelta(days=3650))
    assert ErrorCode.BAD_SIGNATURE in {issue.code for issue in result.errors}


def test_a_gost_certificate_parses_into_a_signer(gost_pki: GostPki) -> None:
    signer = parse_certificate(load_certificate(gost_pki.leaf))
    assert signer.algorithm == f"gost2015-{gost_pki.key.variant.bits}"
    assert signer.role is not None


def test_gost_2004_is_recognised_and_reported_as_unsupported() -> None:
    with pytest.raises(SigningError) as raised:
        gost.variant_for_signature(nca.GOST2004_SIGNATURE)
    assert raised.value.code is ErrorCode.UNSUPPORTED_ALGORITHM
    assert "34.310-2004" in raised.value.detail


def test_a_signature_algorithm_that_does_not_fit_the_key_size_is_unsupported(
    gost_pki: GostPki,
) -> None:
    other = GOST_512 if gost_pki.key.variant is GOST_256 else GOST_256
    spki = gost.encode_public_key_info(gost_pki.key.variant, gost_pki.key.point)
    with pytest.raises(SigningError) as raised:
        gost.verify(spki, other.signature_oid, b"x", b"\x00" * 2 * other.size)
    assert raised.value.code is ErrorCode.UNSUPPORTED_ALGORITHM
