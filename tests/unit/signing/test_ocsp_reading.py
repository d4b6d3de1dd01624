"""OCSP answers are read with asn1crypto, so what `cryptography` refuses to load is still judged."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import parser
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from tests.support.clock import MovableClock

from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation import OcspChecker


def _der(tag: int, contents: bytes) -> bytes:
    length = len(contents)
    if length < 0x80:
        return bytes([tag, length]) + contents
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + contents


def _with_unreadable_certificate(answer: ocsp.OCSPResponse) -> bytes:
    """The answer carrying, after its signature, a "certificate" that is one INTEGER."""
    outer = asn1_ocsp.OCSPResponse.load(answer.public_bytes(Encoding.DER))
    basic = bytes(outer["response_bytes"]["response"].contents)
    contents = parser.parse(basic)[4]
    bogus = _der(0xA0, _der(0x30, _der(0x30, b"\x02\x01\x01")))
    response_bytes = _der(
        0x30,
        bytes(outer["response_bytes"]["response_type"].dump())
        + _der(0x04, _der(0x30, contents + bogus)),
    )
    return _der(0x30, b"\x0a\x01\x00" + _der(0xA0, response_bytes))


@pytest.fixture
def answer(pki: DevPki, now: datetime, ec_signer: SignerCredential) -> ocsp.OCSPResponse:
    """A good answer the CA signed itself."""
    return (
        ocsp.OCSPResponseBuilder()
        .add_response(
            ec_signer.certificate,
            pki.issuing,
            hashes.SHA256(),
            ocsp.OCSPCertStatus.GOOD,
            now,
            now + timedelta(hours=1),
            None,
            None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.issuing)
        .sign(pki.issuing_key, hashes.SHA256())
    )


def test_an_answer_cryptography_cannot_load_is_still_judged(
    answer: ocsp.OCSPResponse, pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    odd = _with_unreadable_certificate(answer)
    with pytest.raises(ValueError, match="asn1"):
        ocsp.load_der_ocsp_response(odd)
    OcspChecker(clock=MovableClock(now)).judge(odd, ec_signer.certificate, pki.issuing, now)


def test_an_answer_cut_short_is_revocation_unknown(
    answer: ocsp.OCSPResponse, pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    der = answer.public_bytes(Encoding.DER)
    with pytest.raises(SigningError) as raised:
        OcspChecker(clock=MovableClock(now)).judge(
            der[:-3], ec_signer.certificate, pki.issuing, now
        )
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "bad OCSP answer" in raised.value.detail
