"""Damaged, oversized and BER-encoded input: a specific error code, never a traceback."""

from __future__ import annotations

from datetime import datetime

import pytest
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import cms_load
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import encapsulated_content, verify_cms
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode

DATA = b"permit application #42"


def _contents(der: bytes) -> bytes:
    length_byte = der[1]
    return der[2 + (length_byte & 0x7F if length_byte & 0x80 else 0) :]


def _indefinite(der: bytes) -> bytes:
    """The same constructed TLV with an indefinite length (BER), contents unchanged."""
    return der[:1] + b"\x80" + _contents(der) + b"\x00\x00"


def test_an_indefinite_length_ber_cms_verifies(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now)
    info = cms.ContentInfo.load(signed)
    signed_data = _contents(bytes(info["content"].dump()))  # inside the [0] EXPLICIT
    explicit = b"\xa0\x80" + _indefinite(signed_data) + b"\x00\x00"
    oid = bytes(info["content_type"].dump())
    ber = b"\x30\x80" + oid + explicit + b"\x00\x00"
    result = verify_cms(ber, trust_store=pki.trust_store(), at=now)
    assert result.valid, result.errors
    assert result.content == DATA


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x30\x80" * 50_000,  # nesting deep enough to exhaust a recursive parser
        b"\x30\x84\xff\xff\xff\xff",  # a length far beyond the input
        b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x80\x30\x80",  # unterminated
    ],
)
def test_pathological_ber_is_malformed_cms(pki: DevPki, now: datetime, garbage: bytes) -> None:
    result = verify_cms(garbage, trust_store=pki.trust_store(), at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.MALFORMED_CMS}
    assert encapsulated_content(garbage) is None


def test_a_cms_over_the_size_limit_is_malformed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now)
    monkeypatch.setattr(cms_load, "MAX_CMS_BYTES", len(signed) - 1)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.MALFORMED_CMS}


def test_a_cms_carrying_too_many_certificates_is_malformed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    flood = SignerCredential(
        ec_signer.key, ec_signer.certificate, (pki.issuing,) + (pki.root,) * 40
    )
    signed = _with_certificates(sign_cms(DATA, [flood], signing_time=now), [pki.root] * 40)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.MALFORMED_CMS}


def _with_certificates(signed: bytes, extra: list[x509.Certificate]) -> bytes:
    info = cms.ContentInfo.load(signed)
    bag = list(info["content"]["certificates"])
    bag += [
        cms.CertificateChoices(
            {"certificate": asn1_x509.Certificate.load(c.public_bytes(Encoding.DER))}
        )
        for c in extra
    ]
    info["content"]["certificates"] = cms.CertificateSet(bag)
    return bytes(info.dump(force=True))


def test_a_certificate_with_a_duplicated_extension_is_malformed_not_a_traceback(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    parsed = asn1_x509.Certificate.load(ec_signer.certificate.public_bytes(Encoding.DER))
    tbs = parsed["tbs_certificate"]
    extensions = list(tbs["extensions"])
    tbs["extensions"] = asn1_x509.Extensions([*extensions, extensions[-1]])
    parsed["tbs_certificate"] = tbs
    damaged = x509.load_der_x509_certificate(parsed.dump(force=True))
    credential = SignerCredential(ec_signer.key, damaged, ec_signer.chain)
    signed = sign_cms(DATA, [credential], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.MALFORMED_CMS}


def test_a_naive_moment_of_judgement_is_a_programming_error(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now)
    with pytest.raises(ValueError, match="timezone"):
        verify_cms(signed, trust_store=pki.trust_store(), at=now.replace(tzinfo=None))


def test_no_single_byte_change_raises_or_passes_as_the_original(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now)
    store = pki.trust_store()
    for position in range(0, len(signed), 3):
        damaged = bytearray(signed)
        damaged[position] ^= 0x5A
        result = verify_cms(bytes(damaged), trust_store=store, at=now)  # must not raise
        if result.valid:
            # Only bytes no signature covers may change without notice, never who signed.
            assert result.sole_signer().certificate == ec_signer.certificate
            assert result.content == DATA
        else:
            assert all(isinstance(issue.code, ErrorCode) for issue in result.errors)
