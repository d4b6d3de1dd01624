"""The NCA test kits' identities: read with a warning, refused in prod mode, accepted in dev."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.support.pki import session_pki

from kepil.adapters.eds import EdsSignInVerifier, identity_number_check
from kepil.adapters.eds_documents import EdsDocumentVerifier
from kepil.domain.auth import SignInRefusal, SignInRefusedError
from kepil.services.errors import SignatureRefusedError
from kepil.signing.certificates import (
    accept_any_number,
    has_twelve_digits,
    load_certificate,
    parse_certificate,
)
from kepil.signing.cms_sign import sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind, Role

FIXTURES = Path(__file__).parents[2] / "fixtures" / "nca-ids"
NOW = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)
NONCE = "nonce-0123456789"
TEST_IIN = "900101300123"  # twelve digits, wrong check digit, like the NCA kits' 123456789011


def test_an_nca_test_kit_certificate_is_refused_by_the_real_identity_number_check() -> None:
    with pytest.raises(SigningError) as raised:
        parse_certificate(load_certificate((FIXTURES / "head_gost2015.pem").read_bytes()))
    assert raised.value.code is ErrorCode.INVALID_IDENTITY_NUMBER


def test_an_nca_test_kit_certificate_is_read_whole_with_a_warning_for_each_bad_number() -> None:
    certificate = load_certificate((FIXTURES / "head_gost2015.pem").read_bytes())
    signer = parse_certificate(certificate, has_twelve_digits)
    assert (signer.iin, signer.bin) == ("123456789011", "123456789021")
    assert (signer.common_name, signer.surname, signer.given_name) == (
        "ТЕСТОВ ТЕСТ",
        "ТЕСТОВ",
        "ТЕСТОВИЧ",
    )
    assert signer.organization == 'АО "ТЕСТ"'
    assert signer.roles == (Role.HEAD, Role.ORGANIZATION)
    assert [w.split(" ")[:2] for w in signer.warnings] == [
        ["IIN", "123456789011"],
        ["BIN", "123456789021"],
    ]
    assert signer.to_json()["warnings"] == list(signer.warnings)


def test_a_real_identity_number_carries_no_warning() -> None:
    signer = parse_certificate(session_pki().person(NOW).certificate, accept_any_number)
    assert signer.warnings == ()
    assert signer.to_json()["warnings"] == []


def test_the_service_check_accepts_test_numbers_only_when_asked_for_dev_mode() -> None:
    assert identity_number_check(accept_test_identities=True)("123456789011")
    assert not identity_number_check(accept_test_identities=False)("123456789011")
    assert identity_number_check(accept_test_identities=False)("900101300126")


def test_sign_in_with_a_test_identity_is_refused_in_prod_mode() -> None:
    pki = session_pki()
    credential = pki.issue(
        Holder(Profile.INDIVIDUAL, TEST_IIN, "ТЕСТОВ ТЕСТ", usage=KeyKind.AUTH),
        NOW - timedelta(days=1),
    )
    cms = sign_cms(NONCE.encode(), [credential], signing_time=NOW)
    verifier = EdsSignInVerifier(pki.trust_store(), check_number=identity_number_check(False))
    with pytest.raises(SignInRefusedError) as refused:
        verifier.verify(cms, NONCE, NOW)
    assert refused.value.code is SignInRefusal.INVALID_SIGNATURE
    assert "invalid_identity_number" in refused.value.detail


def test_sign_in_with_a_test_identity_is_accepted_in_dev_mode() -> None:
    pki = session_pki()
    credential = pki.issue(
        Holder(Profile.INDIVIDUAL, TEST_IIN, "ТЕСТОВ ТЕСТ", usage=KeyKind.AUTH),
        NOW - timedelta(days=1),
    )
    cms = sign_cms(NONCE.encode(), [credential], signing_time=NOW)
    verifier = EdsSignInVerifier(pki.trust_store(), check_number=identity_number_check(True))
    principal = verifier.verify(cms, NONCE, NOW)
    assert (principal.iin, principal.name) == (TEST_IIN, "ТЕСТОВ ТЕСТ")


def test_a_document_signed_by_a_test_identity_is_refused_in_prod_and_accepted_in_dev() -> None:
    pki = session_pki()
    credential = pki.issue(
        Holder(Profile.INDIVIDUAL, TEST_IIN, "ТЕСТОВ ТЕСТ"), NOW - timedelta(days=1)
    )
    cms = sign_cms(b"application", [credential], signing_time=NOW)
    prod = EdsDocumentVerifier(pki.trust_store(), check_number=identity_number_check(False))
    with pytest.raises(SignatureRefusedError) as refused:
        prod.verify(cms, NOW)
    assert refused.value.code == "invalid_identity_number"
    dev = EdsDocumentVerifier(pki.trust_store(), check_number=identity_number_check(True))
    assert dev.verify(cms, NOW).principal.iin == TEST_IIN
