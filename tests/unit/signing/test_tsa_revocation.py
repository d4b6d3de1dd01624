"""A time-stamp moves the signing moment only while its TSA's path is not revoked (issue 19)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509

from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation import CrlChecker, RevocationChecker
from kepil.signing.timestamp import TimestampStatus

from .conftest import NOW
from .tsa import make_token, signature_value, tsa_credential, with_tokens

HOLDER = Holder(Profile.INDIVIDUAL, iin="900101300126", name="ТЕСТОВ ТЕСТ ТЕСТОВИЧ")
SIGNED_AT = NOW + timedelta(hours=1)
GEN_TIME = NOW + timedelta(hours=1, minutes=1)
JUDGED_AT = NOW + timedelta(days=5)


class _RevokedWithReason:
    """A revocation source that states a reason: revoked `when`, for `reason`, or unknown."""

    def __init__(
        self, serial: int, when: datetime | None, reason: str | None, *, unknown: bool = False
    ) -> None:
        self._serial, self._when, self._reason, self._unknown = serial, when, reason, unknown

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        if certificate.serial_number != self._serial:
            return
        if self._unknown:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "responder unreachable")
        if self._when is not None and self._when <= at:
            raise SigningError(
                ErrorCode.CERTIFICATE_REVOKED,
                f"revoked {self._when.isoformat()}",
                revocation_reason=self._reason,
            )


@pytest.fixture
def pki() -> DevPki:
    """A PKI of each test's own: the tests revoke its TSA."""
    return DevPki.create(NOW)


@pytest.fixture
def tsa(pki: DevPki) -> SignerCredential:
    return tsa_credential(pki, NOW - timedelta(days=1))


@pytest.fixture
def stamped(pki: DevPki, tsa: SignerCredential) -> bytes:
    """Signed by a certificate that expires a day after the signature, time-stamped at once."""
    signer = pki.issue(HOLDER, NOW, days=2)
    signed = sign_cms(b"an act", [signer], signing_time=SIGNED_AT)
    return with_tokens(signed, make_token(tsa, signature_value(signed), GEN_TIME))


def _verify(cms_bytes: bytes, pki: DevPki, checkers: list[RevocationChecker]) -> VerificationResult:
    return verify_cms(cms_bytes, trust_store=pki.trust_store(), at=JUDGED_AT, revocation=checkers)


def _moment_not_moved(result: VerificationResult) -> None:
    (signer,) = result.signers
    assert signer.timestamp is not None
    assert signer.timestamp.status is TimestampStatus.UNTRUSTED
    assert signer.signed_at_source == "signing_time_attribute"
    # Judged at JUDGED_AT, the signer's two-day certificate has expired.
    assert [issue.code for issue in result.errors] == [ErrorCode.CERTIFICATE_EXPIRED]
    assert ErrorCode.TIMESTAMP_UNTRUSTED in {w.code for w in result.warnings}


def test_a_trusted_token_with_a_good_tsa_path_still_moves_the_moment(
    pki: DevPki, stamped: bytes
) -> None:
    result = _verify(stamped, pki, [CrlChecker([pki.crl(JUDGED_AT)])])

    assert result.valid, result.to_json()
    assert result.signers[0].signed_at == GEN_TIME


def test_a_tsa_certificate_revoked_before_gen_time_makes_the_token_untrusted(
    pki: DevPki, tsa: SignerCredential, stamped: bytes
) -> None:
    pki.revoke(tsa.certificate, NOW)

    result = _verify(stamped, pki, [CrlChecker([pki.crl(JUDGED_AT)])])

    _moment_not_moved(result)
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert ErrorCode.CERTIFICATE_REVOKED in {e.code for e in stamp.errors}


def test_a_tsa_revoked_after_gen_time_without_a_known_reason_does_not_move_the_moment(
    pki: DevPki, tsa: SignerCredential, stamped: bytes
) -> None:
    # kepil's CRL check reports no reason: a later revocation cannot be told harmless.
    pki.revoke(tsa.certificate, NOW + timedelta(days=2))

    result = _verify(stamped, pki, [CrlChecker([pki.crl(JUDGED_AT)])])

    _moment_not_moved(result)


def test_a_tsa_revoked_after_gen_time_for_key_compromise_does_not_move_the_moment(
    pki: DevPki, tsa: SignerCredential, stamped: bytes
) -> None:
    later = _RevokedWithReason(
        tsa.certificate.serial_number, NOW + timedelta(days=2), "keyCompromise"
    )

    _moment_not_moved(_verify(stamped, pki, [later]))


@pytest.mark.parametrize("reason", ["superseded", "cessationOfOperation", "affiliationChanged"])
def test_a_tsa_revoked_after_gen_time_for_a_reason_other_than_compromise_still_moves_the_moment(
    pki: DevPki, tsa: SignerCredential, stamped: bytes, reason: str
) -> None:
    later = _RevokedWithReason(tsa.certificate.serial_number, NOW + timedelta(days=2), reason)

    result = _verify(stamped, pki, [later])

    assert result.valid, result.to_json()
    assert result.signers[0].signed_at == GEN_TIME


def test_a_tsa_revoked_before_gen_time_is_refused_whatever_the_reason(
    pki: DevPki, tsa: SignerCredential, stamped: bytes
) -> None:
    earlier = _RevokedWithReason(tsa.certificate.serial_number, NOW, "superseded")

    _moment_not_moved(_verify(stamped, pki, [earlier]))


def test_an_unknown_tsa_revocation_status_makes_the_token_untrusted(
    pki: DevPki, tsa: SignerCredential, stamped: bytes
) -> None:
    unknown = _RevokedWithReason(tsa.certificate.serial_number, None, None, unknown=True)

    result = _verify(stamped, pki, [unknown])

    _moment_not_moved(result)
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert ErrorCode.REVOCATION_UNKNOWN in {e.code for e in stamp.errors}
