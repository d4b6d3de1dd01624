"""Delta CRLs (RFC 5280 5.2.4, 6.3.3) are applied to their complete base, never used alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from kepil.signing import dev_ca
from kepil.signing.crl_load import load_crl
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.keys import SigningKey
from kepil.signing.revocation import CrlChecker

from .nca_samples import LONG_NAME_WARNING, certificate, sample

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SERIAL = 0x1234
Crl = x509.CertificateRevocationList


class Ca:
    """A test CA of one key algorithm, a holder it issued, and a way to sign its CRLs."""

    def __init__(self, algorithm: KeyAlgorithm) -> None:
        self.key: SigningKey = dev_ca.generate_key(algorithm)
        self.certificate = dev_ca.make_root(self.key, NOW - timedelta(days=30))
        holder_key = dev_ca.generate_key(KeyAlgorithm.EC)
        self.holder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "holder")]))
            .issuer_name(self.certificate.subject)
            .public_key(holder_key.public_key())
            .serial_number(SERIAL)
            .not_valid_before(NOW - timedelta(days=5))
            .not_valid_after(NOW + timedelta(days=300))
            .sign(self.key, hashes.SHA256())
        )

    def crl(
        self,
        number: int,
        *,
        base: int | None = None,
        issued: timedelta = timedelta(0),
        valid: timedelta = timedelta(days=180),
        entries: dict[int, x509.ReasonFlags | None] | None = None,
        scope: x509.IssuingDistributionPoint | None = None,
    ) -> Crl:
        """A complete CRL, or a delta CRL on `base`, issued `issued` after NOW."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(NOW + issued)
            .next_update(NOW + issued + valid)
            .add_extension(x509.CRLNumber(number), critical=False)
        )
        if base is not None:
            builder = builder.add_extension(x509.DeltaCRLIndicator(base), critical=True)
        if scope is not None:
            builder = builder.add_extension(scope, critical=True)
        for serial, reason in (entries or {}).items():
            entry = x509.RevokedCertificateBuilder().serial_number(serial)
            entry = entry.revocation_date(NOW + issued - timedelta(hours=1))
            if reason is not None:
                entry = entry.add_extension(x509.CRLReason(reason), critical=False)
            builder = builder.add_revoked_certificate(entry.build())
        return builder.sign(self.key, hashes.SHA256())

    def check(self, crls: list[Crl], at: datetime) -> None:
        """Check the holder against `crls`, coverage required."""
        CrlChecker(crls, require_coverage=True).check(self.holder, self.certificate, at)


@pytest.fixture(scope="module", params=[KeyAlgorithm.RSA, KeyAlgorithm.EC])
def ca(request: pytest.FixtureRequest) -> Ca:
    """A test CA signing with RSA, then with ECDSA."""
    return Ca(request.param)


def code_of(call: Callable[[], None]) -> ErrorCode:
    with pytest.raises(SigningError) as raised:
        call()
    return raised.value.code


def test_a_certificate_revoked_in_a_delta_crl_after_the_complete_crl_is_revoked(ca: Ca) -> None:
    full = ca.crl(14)
    delta = ca.crl(
        15,
        base=14,
        issued=timedelta(days=2),
        valid=timedelta(days=1),
        entries={SERIAL: x509.ReasonFlags.key_compromise},
    )
    at = NOW + timedelta(days=2, hours=1)

    ca.check([full], at)  # the complete CRL alone does not know yet
    assert code_of(lambda: ca.check([full, delta], at)) is ErrorCode.CERTIFICATE_REVOKED


def test_a_delta_crl_on_an_older_base_is_applied_to_a_newer_complete_crl(ca: Ca) -> None:
    full = ca.crl(14)
    delta = ca.crl(16, base=12, issued=timedelta(days=1), entries={SERIAL: None})

    assert code_of(lambda: ca.check([full, delta], NOW + timedelta(days=1))) is (
        ErrorCode.CERTIFICATE_REVOKED
    )


def test_a_delta_crl_whose_base_is_newer_than_the_complete_crl_is_not_applied(ca: Ca) -> None:
    full = ca.crl(13)
    delta = ca.crl(15, base=14, issued=timedelta(days=1), entries={SERIAL: None})

    ca.check([full, delta], NOW + timedelta(days=1))


def test_a_delta_crl_without_a_complete_crl_is_not_used_alone(ca: Ca) -> None:
    delta = ca.crl(15, base=14, entries={SERIAL: None})

    assert code_of(lambda: ca.check([delta], NOW)) is ErrorCode.REVOCATION_UNKNOWN


