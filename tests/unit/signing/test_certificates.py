"""Reading NCA-profile certificates into typed signers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing.certificates import load_certificate, parse_certificate
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind, Role


def _holder(profile: Profile, **changes: object) -> Holder:
    fields: dict[str, object] = {
        "profile": profile,
        "iin": "850315400124",
        "name": "АХМЕТОВА АЙГУЛЬ СЕРИКОВНА",
        "bin": None if profile is Profile.INDIVIDUAL else "050840001233",
        "organization": None if profile is Profile.INDIVIDUAL else "ТОО «Кепіл»",
    }
    fields.update(changes)
    return Holder(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("profile", "role", "roles"),
    [
        (Profile.INDIVIDUAL, Role.INDIVIDUAL, (Role.INDIVIDUAL,)),
        (Profile.ENTREPRENEUR, Role.ENTREPRENEUR, (Role.ENTREPRENEUR,)),
        (Profile.LEGAL_HEAD, Role.HEAD, (Role.HEAD, Role.ORGANIZATION)),
        (Profile.LEGAL_EMPLOYEE, Role.EMPLOYEE, (Role.EMPLOYEE, Role.ORGANIZATION)),
        (Profile.OFFICIAL, Role.SIGNER, (Role.SIGNER, Role.ORGANIZATION)),
    ],
)
def test_each_profile_is_read_back_with_its_role(
    pki: DevPki, now: datetime, profile: Profile, role: Role, roles: tuple[Role, ...]
) -> None:
    credential = pki.issue(_holder(profile), now)
    signer = parse_certificate(credential.certificate)
    assert signer.role is role
    assert signer.roles == roles
    assert signer.iin == "850315400124"
    assert signer.key_kind is KeyKind.SIGN
    assert signer.country == "KZ"


def test_a_legal_entity_certificate_carries_both_the_iin_and_the_bin(
    rsa_signer: SignerCredential,
) -> None:
    signer = parse_certificate(rsa_signer.certificate)
    assert (signer.iin, signer.bin) == ("900101300126", "120440056787")
    assert signer.organization == "ТОО «Тест»"
    assert signer.algorithm == "rsa-2048"


def test_names_follow_the_nca_layout_with_the_patronymic_in_given_name(
    ec_signer: SignerCredential,
) -> None:
    signer = parse_certificate(ec_signer.certificate)
    assert signer.common_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert signer.surname == "ТЕСТОВ"
    assert signer.given_name == "ТЕСТОВИЧ"
    assert signer.bin is None
    assert signer.organization is None


def test_an_official_may_carry_the_head_eku(pki: DevPki, now: datetime) -> None:
    credential = pki.issue(_holder(Profile.OFFICIAL, official_is_head=True), now)
    assert parse_certificate(credential.certificate).role is Role.HEAD


def test_an_authentication_certificate_is_read_as_an_auth_key(
    auth_signer: SignerCredential,
) -> None:
    assert parse_certificate(auth_signer.certificate).key_kind is KeyKind.AUTH


def test_validity_issuer_serial_and_algorithm_are_reported(
    ec_signer: SignerCredential, now: datetime
) -> None:
    signer = parse_certificate(ec_signer.certificate)
    assert signer.not_before == now - timedelta(days=1)
    assert signer.not_after == now + timedelta(days=364)
    assert "TEST PKI" in signer.issuer
    assert signer.serial_number == ec_signer.certificate.serial_number
    assert signer.algorithm == "ecdsa-secp256r1"
    assert signer.to_json()["key_kind"] == "sign"


def test_the_identity_number_check_is_a_pluggable_hook(ec_signer: SignerCredential) -> None:
    with pytest.raises(SigningError) as raised:
        parse_certificate(ec_signer.certificate, check_number=lambda number: False)
    assert raised.value.code is ErrorCode.INVALID_IDENTITY_NUMBER


def test_a_certificate_is_loaded_from_pem_and_der_alike(ec_signer: SignerCredential) -> None:
    pem = ec_signer.certificate.public_bytes(Encoding.PEM)
    der = ec_signer.certificate.public_bytes(Encoding.DER)
    assert load_certificate(pem) == load_certificate(der) == ec_signer.certificate


def test_garbage_is_reported_as_a_malformed_certificate() -> None:
    with pytest.raises(SigningError) as raised:
        load_certificate(b"\x30\x03\x02\x01")
    assert raised.value.code is ErrorCode.MALFORMED_CERTIFICATE


def test_the_test_ca_refuses_an_organisation_profile_without_a_bin(
    pki: DevPki, now: datetime
) -> None:
    with pytest.raises(ValueError, match="BIN"):
        pki.issue(_holder(Profile.LEGAL_HEAD, bin=None), now)


def test_the_test_root_is_marked_as_not_for_production(pki: DevPki) -> None:
    assert "NOT FOR PRODUCTION" in pki.root.subject.rfc4514_string()


def test_an_iin_failing_its_check_digit_is_refused_by_default(pki: DevPki, now: datetime) -> None:
    bad = pki.issue(
        Holder(Profile.INDIVIDUAL, "900101300123", "ТЕСТОВ ТЕСТ"), now - timedelta(days=1)
    )
    with pytest.raises(SigningError) as raised:
        parse_certificate(bad.certificate)
    assert raised.value.code is ErrorCode.INVALID_IDENTITY_NUMBER
