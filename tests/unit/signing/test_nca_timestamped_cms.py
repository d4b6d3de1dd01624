"""Real Kalkan / NCALayer CMS: a time-stamp in the unsigned attributes never makes it unreadable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms

from kepil.signing.cms_load import load_cms
from kepil.signing.cms_signer_info import SIGNATURE_TIME_STAMP_OID
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.trust import TrustStore

from .nca_samples import LONG_NAME_WARNING, any_number, gost_2022_trust, ncanode_trust, sample

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

# name -> a moment inside the signer certificate's validity, just after the signing time
KALKAN_TIMESTAMPED = {
    "KalkanExtractionServiceTest.0.p7s": datetime(2023, 10, 11, 9, 32, tzinfo=UTC),
    "KalkanValidationServiceTest.1.p7s": datetime(2025, 2, 24, 19, 24, tzinfo=UTC),
    "legal_entity_attached.der": datetime(2026, 7, 20, 9, 11, tzinfo=UTC),
}
NCANODE_SIGNED_AT = datetime(2022, 9, 28, tzinfo=UTC)


def verify(
    cms_bytes: bytes,
    at: datetime,
    *,
    data: bytes | None = None,
    store: TrustStore | None = None,
) -> VerificationResult:
    return verify_cms(
        cms_bytes,
        trust_store=store or gost_2022_trust(),
        at=at,
        data=data,
        check_number=any_number,
    )


def codes(result: VerificationResult) -> list[ErrorCode]:
    return [issue.code for issue in result.errors]


def flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


@pytest.mark.parametrize("name", sorted(KALKAN_TIMESTAMPED))
def test_a_kalkan_cms_with_a_gost_timestamp_is_readable_and_verifies(name: str) -> None:
    result = verify(sample(name), KALKAN_TIMESTAMPED[name])

    assert result.valid, result.to_json()
    (signer,) = result.signers
    assert signer.algorithm == "gost2015-512"
    assert signer.signer is not None
    assert signer.signer.iin == "123456789011"
    assert signer.chain[-1].subject.rfc4514_string().endswith("TEST 2022")


def test_a_detached_kalkan_cms_time_stamped_by_the_production_tsa_verifies_over_its_document() -> (
    None
):
    at = KALKAN_TIMESTAMPED["legal_entity_attached.der"]
    result = verify(
        sample("legal_entity_detached.der"), at, data=sample("legal_entity_document.txt")
    )

    assert result.valid, result.to_json()
    assert result.signers[0].timestamp_tokens


@pytest.mark.parametrize("name", sorted(KALKAN_TIMESTAMPED))
def test_the_time_stamp_token_is_kept_as_raw_der_for_later_verification(name: str) -> None:
    (view,) = load_cms(sample(name)).signers

    (token,) = view.timestamp_tokens
    assert token in sample(name)
    assert cms.ContentInfo.load(token)["content_type"].native == "signed_data"
    assert view.unsigned_attrs is not None
    assert token in view.unsigned_attrs
    assert verify(sample(name), KALKAN_TIMESTAMPED[name]).signers[0].timestamp_tokens == (token,)


def test_a_cms_without_unsigned_attributes_has_no_time_stamp_token() -> None:
    views = load_cms(sample("CmsServiceTest.SIGNED_CMS.p7s")).signers

    assert [view.timestamp_tokens for view in views] == [[], []]
    assert [view.unsigned_attrs for view in views] == [None, None]


@pytest.mark.parametrize("name", sorted(KALKAN_TIMESTAMPED))
def test_a_garbled_time_stamp_token_leaves_the_signature_readable_and_valid(name: str) -> None:
    original = sample(name)
    (token,) = load_cms(original).signers[0].timestamp_tokens
    start = original.index(token)
    # Garble the token's inside (its TSA certificate, signature...) but keep its outer length.
    garbled = original[: start + 8] + b"\xff" * (len(token) - 8) + original[start + len(token) :]

    result = verify(garbled, KALKAN_TIMESTAMPED[name])

    assert result.valid, result.to_json()
    # Kept as it came, for the time-stamp check (issue 19 item 2) to judge.
    assert result.signers[0].timestamp_tokens == (garbled[start : start + len(token)],)


def test_unreadable_unsigned_attributes_leave_the_signature_readable_and_valid() -> None:
    name = "KalkanValidationServiceTest.1.p7s"
    original = sample(name)
    attribute_type = b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0e"
    at = original.index(attribute_type)
    damaged = original[:at] + b"\x04" + original[at + 1 :]  # the type is no longer an OID

    result = verify(damaged, KALKAN_TIMESTAMPED[name])

    assert result.valid, result.to_json()
    (view,) = load_cms(damaged).signers
    assert view.timestamp_tokens == []
    with pytest.raises(SigningError) as raised:
        view.unsigned_attribute_values(SIGNATURE_TIME_STAMP_OID)
    assert raised.value.code is ErrorCode.MALFORMED_CMS


@pytest.mark.parametrize("name", sorted(KALKAN_TIMESTAMPED))
def test_a_kalkan_cms_whose_gost_signature_is_tampered_is_a_bad_signature(name: str) -> None:
    original = sample(name)
    signature = load_cms(original).signers[0].signature
    tampered = flip(original, original.index(signature) + 10)

    result = verify(tampered, KALKAN_TIMESTAMPED[name])

    assert codes(result) == [ErrorCode.BAD_SIGNATURE]


def test_a_kalkan_cms_whose_content_is_tampered_is_a_digest_mismatch() -> None:
    original = sample("legal_entity_attached.der")
    document = sample("legal_entity_document.txt")
    tampered = flip(original, original.index(document) + 3)

    result = verify(tampered, KALKAN_TIMESTAMPED["legal_entity_attached.der"])

    assert codes(result) == [ErrorCode.DIGEST_MISMATCH]


def test_a_detached_kalkan_cms_over_another_document_is_a_digest_mismatch() -> None:
    document = flip(sample("legal_entity_document.txt"), 0)

    result = verify(
        sample("legal_entity_detached.der"),
        KALKAN_TIMESTAMPED["legal_entity_attached.der"],
        data=document,
    )

    assert codes(result) == [ErrorCode.DIGEST_MISMATCH]


def test_a_kalkan_cms_after_its_certificate_expired_reports_the_expiry_not_a_bad_signature() -> (
    None
):
    result = verify(sample("KalkanExtractionServiceTest.0.p7s"), datetime(2026, 1, 1, tzinfo=UTC))

    assert codes(result) == [ErrorCode.CERTIFICATE_EXPIRED]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("CmsServiceTest.SIGNED_CMS.p7s", None),
        ("CmsServiceTest.SIGNED_DETACHED_CMS.p7s", "test123.txt"),
    ],
)
def test_the_two_signer_cms_verifies_its_gost_signer_and_reports_the_rsa_signers_expiry(
    name: str, data: str | None
) -> None:
    result = verify(
        sample(name),
        NCANODE_SIGNED_AT,
        data=sample(data) if data else None,
        store=ncanode_trust(),
    )

    gost_signer, rsa_signer = result.signers
    assert gost_signer.algorithm == "gost2015-512"
    assert gost_signer.valid, gost_signer.errors
    assert gost_signer.signer is not None
    assert gost_signer.signer.iin == "123456789012"
    assert rsa_signer.algorithm == "rsa-sha256"
    assert [issue.code for issue in rsa_signer.errors] == [ErrorCode.CERTIFICATE_EXPIRED]
    assert not result.valid


def test_the_two_signer_cms_with_a_tampered_gost_signature_is_a_bad_signature() -> None:
    original = sample("CmsServiceTest.SIGNED_CMS.p7s")
    signature = load_cms(original).signers[0].signature
    tampered = flip(original, original.index(signature) + 5)

    result = verify(tampered, NCANODE_SIGNED_AT, store=ncanode_trust())

    assert [issue.code for issue in result.signers[0].errors] == [ErrorCode.BAD_SIGNATURE]


def test_the_two_signer_detached_cms_over_other_data_is_a_digest_mismatch() -> None:
    result = verify(
        sample("CmsServiceTest.SIGNED_DETACHED_CMS.p7s"),
        NCANODE_SIGNED_AT + timedelta(days=1),
        data=b"test124",
        store=ncanode_trust(),
    )

    assert [issue.code for issue in result.signers[0].errors] == [ErrorCode.DIGEST_MISMATCH]
