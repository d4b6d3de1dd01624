"""RFC 5652 signed attributes: content-type, message-digest, signing-time and their encoding."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms, core

from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode

DATA = b"permit application #42"


def _verify(pki: DevPki, now: datetime, cms_bytes: bytes, **kwargs: Any) -> VerificationResult:
    return verify_cms(cms_bytes, trust_store=pki.trust_store(), at=now, **kwargs)


def _codes(result: VerificationResult) -> set[ErrorCode]:
    assert not result.valid
    return {issue.code for issue in result.errors}


def _without(attributes: list[cms.CMSAttribute], kind: str) -> list[cms.CMSAttribute]:
    return [a for a in attributes if a["type"].native != kind]


def test_the_test_builder_makes_a_cms_that_verifies(pki: DevPki, now: datetime, parts: Any) -> None:
    result = _verify(pki, now, parts.build())
    assert result.valid, result.errors


def test_signed_attributes_without_a_content_type_are_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.attributes = _without(parts.attributes, "content_type")
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.MALFORMED_CMS}


def test_signed_attributes_without_a_message_digest_are_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.attributes = _without(parts.attributes, "message_digest")
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.MALFORMED_CMS}


def test_a_content_type_attribute_naming_other_content_is_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.attributes = [
        *_without(parts.attributes, "content_type"),
        cms.CMSAttribute({"type": "content_type", "values": ["signed_data"]}),
    ]
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.BAD_SIGNATURE}


def test_a_message_digest_attribute_given_twice_is_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    decoy = cms.CMSAttribute({"type": "message_digest", "values": [b"\x00" * 32]})
    parts.attributes = [*parts.attributes, decoy]
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.MALFORMED_CMS}


def test_a_message_digest_attribute_with_two_values_is_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    (digest,) = [a for a in parts.attributes if a["type"].native == "message_digest"]
    doubled = cms.CMSAttribute(
        {"type": "message_digest", "values": [b"\x00" * 32, digest["values"][0].native]}
    )
    parts.attributes = [*_without(parts.attributes, "message_digest"), doubled]
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.MALFORMED_CMS}


def test_a_signature_over_the_implicit_0_bytes_instead_of_the_set_of_is_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    der_set = cms.CMSAttributes(parts.attributes).dump()
    parts.signed_bytes = b"\xa0" + der_set[1:]
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.BAD_SIGNATURE}


def test_attributes_sent_unsorted_are_judged_by_their_der_re_encoding(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    good = parts.build()
    info = cms.ContentInfo.load(good)
    signer_info = info["content"]["signer_infos"][0]
    attributes = list(signer_info["signed_attrs"])
    body = b"".join(bytes(a.dump()) for a in reversed(attributes))
    unsorted = b"\xa0" + bytes([len(body)]) + body
    assert unsorted != bytes(signer_info["signed_attrs"].dump())  # really reordered
    tampered = good.replace(bytes(signer_info["signed_attrs"].dump()), unsorted)
    result = _verify(pki, now, tampered)
    assert result.valid, result.errors


def test_a_generalized_time_signing_time_is_read(pki: DevPki, now: datetime, parts: Any) -> None:
    time = cms.Time({"generalized_time": now})
    parts.attributes = [
        *_without(parts.attributes, "signing_time"),
        cms.CMSAttribute({"type": "signing_time", "values": [time]}),
    ]
    result = _verify(pki, now, parts.build())
    assert result.valid, result.errors
    assert result.signers[0].signed_at == now


def test_a_signing_time_without_a_time_zone_is_malformed(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    local = cms.Time.load(b"\x18\x0e" + now.strftime("%Y%m%d%H%M%S").encode())
    parts.attributes = [
        *_without(parts.attributes, "signing_time"),
        cms.CMSAttribute({"type": "signing_time", "values": [local]}),
    ]
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.MALFORMED_CMS}


def test_a_signer_info_without_signed_attributes_is_verified_over_the_content(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.attributes = None
    result = _verify(pki, now, parts.build())
    assert result.valid, result.errors
    assert result.signers[0].signed_at is None
    detached = _verify(pki, now, parts.build(), data=b"permit application #43")
    assert ErrorCode.BAD_SIGNATURE in _codes(detached)


def test_a_signature_over_the_content_without_attributes_cannot_pose_as_attributes(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    # The key signed the content, but the SignerInfo claims signed attributes.
    parts.signed_bytes = parts.data
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.BAD_SIGNATURE}


def test_content_other_than_data_without_signed_attributes_is_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.attributes = None
    id_data = bytes.fromhex("06092a864886f70d010701")
    other = bytes.fromhex("06092a864886f70d010709")  # a content type asn1crypto does not know
    result = _verify(pki, now, parts.build().replace(id_data, other, 1))
    assert _codes(result) == {ErrorCode.MALFORMED_CMS}
    assert "needs signed attributes" in result.errors[0].detail


def test_present_but_empty_signed_attributes_are_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    good = parts.build()
    info = cms.ContentInfo.load(good)
    raw = bytes(info["content"]["signer_infos"][0]["signed_attrs"].dump())
    # Same length overall does not matter: asn1crypto re-reads the outer lengths.
    signer_info = info["content"]["signer_infos"][0]
    signer_info["signed_attrs"] = cms.CMSAttributes.load(b"\x31\x00")
    assert raw
    result = _verify(pki, now, info.dump(force=True))
    assert ErrorCode.MALFORMED_CMS in _codes(result)


def test_the_signing_time_is_reported_in_utc(pki: DevPki, parts: Any) -> None:
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    result = _verify(pki, at, parts.build())
    signed_at = result.signers[0].signed_at
    assert signed_at is not None
    assert signed_at.utcoffset() == core.timezone.utc.utcoffset(None)
