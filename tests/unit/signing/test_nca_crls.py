"""Real NCA CRLs load and vouch, whichever way the signature algorithm's parameters are written."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import parser
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kepil.signing import dev_ca
from kepil.signing.crl_load import load_crl, same_algorithm
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation import CrlChecker

from .nca_samples import LONG_NAME_WARNING, certificate, sample

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

NCA_CRLS = [
    "ncanode_nca_gost2022_test.crl",
    "kalkan_crypt_nca_gost_test_2022.crl",
    "skarm_nca_gost2022_test.crl",
    "skarm_nca_gost2022_d_test.crl",
]
# Inside the 2022 CRL's validity (2022-07-27 to 2023-01-23) and both certificates'.
CRL_2022_AT = datetime(2022, 10, 1, tzinfo=UTC)
GOST_2015_512 = bytes.fromhex("060a2a830e030a0101020302")
SHA256_RSA = bytes.fromhex("06092a864886f70d01010b")
NULL = b"\x05\x00"


def children(der: bytes) -> list[bytes]:
    contents = parser.parse(der)[4]
    found, offset = [], 0
    while offset < len(contents):
        length = parser.peek(contents[offset:])
        found.append(contents[offset : offset + length])
        offset += length
    return found


def sequence(*parts: bytes) -> bytes:
    return bytes(parser.emit(0, 1, 16, b"".join(parts)))


def with_outer_algorithm(crl: bytes, algorithm: bytes) -> bytes:
    """The CRL with another outer signatureAlgorithm; the signed tbsCertList is untouched."""
    tbs, _outer, signature = children(crl)
    return sequence(tbs, algorithm, signature)


def check(crl: bytes, name: str) -> None:
    checker = CrlChecker.from_bytes([crl], require_coverage=True)
    checker.check(certificate(name), certificate("nca_gost2022_test.cer"), CRL_2022_AT)


def code_of(call: object) -> ErrorCode:
    with pytest.raises(SigningError) as raised:
        call()  # type: ignore[operator]
    return raised.value.code


@pytest.mark.parametrize("name", NCA_CRLS)
def test_every_nca_crl_loads_full_and_delta(name: str) -> None:
    crl = load_crl(sample(name))

    assert crl.signature_algorithm_oid.dotted_string == "1.2.398.3.10.1.1.2.3.2"
    assert "TEST 2022" in crl.issuer.rfc4514_string()


def test_the_nca_crl_vouches_for_a_good_certificate_and_reports_a_revoked_one() -> None:
    crl = sample("ncanode_nca_gost2022_test.crl")

    check(crl, "WithTestData.KEY_INDIVIDUAL_VALID_2015.cert.pem")
    assert code_of(lambda: check(crl, "WithTestData.KEY_CEO_REVOKED_2015.cert.pem")) is (
        ErrorCode.CERTIFICATE_REVOKED
    )


def test_an_nca_crl_whose_algorithms_are_written_with_and_without_null_loads_and_verifies() -> None:
    # Inner with NULL, outer without: the GOST signature over the tbsCertList stays real.
    crl = with_outer_algorithm(sample("ncanode_nca_gost2022_test.crl"), sequence(GOST_2015_512))
    with pytest.raises(ValueError, match="do not match"):
        x509.load_der_x509_crl(crl)  # what `cryptography` alone says

    check(crl, "WithTestData.KEY_INDIVIDUAL_VALID_2015.cert.pem")
    assert code_of(lambda: check(crl, "WithTestData.KEY_CEO_REVOKED_2015.cert.pem")) is (
        ErrorCode.CERTIFICATE_REVOKED
    )


def test_an_nca_delta_crl_with_both_encodings_loads() -> None:
    delta = with_outer_algorithm(sample("skarm_nca_gost2022_d_test.crl"), sequence(GOST_2015_512))

    crl = load_crl(delta)

    assert crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator).value.crl_number > 0


def test_a_pem_crl_with_both_encodings_loads() -> None:
    der = with_outer_algorithm(sample("skarm_nca_gost2022_test.crl"), sequence(GOST_2015_512))
    body = base64.encodebytes(der)
    pem = b"-----BEGIN X509 CRL-----\n" + body + b"-----END X509 CRL-----\n"

    crl = load_crl(pem)

    assert crl.tbs_certlist_bytes == children(sample("skarm_nca_gost2022_test.crl"))[0]


def test_an_nca_crl_whose_inner_algorithm_omits_null_parameters_loads() -> None:
    # Today's NCA form, inner without parameters and outer with NULL, needs the signer's key
    # to make; a test CA signs one with RSA, whose identifier carries NULL the same way.
    now = datetime(2026, 3, 2, tzinfo=UTC)
    key = dev_ca.generate_key(KeyAlgorithm.RSA)
    assert isinstance(key, rsa.RSAPrivateKey)
    ca = dev_ca.make_root(key, now)
    made = dev_ca.build_crl(key, ca, {1234: now - timedelta(days=1)}, now)
    version, inner, *rest = children(made.tbs_certlist_bytes)
    assert inner == sequence(SHA256_RSA, NULL)
    tbs = sequence(version, sequence(SHA256_RSA), *rest)
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    der = sequence(tbs, sequence(SHA256_RSA, NULL), bytes(parser.emit(0, 0, 3, b"\0" + signature)))

    crl = load_crl(der)

    assert crl.tbs_certlist_bytes == tbs
    assert crl.is_signature_valid(key.public_key())
    assert crl.get_revoked_certificate_by_serial_number(1234) is not None


def test_a_crl_whose_inner_and_outer_algorithms_differ_in_oid_is_refused() -> None:
    crl = with_outer_algorithm(sample("ncanode_nca_gost2022_test.crl"), sequence(SHA256_RSA, NULL))

    with pytest.raises(SigningError, match="differ") as raised:
        load_crl(crl)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_a_crl_whose_algorithm_parameters_differ_other_than_null_is_refused() -> None:
    other_parameters = sequence(GOST_2015_512, bytes.fromhex("060a2a830e030a0101020201"))
    crl = with_outer_algorithm(sample("ncanode_nca_gost2022_test.crl"), other_parameters)

    assert code_of(lambda: load_crl(crl)) is ErrorCode.REVOCATION_UNKNOWN


def test_a_tampered_nca_crl_with_both_encodings_loads_but_vouches_for_nothing() -> None:
    original = sample("ncanode_nca_gost2022_test.crl")
    tbs, _outer, signature = children(original)
    serial = certificate("WithTestData.KEY_CEO_REVOKED_2015.cert.pem").serial_number
    listed = serial.to_bytes(20, "big")
    at = tbs.index(listed)
    tampered_tbs = tbs[:at] + bytes([listed[0] ^ 0x01]) + tbs[at + 1 :]
    crl = sequence(tampered_tbs, sequence(GOST_2015_512), signature)

    with pytest.raises(SigningError, match="no CRL from") as raised:
        check(crl, "WithTestData.KEY_INDIVIDUAL_VALID_2015.cert.pem")
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (sequence(GOST_2015_512), sequence(GOST_2015_512, NULL), True),
        (sequence(GOST_2015_512, NULL), sequence(GOST_2015_512, NULL), True),
        (sequence(GOST_2015_512), sequence(SHA256_RSA), False),
        (sequence(GOST_2015_512, NULL), sequence(GOST_2015_512, b"\x04\x00"), False),
    ],
)
def test_algorithms_are_the_same_when_oids_match_and_null_equals_absent(
    first: bytes, second: bytes, same: bool
) -> None:
    assert same_algorithm(first, second) is same


# Inside both 2004-era CRLs' validity (2022-03-29 to 2022-09-25).
CRL_2004_AT = datetime(2022, 5, 1, tzinfo=UTC)


def test_the_older_nca_rsa_crl_loads_and_vouches_for_a_certificate_it_does_not_list() -> None:
    crl = load_crl(sample("ncanode_nca_rsa_test.crl"))
    assert crl.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.11"
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 9
    checker = CrlChecker([crl], require_coverage=True)

    checker.check(
        certificate("WithTestData.KEY_INDIVIDUAL_VALID_SIGN_2004.cert.pem"),
        certificate("nca_rsa_test.crt"),
        CRL_2004_AT,
    )


def test_the_older_nca_gost_2004_crl_loads_but_cannot_vouch_as_its_signature_is_unchecked() -> None:
    crl = load_crl(sample("ncanode_nca_gost_test.crl"))
    assert crl.signature_algorithm_oid.dotted_string == "1.2.398.3.10.1.1.1.2"  # GOST 34.310-2004
    ceo = certificate("WithTestData.KEY_CEO_SIGN_REVOKED_2004.cert.pem")
    entry = crl.get_revoked_certificate_by_serial_number(ceo.serial_number)
    assert entry is not None
    assert entry.revocation_date_utc == datetime(2022, 1, 18, 4, 47, 37, tzinfo=UTC)
    checker = CrlChecker([crl], require_coverage=True)

    # Listed, but an unverifiable CRL is no CRL: unknown, neither revoked nor good.
    assert code_of(lambda: checker.check(ceo, certificate("nca_gost_test.crt"), CRL_2004_AT)) is (
        ErrorCode.REVOCATION_UNKNOWN
    )
