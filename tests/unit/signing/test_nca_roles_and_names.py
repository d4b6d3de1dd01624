"""NCA roles, algorithm names, NCALayer's base64 certificates and GOST parameter sets."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import replace
from pathlib import Path

import gostcrypto
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import gost
from kepil.signing import nca_profile as nca
from kepil.signing.certificates import (
    accept_any_number,
    load_certificate,
    load_certificates,
    parse_certificate,
    subject_public_key_info,
)
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.gost import GOST_256, GOST_512, GostVariant
from kepil.signing.keys import hash_algorithm
from kepil.signing.nca_profile import KeyKind, Role

FIXTURES = Path(__file__).parents[2] / "fixtures" / "nca-ids"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("fixture", "iin", "roles"),
    [
        ("head_gost2015.pem", "123456789011", (Role.HEAD, Role.ORGANIZATION)),
        ("signer_gost2015.pem", "123456789012", (Role.SIGNER, Role.ORGANIZATION)),
        ("individual_gost2015.pem", "123456789011", (Role.INDIVIDUAL,)),
        ("head_gost2004.pem", "123456789011", (Role.HEAD, Role.ORGANIZATION)),
        ("individual_rsa_2004.pem", "123456789011", (Role.INDIVIDUAL,)),
    ],
)
def test_each_nca_test_kit_is_read_with_its_iin_and_roles(
    fixture: str, iin: str, roles: tuple[Role, ...]
) -> None:
    signer = parse_certificate(load_certificate(_read(fixture)), accept_any_number)
    assert (signer.iin, signer.roles, signer.role) == (iin, roles, roles[0])
    assert signer.key_kind is KeyKind.SIGN


@pytest.mark.parametrize(
    ("ekus", "has_bin", "roles"),
    [
        ({nca.EKU_ORGANIZATION, nca.EKU_ORG_HR}, True, (Role.HR, Role.ORGANIZATION)),
        ({nca.EKU_ORGANIZATION, nca.EKU_ORG_EMPLOYEE}, True, (Role.EMPLOYEE, Role.ORGANIZATION)),
        (
            {nca.EKU_ORGANIZATION, nca.EKU_ORG_FINANCE_SIGNER},
            True,
            (Role.FINANCE_SIGNER, Role.ORGANIZATION),
        ),
        (
            {nca.EKU_ORGANIZATION, "1.2.398.3.3.4.1.2.6"},
            True,
            (Role.INFORMATION_SYSTEM, Role.ORGANIZATION),
        ),
        (
            {nca.EKU_ORGANIZATION, "1.2.398.3.3.4.1.2.6.71"},
            True,
            (Role.INFORMATION_SYSTEM, Role.ORGANIZATION),
        ),
        (
            {nca.EKU_ORGANIZATION, "1.2.398.5.19.1.2.2.1"},
            True,
            (Role.TREASURY_CLIENT, Role.ORGANIZATION),
        ),
        ({nca.EKU_EMAIL_PROTECTION, nca.EKU_INDIVIDUAL}, False, (Role.INDIVIDUAL,)),
    ],
)
def test_every_nca_role_oid_is_read(ekus: set[str], has_bin: bool, roles: tuple[Role, ...]) -> None:
    assert nca.roles_from_ekus(ekus, has_bin=has_bin) == roles


def test_a_gost_2004_certificate_names_its_algorithms_instead_of_oids() -> None:
    signer = parse_certificate(load_certificate(_read("head_gost2004.pem")), accept_any_number)
    assert signer.algorithm == "gost2004"
    assert signer.signature_algorithm == "GOST 34.310-2004 with GOST 34.311-95"
    assert "1.2.398" not in signer.to_json()["signature_algorithm"]


def test_a_gost_2015_certificate_names_its_signature_algorithm() -> None:
    signer = parse_certificate(load_certificate(_read("head_gost2015.pem")), accept_any_number)
    assert signer.signature_algorithm == "GOST R 34.10-2015 (512 bit) with Streebog-512"


def test_an_unknown_digest_is_named_when_it_is_a_gost_one() -> None:
    with pytest.raises(SigningError, match=r"GOST 34\.311-95"):
        hash_algorithm(nca.GOST34311_DIGEST)


def test_a_certificate_in_base64_der_without_armour_is_read_as_ncalayer_returns_it() -> None:
    text = _read("head_gost2015_base64.cer")
    assert not text.startswith(b"-----")
    certificate = load_certificate(text)
    assert load_certificates(text) == [certificate]
    pem = load_certificate(_read("head_gost2015.pem"))
    assert parse_certificate(certificate, accept_any_number).iin == "123456789011"
    assert certificate.public_bytes(Encoding.DER) != pem.public_bytes(Encoding.DER)


def test_base64_der_split_over_lines_is_read_too() -> None:
    text = b"".join(_read("head_gost2015_base64.cer").split())
    wrapped = b"\n".join(text[i : i + 64] for i in range(0, len(text), 64)) + b"\n"
    assert load_certificate(wrapped) == load_certificate(text)


def test_base64_that_is_not_a_certificate_is_a_malformed_certificate() -> None:
    with pytest.raises(SigningError) as raised:
        load_certificate(b"MIIBnotacertificate==")
    assert raised.value.code is ErrorCode.MALFORMED_CERTIFICATE


@pytest.mark.parametrize(
    ("fixture", "long_name"),
    [
        ("head_gost2015_base64.cer", "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022"),
        ("ocsp_responder_rsa.cer", "СЕРВИС ПРОВЕРКИ ОНЛАЙН СТАТУСА СЕРТИФИКАТА"),
    ],
)
def test_nca_names_longer_than_64_bytes_are_read_without_a_warning(
    fixture: str, long_name: str
) -> None:
    assert len(long_name.encode()) > 64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        signer = parse_certificate(load_certificate(_read(fixture)), accept_any_number)
    assert long_name in (signer.issuer, signer.common_name) or long_name in signer.issuer


def test_an_ocsp_responder_with_an_undecodable_extension_is_still_read() -> None:
    # Its ocsp-nocheck is an empty OCTET STRING, which makes cryptography refuse all extensions.
    signer = parse_certificate(load_certificate(_read("ocsp_responder_rsa.cer")), accept_any_number)
    assert signer.common_name == "СЕРВИС ПРОВЕРКИ ОНЛАЙН СТАТУСА СЕРТИФИКАТА"
    assert signer.key_kind is None  # an OCSP signing key, neither for documents nor sign-in


# GOST parameter sets: the curve comes from the key, not an assumption of set A.

_TC26_512_B = "1.2.643.7.1.2.1.2.2"
_TC26_256_B = "1.2.643.7.1.2.1.1.2"


def _key_on(variant: GostVariant) -> tuple[bytes, bytes]:
    """A fresh key on the variant's curve: its big-endian point and its signature of b"message"."""
    signing = gostcrypto.gostsignature
    curve = signing.CURVES_R_1323565_1_024_2019[variant.curve_name]
    engine = signing.new(signing.MODE_256 if variant.bits == 256 else signing.MODE_512, curve)
    private = (secrets.randbelow(curve["q"] - 1) + 1).to_bytes(variant.size, "big")
    point = bytes(engine.public_key_generate(bytearray(private)))
    digest = gost.streebog(b"message", variant)
    r_s = bytes(engine.sign(bytearray(private), bytearray(digest[::-1])))
    return point, gost.encode_signature(variant, r_s)