def test_a_delta_crl_issued_before_its_complete_crl_is_not_applied(ca: Ca) -> None:
    # Its certificateHold was lifted by the time the newer complete CRL was made.
    old_delta = ca.crl(
        9, base=8, issued=timedelta(days=-3), entries={SERIAL: x509.ReasonFlags.certificate_hold}
    )

    ca.check([ca.crl(14), old_delta], NOW + timedelta(hours=1))


def test_a_delta_crl_of_another_scope_is_not_applied(ca: Ca) -> None:
    users_only = x509.IssuingDistributionPoint(None, None, True, False, None, False, False)
    delta = ca.crl(15, base=14, scope=users_only, issued=timedelta(days=1), entries={SERIAL: None})

    ca.check([ca.crl(14), delta], NOW + timedelta(days=1))


def test_remove_from_crl_in_a_delta_crl_lifts_a_certificate_hold(ca: Ca) -> None:
    full = ca.crl(14, entries={SERIAL: x509.ReasonFlags.certificate_hold})
    lifted = ca.crl(
        15, base=14, issued=timedelta(days=1), entries={SERIAL: x509.ReasonFlags.remove_from_crl}
    )
    at = NOW + timedelta(days=1)

    assert code_of(lambda: ca.check([full], at)) is ErrorCode.CERTIFICATE_REVOKED
    ca.check([full, lifted], at)


def test_remove_from_crl_in_a_delta_crl_does_not_undo_a_key_compromise(ca: Ca) -> None:
    full = ca.crl(14, entries={SERIAL: x509.ReasonFlags.key_compromise})
    lifted = ca.crl(
        15, base=14, issued=timedelta(days=1), entries={SERIAL: x509.ReasonFlags.remove_from_crl}
    )

    assert code_of(lambda: ca.check([full, lifted], NOW + timedelta(days=1))) is (
        ErrorCode.CERTIFICATE_REVOKED
    )


def test_the_newest_applicable_delta_crl_says_until_when_the_set_is_current(ca: Ca) -> None:
    full = ca.crl(14, valid=timedelta(days=180))
    first = ca.crl(15, base=14, issued=timedelta(days=1), valid=timedelta(days=1))
    second = ca.crl(16, base=14, issued=timedelta(days=2), valid=timedelta(days=1))
    at = NOW + timedelta(days=2, hours=12)

    ca.check([full], at)
    ca.check([full, first, second], at)
    # The complete CRL's six months do not cover a day no delta answers for.
    assert code_of(lambda: ca.check([full, first], at)) is ErrorCode.REVOCATION_UNKNOWN


# --- the NCA's own full and delta CRLs of 2025 ----------------------------------------------

SKARM_FULL = "skarm_nca_gost2022_test.crl"
SKARM_DELTA = "skarm_nca_gost2022_d_test.crl"
# After the full CRL's nextUpdate (2025-10-26 04:46:49), before the delta's (05:53:16).
BETWEEN_NEXT_UPDATES = datetime(2025, 10, 26, 5, 30, tzinfo=UTC)


def check_nca(names: list[str], at: datetime) -> None:
    checker = CrlChecker([load_crl(sample(name)) for name in names], require_coverage=True)
    holder = certificate("WithTestData.KEY_INDIVIDUAL_VALID_2015.cert.pem")
    checker.check(holder, certificate("nca_gost2022_test.cer"), at)


@pytest.mark.filterwarnings(LONG_NAME_WARNING)
def test_the_nca_delta_crl_rests_on_the_full_crl_and_numbers_itself_apart() -> None:
    full, delta = load_crl(sample(SKARM_FULL)), load_crl(sample(SKARM_DELTA))

    assert full.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 14
    assert delta.extensions.get_extension_for_class(x509.DeltaCRLIndicator).value.crl_number == 14
    # Below its base: the NCA does not share one sequence as RFC 5280 5.2.3 asks.
    assert delta.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 10
    assert len(delta) == 0


@pytest.mark.filterwarnings(LONG_NAME_WARNING)
def test_the_nca_delta_crl_keeps_its_full_crl_current_until_the_deltas_next_update() -> None:
    assert code_of(lambda: check_nca([SKARM_FULL], BETWEEN_NEXT_UPDATES)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )
    check_nca([SKARM_FULL, SKARM_DELTA], BETWEEN_NEXT_UPDATES)
    assert code_of(lambda: check_nca([SKARM_DELTA], BETWEEN_NEXT_UPDATES)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )
    assert (
        code_of(
            lambda: check_nca([SKARM_FULL, SKARM_DELTA], BETWEEN_NEXT_UPDATES + timedelta(hours=1))
        )
        is ErrorCode.REVOCATION_UNKNOWN
    )
