"""The NCA test responders' real OCSP answers (GOST 2015, RSA), judged when they were made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509 import ocsp
from tests.support.clock import MovableClock

from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.ocsp_responder import find_responder
from kepil.signing.ocsp_response import CertStatus, parse_answer
from kepil.signing.revocation_ocsp import OcspChecker, request_bytes

from .nca_samples import certificate, sample

GOST_CA = "nca_gost2022_test.cer"  # NCANode's ca/nca_gost2015_test.cer, byte for byte
RSA_CA = "nca_rsa_test.crt"
GOST_2004_CA = "nca_gost_test.crt"

INDIVIDUAL_2015 = ("ocsp_response_individual_2015.bin", "WithTestData.KEY_INDIVIDUAL_VALID_2015")
CEO_2015 = ("ocsp_response_ceo_2015_revoked.bin", "WithTestData.KEY_CEO_REVOKED_2015")
INDIVIDUAL_2004 = (
    "ocsp_response_individual_sign_2004.bin",
    "WithTestData.KEY_INDIVIDUAL_VALID_SIGN_2004",
)
CEO_2004 = ("ocsp_response_ceo_sign_2004_revoked.bin", "WithTestData.KEY_CEO_SIGN_REVOKED_2004")
ISSUERS = {
    INDIVIDUAL_2015: GOST_CA,
    CEO_2015: GOST_CA,
    INDIVIDUAL_2004: RSA_CA,
    CEO_2004: GOST_2004_CA,
}
# What NCANode's OcspServiceTest sent, so what each answer echoes.
NONCES = {
    INDIVIDUAL_2015: bytes.fromhex("e408ffb790834af2"),
    CEO_2015: bytes.fromhex("157b28fd1ac7761e"),
    INDIVIDUAL_2004: bytes.fromhex("b5e5c9b552cbcac4"),
    CEO_2004: bytes.fromhex("8b6b9f100d6b0005"),
}


def _judge(
    case: tuple[str, str],
    *,
    answer: bytes | None = None,
    nonce: bytes | None = None,
    at: datetime | None = None,
    issuer: str | None = None,
    now: datetime | None = None,
) -> None:
    """Judge a real answer at `at`, the checker's clock at `now` (both default to producedAt)."""
    der = sample(case[0]) if answer is None else answer
    produced_at = parse_answer(sample(case[0])).produced_at
    assert produced_at is not None
    OcspChecker(clock=MovableClock(now or produced_at)).judge(
        der,
        certificate(f"{case[1]}.cert.pem"),
        certificate(issuer or ISSUERS[case]),
        at or produced_at,
        nonce=NONCES[case] if nonce is None else nonce,
    )


def _refusal(judging: Callable[[], None]) -> SigningError:
    with pytest.raises(SigningError) as raised:
        judging()
    return raised.value


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_the_gost_2015_answer_on_the_revoked_ceo_reports_certificate_revoked() -> None:
    error = _refusal(lambda: _judge(CEO_2015))
    assert error.code is ErrorCode.CERTIFICATE_REVOKED
    assert "2022-07-27T10:25:30" in error.detail
    assert "certificate_hold" in error.detail


def test_the_gost_2015_answer_on_the_individual_says_never_issued_and_is_not_taken_as_good() -> (
    None
):
    # revoked, 1970-01-01, certificateHold, extended-revoke: RFC 6960 2.2's "not issued".
    single = parse_answer(sample(INDIVIDUAL_2015[0])).singles[0]
    assert single.status is CertStatus.REVOKED
    assert single.reason == "certificate_hold"
    error = _refusal(lambda: _judge(INDIVIDUAL_2015))
    assert error.code is ErrorCode.CERTIFICATE_REVOKED
    assert "never issued" in error.detail


def test_the_rsa_answer_from_a_responder_with_an_empty_ocsp_nocheck_says_good() -> None:
    _judge(INDIVIDUAL_2004)