@pytest.mark.parametrize(
    ("base", "param_set", "curve"),
    [
        (GOST_512, _TC26_512_B, "id-tc26-gost-3410-12-512-paramSetB"),
        (GOST_256, _TC26_256_B, "id-tc26-gost-3410-2012-256-paramSetB"),
    ],
)
def test_a_key_on_another_parameter_set_verifies_on_its_own_curve(
    base: GostVariant, param_set: str, curve: str
) -> None:
    variant = replace(base, param_set_oid=param_set, curve_name=curve)
    point, signature = _key_on(variant)
    key_info = gost.encode_public_key_info(variant, point)
    assert gost.verify(key_info, base.signature_oid, b"message", signature)
    assert not gost.verify(key_info, base.signature_oid, b"another message", signature)
    # The same key labelled set A (the old assumption) does not verify the same signature.
    labelled_a = gost.encode_public_key_info(base, point)
    assert not gost.verify(labelled_a, base.signature_oid, b"message", signature)


def test_the_nca_test_kits_key_is_read_on_parameter_set_a() -> None:
    info = subject_public_key_info(load_certificate(_read("head_gost2015.pem")))
    variant, _point = gost._read_public_key(info)
    assert (variant.param_set_oid, variant.curve_name) == (
        nca.GOST2015_512_PARAM_SET_A,
        "id-tc26-gost-3410-12-512-paramSetA",
    )


def test_an_unknown_parameter_set_is_unsupported_rather_than_assumed_to_be_set_a() -> None:
    variant = replace(GOST_512, param_set_oid="1.2.398.3.10.1.1.2.2.9")
    point, signature = _key_on(GOST_512)
    unknown = gost.encode_public_key_info(variant, point)
    with pytest.raises(SigningError) as raised:
        gost.verify(unknown, GOST_512.signature_oid, b"message", signature)
    assert raised.value.code is ErrorCode.UNSUPPORTED_ALGORITHM
    assert "1.2.398.3.10.1.1.2.2.9" in str(raised.value)
