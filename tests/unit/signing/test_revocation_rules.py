"""CRL scope and freshness; OCSP CertID, freshness and responder authorisation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from tests.support.clock import MovableClock

from kepil.signing import dev_ca
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.keys import SigningKey
from kepil.signing.revocation import CrlChecker, OcspChecker


def _code(call: object) -> ErrorCode:
    with pytest.raises(SigningError) as raised:
        call()  # type: ignore[operator]
    return raised.value.code


def _crl(
    pki: DevPki,
    now: datetime,
    revoked: dict[int, datetime] | None = None,
    extension: x509.ExtensionType | None = None,
    critical: bool = True,
    days: int = 7,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.issuing.subject)
        .last_update(now)
        .next_update(now + timedelta(days=days))
    )
    for serial, when in (revoked or {}).items():
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    if extension is not None:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(pki.issuing_key, hashes.SHA256())


def test_a_crl_of_ca_certificates_only_does_not_vouch_for_a_holder(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    scope = x509.IssuingDistributionPoint(None, None, False, True, None, False, False)
    checker = CrlChecker([_crl(pki, now, extension=scope)], require_coverage=True)
    assert _code(lambda: checker.check(ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def test_a_partial_crl_for_some_reasons_only_does_not_vouch_for_a_holder(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    reasons = frozenset({x509.ReasonFlags.key_compromise})
    scope = x509.IssuingDistributionPoint(None, None, False, False, reasons, False, False)
    checker = CrlChecker([_crl(pki, now, extension=scope)], require_coverage=True)
    assert _code(lambda: checker.check(ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def test_a_delta_crl_is_not_taken_as_a_complete_crl(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    checker = CrlChecker(
        [_crl(pki, now, extension=x509.DeltaCRLIndicator(1))], require_coverage=True
    )
    assert _code(lambda: checker.check(ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def test_a_stale_crl_beside_a_current_one_does_not_block(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    stale = _crl(pki, now - timedelta(days=10))
    CrlChecker([stale, _crl(pki, now)]).check(ec_signer.certificate, pki.issuing, now)


def test_a_revocation_listed_in_a_stale_crl_still_counts(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    serial = ec_signer.certificate.serial_number
    stale = _crl(pki, now - timedelta(days=10), {serial: now - timedelta(days=11)})
    checker = CrlChecker([stale])
    assert _code(lambda: checker.check(ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.CERTIFICATE_REVOKED
    )


# --- OCSP ----------------------------------------------------------------------------------


def _answer(
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    signer: x509.Certificate,
    key: SigningKey,
    this_update: datetime,
    next_update: datetime | None,
    extra: list[x509.Certificate] | None = None,
) -> ocsp.OCSPResponse:
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            certificate,
            issuer,
            hashes.SHA1(),  # noqa: S303 - RFC 6960 CertID
            ocsp.OCSPCertStatus.GOOD,
            this_update,
            next_update,
            None,
            None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
    )
    if extra:
        builder = builder.certificates(extra)
    return builder.sign(key, hashes.SHA256())


def _delegate(
    pki: DevPki, now: datetime, *, ocsp_signing: bool = True, days: int = 30
) -> tuple[SigningKey, x509.Certificate]:
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    usages = [ExtendedKeyUsageOID.OCSP_SIGNING if ocsp_signing else ExtendedKeyUsageOID.CLIENT_AUTH]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP responder")]))
        .issuer_name(pki.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=60))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .sign(pki.issuing_key, hashes.SHA256())
    )
    return key, certificate


def test_an_ocsp_answer_signed_by_the_ca_itself_is_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    answer = _answer(
        ec_signer.certificate,
        pki.issuing,
        pki.issuing,
        pki.issuing_key,
        now,
        now + timedelta(hours=1),
    )
    OcspChecker(clock=MovableClock(now)).judge(answer, ec_signer.certificate, pki.issuing, now)


def test_an_ocsp_answer_for_the_same_serial_under_another_issuer_is_not_believed(
    pki: DevPki, other_pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    # Signed by the right CA, but its CertID names another issuer's certificate.
    twin = other_pki.issue(
        dev_ca.Holder(dev_ca.Profile.INDIVIDUAL, "900101300126", "ДРУГОЙ ДРУГ"), now
    ).certificate
    answer = _answer(twin, other_pki.issuing, pki.issuing, pki.issuing_key, now, None)
    forged_serial = _with_serial(
        answer, ec_signer.certificate.serial_number, pki.issuing, pki.issuing_key
    )
    checker = OcspChecker(clock=MovableClock(now))
    assert _code(lambda: checker.judge(forged_serial, ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def _with_serial(
    answer: ocsp.OCSPResponse, serial: int, signer: x509.Certificate, key: SigningKey
) -> ocsp.OCSPResponse:
    """The same answer again, its CertID carrying `serial` with the other issuer's hashes."""
    single = next(iter(answer.responses))
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            single.issuer_name_hash,
            single.issuer_key_hash,
            serial,
            single.hash_algorithm,
            ocsp.OCSPCertStatus.GOOD,
            single.this_update_utc,
            single.next_update_utc,
            None,
            None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
    )
    return builder.sign(key, hashes.SHA256())


