"""The RFC 3161 tokens of real Kalkan CMS and of NCANode's TSA samples (tests/fixtures/nca)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from kepil.signing.cms_load import load_cms
from kepil.signing.cms_verify import Issue, VerificationResult, verify_cms
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.timestamp import (
    TimestampStatus,
    check_certificate_binding,
    verify_timestamp_token,
)
from kepil.signing.tst_info import read_token, token_from_response

from .nca_samples import LONG_NAME_WARNING, any_number, certificate, gost_2022_trust, sample

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

SKARM_AT = datetime(2026, 7, 20, 9, 11, tzinfo=UTC)
SKARM_SIGNED_AT = datetime(2026, 7, 20, 9, 10, 9, tzinfo=UTC)
SKARM_STAMPED_AT = datetime(2026, 7, 20, 9, 10, 9, tzinfo=UTC)
PRODUCTION_TSA = "O=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ,C=KZ,CN=TIME-STAMPING AUTHORITY"
PRODUCTION_GOST_CA = "C=KZ,CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) 2022"
# name -> (a moment inside the signer's validity, the token's genTime, the TSA's common name)
MITWORK = {
    "KalkanExtractionServiceTest.0.p7s": (
        datetime(2023, 10, 11, 9, 32, tzinfo=UTC),
        datetime(2023, 10, 11, 9, 31, 16, tzinfo=UTC),
        "CN=TSA SERVICE",
    ),
    "KalkanValidationServiceTest.1.p7s": (
        datetime(2025, 2, 24, 19, 24, tzinfo=UTC),
        datetime(2025, 2, 24, 19, 23, 14, tzinfo=UTC),
        "CN=СЕРВИС МЕТКИ ВРЕМЕНИ",
    ),
}


def verify_skarm(cms_bytes: bytes, detached: bool) -> VerificationResult:
    return verify_cms(
        cms_bytes,
        trust_store=gost_2022_trust(),
        at=SKARM_AT,
        data=sample("legal_entity_document.txt") if detached else None,
        check_number=any_number,
    )


def stamp_warnings(warnings: Sequence[Issue]) -> list[ErrorCode]:
    """The warnings' codes but the test identities' failed check digits, present everywhere."""
    return [w.code for w in warnings if w.code is not ErrorCode.INVALID_IDENTITY_NUMBER]


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def token_of(cms_bytes: bytes) -> bytes:
    (token,) = load_cms(cms_bytes).signers[0].timestamp_tokens
    return token


SKARM = pytest.mark.parametrize(
    ("name", "detached"),
    [("legal_entity_attached.der", False), ("legal_entity_detached.der", True)],
)


@SKARM
def test_the_production_tsa_token_verifies_but_is_untrusted_without_the_production_roots(
    name: str, detached: bool
) -> None:
    result = verify_skarm(sample(name), detached)

    assert result.valid, result.to_json()
    (signer,) = result.signers
    stamp = signer.timestamp
    assert stamp is not None
    # Its GOST 2015 signature and its imprint hold: the only fault is the missing root.
    assert [error.code for error in stamp.errors] == [ErrorCode.UNTRUSTED_CHAIN]
    assert stamp.status is TimestampStatus.UNTRUSTED
    assert stamp.time == SKARM_STAMPED_AT
    assert stamp.tsa == PRODUCTION_TSA
    assert stamp.policy == "1.2.398.3.3.2.6.4"
    assert stamp.algorithm == "GOST R 34.10-2015 (512 bit) with Streebog-512"
    assert stamp_warnings(signer.warnings) == [ErrorCode.TIMESTAMP_UNTRUSTED]
    assert signer.signed_at == SKARM_SIGNED_AT
    assert signer.signed_at_source == "signing_time_attribute"


@SKARM
def test_the_production_tsa_token_is_in_the_json_with_a_warning(name: str, detached: bool) -> None:
    document = verify_skarm(sample(name), detached).to_json()

    (signer,) = document["signers"]
    assert signer["timestamp"]["status"] == "untrusted"
    assert signer["timestamp"]["valid"] is False
    assert signer["timestamp"]["time"] == SKARM_STAMPED_AT.isoformat()
    assert signer["signed_at_source"] == "signing_time_attribute"
    assert [w["code"] for w in document["warnings"]] == [
        "timestamp_untrusted",
        "invalid_identity_number",
        "invalid_identity_number",
    ]
    assert document["errors"] == []


def test_the_production_tsa_token_imprint_is_the_streebog_512_of_the_signature_value() -> None:
    original = sample("legal_entity_attached.der")
    (view,) = load_cms(original).signers
    token = token_of(original)

    on_its_signature = verify_timestamp_token(token, view.signature, gost_2022_trust())
    on_another = verify_timestamp_token(token, view.signature[::-1], gost_2022_trust())

    assert read_token(token).tst_info.imprint_algorithm == "1.2.398.3.10.1.3.3"
    assert ErrorCode.TIMESTAMP_IMPRINT_MISMATCH not in {e.code for e in on_its_signature.errors}
    assert [e.code for e in on_another.errors] == [
        ErrorCode.TIMESTAMP_IMPRINT_MISMATCH,
        ErrorCode.UNTRUSTED_CHAIN,
    ]
    assert on_another.status is TimestampStatus.INVALID


def test_the_production_tsa_token_carries_only_the_tsa_certificate() -> None:
    # So its issuer, the production GOST CA, has to come from the trust store: the samples do
    # not have it, and no trust store here can make this token trusted.
    token = read_token(token_of(sample("legal_entity_attached.der")))

    (certificate,) = token.signed.certificates
    assert certificate.issuer.rfc4514_string() == PRODUCTION_GOST_CA
    assert all(
        anchor.subject.rfc4514_string() != PRODUCTION_GOST_CA
        for anchor in gost_2022_trust().anchors
    )


@SKARM
def test_a_flipped_byte_in_the_token_imprint_makes_it_invalid_and_leaves_the_signature_valid(
    name: str, detached: bool
) -> None:
    original = sample(name)
    imprint = read_token(token_of(original)).tst_info.imprint
    tampered = flip(original, original.index(imprint) + 7)

    result = verify_skarm(tampered, detached)

    assert result.valid, result.to_json()
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert stamp.status is TimestampStatus.INVALID
    # The imprint no longer matches, and the TSTInfo no longer matches its signed digest.
    assert [e.code for e in stamp.errors] == [
        ErrorCode.TIMESTAMP_IMPRINT_MISMATCH,
        ErrorCode.DIGEST_MISMATCH,
    ]
    assert stamp_warnings(result.warnings) == [ErrorCode.TIMESTAMP_INVALID]
    assert result.signers[0].signed_at_source == "signing_time_attribute"


@SKARM
def test_a_flipped_byte_in_the_token_signature_makes_it_invalid_and_leaves_the_signature_valid(
    name: str, detached: bool
) -> None:
    original = sample(name)
    token_signature = read_token(token_of(original)).signed.signers[0].signature
    tampered = flip(original, original.index(token_signature) + 11)

    result = verify_skarm(tampered, detached)

    assert result.valid, result.to_json()
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert stamp.status is TimestampStatus.INVALID
    assert [e.code for e in stamp.errors] == [ErrorCode.BAD_SIGNATURE]
    assert stamp_warnings(result.warnings) == [ErrorCode.TIMESTAMP_INVALID]


def test_a_tampered_cms_signature_is_a_bad_signature_and_its_token_is_not_judged() -> None:
    original = sample("legal_entity_attached.der")
    signature = load_cms(original).signers[0].signature
    tampered = flip(original, original.index(signature) + 10)

    result = verify_skarm(tampered, detached=False)

    assert [issue.code for issue in result.errors] == [ErrorCode.BAD_SIGNATURE]
    (signer,) = result.signers
    # A token costs signature checks: a signature that fails may not spend them.
    assert signer.timestamp is None
    assert len(signer.timestamp_tokens) == 1
    assert result.to_json()["signers"][0]["timestamps_ignored"] == 1


@pytest.mark.parametrize("name", sorted(MITWORK))
def test_a_mitwork_token_signed_with_gost_2004_is_reported_unsupported(name: str) -> None:
    at, gen_time, tsa_name = MITWORK[name]

    result = verify_cms(sample(name), trust_store=gost_2022_trust(), at=at, check_number=any_number)

    assert result.valid, result.to_json()
    (signer,) = result.signers
    stamp = signer.timestamp
    assert stamp is not None
    assert stamp.status is TimestampStatus.UNSUPPORTED
    assert stamp.time == gen_time
    assert stamp.tsa is not None
    assert stamp.tsa.endswith(tsa_name)
    assert stamp.algorithm == "GOST 34.310-2004 with GOST 34.311-95"
    assert {e.code for e in stamp.errors} == {ErrorCode.UNSUPPORTED_ALGORITHM}
    assert any("GOST 34.310-2004" in e.detail for e in stamp.errors)
    assert stamp_warnings(signer.warnings) == [ErrorCode.TIMESTAMP_UNSUPPORTED]
    assert signer.signed_at_source == "signing_time_attribute"


def test_ncanode_tsp_response_is_a_granted_answer_around_the_tsp_token() -> None:
    token = sample("ncanode_tsp_token.bin")

    assert token_from_response(sample("ncanode_tsp_response.bin")) == token


def test_ncanode_tsp_token_says_when_what_and_under_which_policy() -> None:
    info = read_token(sample("ncanode_tsp_token.bin")).tst_info

    assert info.gen_time == datetime(2022, 9, 18, 13, 20, 14, tzinfo=UTC)
    assert info.policy == "1.2.398.3.3.2.6.1"
    assert info.imprint_algorithm == "1.3.14.3.2.26"  # SHA-1, of data that is not in the sample
    assert info.imprint.hex() == "1465dad126d32bf7aa5d3b95a5c7c331cdff34df"
    assert info.nonce == 0x018350C022D7
    assert info.tsa_name is None


def test_ncanode_tsp_token_is_unsupported_for_its_gost_2004_signature_and_sha_1_imprint() -> None:
    result = verify_timestamp_token(
        sample("ncanode_tsp_token.bin"), b"whatever was stamped", gost_2022_trust()
    )

    assert result.status is TimestampStatus.UNSUPPORTED
    assert [e.code for e in result.errors] == [ErrorCode.UNSUPPORTED_ALGORITHM] * 2
    assert "SHA-1" in result.errors[0].detail
    assert "GOST 34.310-2004" in result.errors[1].detail
    assert result.tsa is not None
    assert "CN=СЕРВИС МЕТКИ ВРЕМЕНИ" in result.tsa


def test_a_tsp_response_that_grants_nothing_has_no_token() -> None:
    refusal = bytes.fromhex("30053003020102")  # status rejection (2), no token

    with pytest.raises(SigningError) as raised:
        token_from_response(refusal)

    assert raised.value.code is ErrorCode.MALFORMED_TIMESTAMP
    assert "rejection" in raised.value.detail


def test_a_cms_is_not_a_time_stamp_token() -> None:
    result = verify_timestamp_token(
        sample("CmsServiceTest.SIGNED_CMS.p7s"), b"signature", gost_2022_trust()
    )

    assert result.status is TimestampStatus.INVALID
    assert [e.code for e in result.errors] == [ErrorCode.MALFORMED_TIMESTAMP]
    assert "id-ct-TSTInfo" in result.errors[0].detail


def test_a_garbled_token_is_an_invalid_warning_beside_a_valid_signature() -> None:
    original = sample("legal_entity_attached.der")
    token = token_of(original)
    start = original.index(token)
    garbled = original[: start + 8] + b"\xff" * (len(token) - 8) + original[start + len(token) :]

    result = verify_skarm(garbled, detached=False)

    assert result.valid
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert stamp.status is TimestampStatus.INVALID
    assert [e.code for e in stamp.errors] == [ErrorCode.MALFORMED_TIMESTAMP]
    assert stamp_warnings(result.warnings) == [ErrorCode.TIMESTAMP_INVALID]


def test_unreadable_unsigned_attributes_are_a_warning_not_silence() -> None:
    original = sample("KalkanValidationServiceTest.1.p7s")
    attribute_type = b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0e"
    at = original.index(attribute_type)
    damaged = original[:at] + b"\x04" + original[at + 1 :]  # the type is no longer an OID

    result = verify_cms(
        damaged,
        trust_store=gost_2022_trust(),
        at=MITWORK["KalkanValidationServiceTest.1.p7s"][0],
        check_number=any_number,
    )

    assert result.valid
    assert result.signers[0].timestamp is None
    assert stamp_warnings(result.warnings) == [ErrorCode.TIMESTAMP_INVALID]
    assert "unsigned attributes" in result.warnings[0].detail
    assert result.warnings[0].signer_index == 0


@pytest.mark.parametrize(
    "name",
    [
        "legal_entity_attached.der",
        "KalkanExtractionServiceTest.0.p7s",
        "KalkanValidationServiceTest.1.p7s",
        "ncanode_tsp_token.bin",
    ],
)
def test_every_nca_token_names_its_tsa_certificate_in_an_ess_attribute(name: str) -> None:
    token = sample(name) if name.endswith(".bin") else token_of(sample(name))
    parsed = read_token(token)
    (tsa,) = parsed.signed.certificates
    signed_attrs = parsed.signed.signers[0].signed_attrs

    check_certificate_binding(signed_attrs, tsa)  # SHA-1, ESS version 1, in all four
    with pytest.raises(SigningError) as raised:
        check_certificate_binding(signed_attrs, certificate("root_test_gost_2022.cer"))
    assert raised.value.code is ErrorCode.TIMESTAMP_CERTIFICATE_MISMATCH