def test_the_rsa_responder_certificate_is_delegated_and_marked_not_to_be_checked() -> None:
    answer = parse_answer(sample(INDIVIDUAL_2004[0]))
    assert answer.produced_at is not None
    # cryptography refuses every extension of this certificate; the responder is read anyway.
    with pytest.raises(ValueError, match="parsing asn1"):
        _ = answer.certificates[0].extensions
    responder = find_responder(answer, certificate(RSA_CA), answer.produced_at)
    assert responder.delegated
    assert responder.no_check


def test_the_gost_2015_responder_is_delegated_by_the_ca_and_marked_not_to_be_checked() -> None:
    answer = parse_answer(sample(CEO_2015[0]))
    assert answer.produced_at is not None
    responder = find_responder(answer, certificate(GOST_CA), answer.produced_at)
    assert responder.delegated
    assert responder.no_check


def test_a_gost_2004_answer_is_reported_as_unsupported_rather_than_failing() -> None:
    error = _refusal(lambda: _judge(CEO_2004))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "GOST 34.310-2004" in error.detail
    assert "not supported" in error.detail


@pytest.mark.parametrize("case", [INDIVIDUAL_2015, CEO_2015, INDIVIDUAL_2004])
def test_an_answer_with_one_signature_bit_flipped_is_refused(case: tuple[str, str]) -> None:
    answer = sample(case[0])
    signature = parse_answer(answer).signature
    tampered = _flip(answer, answer.index(signature) + len(signature) // 2)
    error = _refusal(lambda: _judge(case, answer=tampered))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "signature is invalid" in error.detail


def test_a_good_answer_turned_unknown_is_refused_for_its_signature() -> None:
    answer = sample(INDIVIDUAL_2004[0])
    # certStatus good is [0] IMPLICIT NULL (80 00) right after the CertID's serial.
    serial = certificate(f"{INDIVIDUAL_2004[1]}.cert.pem").serial_number.to_bytes(20, "big")
    status = answer.index(serial) + len(serial)
    assert answer[status : status + 2] == b"\x80\x00"
    unknown = answer[:status] + b"\x82\x00" + answer[status + 2 :]
    assert parse_answer(unknown).singles[0].status is CertStatus.UNKNOWN
    error = _refusal(lambda: _judge(INDIVIDUAL_2004, answer=unknown))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "signature is invalid" in error.detail


def test_a_revoked_answer_with_its_revocation_time_altered_is_refused_for_its_signature() -> None:
    answer = sample(CEO_2015[0])
    when = answer.index(b"20220727102530Z")
    altered = answer[:when] + b"20230727102530Z" + answer[when + 15 :]
    error = _refusal(lambda: _judge(CEO_2015, answer=altered))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "signature is invalid" in error.detail


def test_an_answer_whose_response_status_is_altered_is_not_believed() -> None:
    answer = bytearray(sample(INDIVIDUAL_2004[0]))
    assert answer[4:7] == b"\x0a\x01\x00"  # responseStatus ENUMERATED successful
    answer[6] = 3  # tryLater
    error = _refusal(lambda: _judge(INDIVIDUAL_2004, answer=bytes(answer)))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "try_later" in error.detail


@pytest.mark.parametrize("case", [CEO_2015, INDIVIDUAL_2004])
def test_an_answer_echoing_another_nonce_is_refused_as_a_nonce_mismatch(
    case: tuple[str, str],
) -> None:
    error = _refusal(lambda: _judge(case, nonce=bytes(8)))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "nonce mismatch" in error.detail


def test_an_answer_judged_without_a_request_nonce_is_believed_only_within_max_age() -> None:
    produced_at = parse_answer(sample(INDIVIDUAL_2004[0])).produced_at
    assert produced_at is not None
    clock = MovableClock(produced_at)
    checker = OcspChecker(max_age=timedelta(hours=1), clock=clock)
    good = certificate(f"{INDIVIDUAL_2004[1]}.cert.pem")
    checker.judge(sample(INDIVIDUAL_2004[0]), good, certificate(RSA_CA), produced_at)
    clock.advance(timedelta(hours=2))
    error = _refusal(
        lambda: checker.judge(sample(INDIVIDUAL_2004[0]), good, certificate(RSA_CA), produced_at)
    )
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "older than 1:00:00" in error.detail


def test_an_answer_judged_against_another_ca_is_not_from_the_issuer() -> None:
    error = _refusal(lambda: _judge(INDIVIDUAL_2004, issuer=GOST_CA))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "not from the issuer" in error.detail


def test_a_real_answer_fetched_long_ago_is_not_current_now() -> None:
    # Freshness is judged against the checker's clock, not the moment judged.
    produced_at = parse_answer(sample(CEO_2015[0])).produced_at
    assert produced_at is not None
    later = produced_at + timedelta(days=2)  # the responder's certificate is still valid
    error = _refusal(lambda: _judge(CEO_2015, at=produced_at, now=later))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "older than" in error.detail


@pytest.mark.parametrize(
    ("moment", "revoked"),
    [
        (datetime(2022, 7, 27, 10, 25, 29, tzinfo=UTC), False),  # a second before revocation
        (datetime(2022, 7, 1, tzinfo=UTC), False),
        (datetime(2022, 7, 27, 10, 25, 30, tzinfo=UTC), True),  # the revocationTime itself
        (datetime(2022, 8, 15, tzinfo=UTC), True),
    ],
)
def test_a_fresh_answer_says_whether_the_certificate_was_revoked_at_a_past_moment(
    moment: datetime, revoked: bool
) -> None:
    # The real CEO answer (revoked 2022-07-27 10:25:30, certificateHold), fetched at its
    # producedAt and judged at a time-stamped moment before or after the revocation.
    if revoked:
        error = _refusal(lambda: _judge(CEO_2015, at=moment))
        assert error.code is ErrorCode.CERTIFICATE_REVOKED
        assert "2022-07-27T10:25:30" in error.detail
    else:
        _judge(CEO_2015, at=moment)


@pytest.mark.parametrize("case", [CEO_2015, INDIVIDUAL_2004])
def test_our_request_names_the_certificate_as_the_nca_responder_did(
    case: tuple[str, str],
) -> None:
    # Same CertID hashes as in the real answer, GOST issuer key included, and the nonce.
    nonce = bytes(range(16))
    request = ocsp.load_der_ocsp_request(
        request_bytes(certificate(f"{case[1]}.cert.pem"), certificate(ISSUERS[case]), nonce)
    )
    single = parse_answer(sample(case[0])).singles[0]
    assert request.issuer_name_hash == single.issuer_name_hash
    assert request.issuer_key_hash == single.issuer_key_hash
    assert request.serial_number == single.serial_number
    assert request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce


@pytest.mark.parametrize("size", [0, 33])
def test_a_nonce_outside_rfc_8954s_1_to_32_bytes_is_refused(size: int) -> None:
    with pytest.raises(ValueError, match="1 to 32"):
        OcspChecker(nonce_size=size)


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=2), timedelta(hours=24)])
def test_a_nonceless_max_age_of_hours_or_none_at_all_is_refused(age: timedelta) -> None:
    with pytest.raises(ValueError, match="nonceless_max_age"):
        OcspChecker(nonceless_max_age=age)


@pytest.mark.parametrize("case", list(NONCES))
def test_every_nca_sample_answer_echoes_the_nonce_its_request_sent(case: tuple[str, str]) -> None:
    assert parse_answer(sample(case[0])).nonce == NONCES[case]


def test_garbage_instead_of_an_answer_is_revocation_unknown() -> None:
    error = _refusal(lambda: _judge(INDIVIDUAL_2004, answer=sample(INDIVIDUAL_2004[0])[:200]))
    assert error.code is ErrorCode.REVOCATION_UNKNOWN
    assert "bad OCSP answer" in error.detail