def test_a_delegated_responder_with_ocsp_signing_issued_by_the_ca_is_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    key, delegate = _delegate(pki, now)
    answer = _answer(ec_signer.certificate, pki.issuing, delegate, key, now, None, [delegate])
    OcspChecker(clock=MovableClock(now)).judge(answer, ec_signer.certificate, pki.issuing, now)


def test_a_delegated_responder_without_ocsp_signing_is_not_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    key, delegate = _delegate(pki, now, ocsp_signing=False)
    answer = _answer(ec_signer.certificate, pki.issuing, delegate, key, now, None, [delegate])
    checker = OcspChecker(clock=MovableClock(now))
    assert _code(lambda: checker.judge(answer, ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def test_an_expired_delegated_responder_is_not_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    key, delegate = _delegate(pki, now, days=-1)
    answer = _answer(ec_signer.certificate, pki.issuing, delegate, key, now, None, [delegate])
    checker = OcspChecker(clock=MovableClock(now))
    assert _code(lambda: checker.judge(answer, ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def test_a_delegated_responder_of_another_ca_is_not_believed(
    pki: DevPki, other_pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    key, delegate = _delegate(other_pki, now)
    answer = _answer(ec_signer.certificate, pki.issuing, delegate, key, now, None, [delegate])
    checker = OcspChecker(clock=MovableClock(now))
    assert _code(lambda: checker.judge(answer, ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


@pytest.mark.parametrize(
    ("this_update", "next_update"),
    [
        (timedelta(hours=1), timedelta(hours=2)),  # from the future
        (timedelta(hours=-3), timedelta(hours=-1)),  # past its nextUpdate
        (timedelta(days=-3), None),  # no nextUpdate and older than a day
    ],
)
def test_an_ocsp_answer_that_is_not_current_leaves_revocation_unknown(
    pki: DevPki,
    now: datetime,
    ec_signer: SignerCredential,
    this_update: timedelta,
    next_update: timedelta | None,
) -> None:
    answer = _answer(
        ec_signer.certificate,
        pki.issuing,
        pki.issuing,
        pki.issuing_key,
        now + this_update,
        now + next_update if next_update is not None else None,
    )
    checker = OcspChecker(clock=MovableClock(now))
    assert _code(lambda: checker.judge(answer, ec_signer.certificate, pki.issuing, now)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )


def test_an_ocsp_answer_echoing_no_nonce_of_the_request_is_refused_by_default(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    answer = _answer(
        ec_signer.certificate, pki.issuing, pki.issuing, pki.issuing_key, now, now + timedelta(1)
    )
    checker = OcspChecker(clock=MovableClock(now))
    with pytest.raises(SigningError, match="no nonce echoed") as raised:
        checker.judge(answer, ec_signer.certificate, pki.issuing, now, nonce=bytes(16))
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_an_ocsp_answer_echoing_no_nonce_is_believed_within_the_allowed_nonceless_age(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    made = now - timedelta(minutes=2)
    answer = _answer(
        ec_signer.certificate, pki.issuing, pki.issuing, pki.issuing_key, made, now + timedelta(1)
    )
    clock = MovableClock(now)
    checker = OcspChecker(clock=clock, nonceless_max_age=timedelta(minutes=5))
    checker.judge(answer, ec_signer.certificate, pki.issuing, now, nonce=bytes(16))
    clock.advance(timedelta(minutes=4))
    assert _code(
        lambda: checker.judge(answer, ec_signer.certificate, pki.issuing, now, nonce=bytes(16))
    ) is (ErrorCode.REVOCATION_UNKNOWN)
