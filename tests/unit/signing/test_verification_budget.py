"""Crafted CMS cannot buy minutes of CPU: tokens, look-alikes and signers share one budget."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import gost, trust
from kepil.signing.certificates import subject_public_key_info
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import MAX_TIMESTAMP_TOKENS, verify_cms
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

from .nca_samples import LONG_NAME_WARNING, any_number, certificate, gost_2022_trust, sample
from .tsa import with_tokens

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

SKARM_AT = datetime(2026, 7, 20, 9, 11, tzinfo=UTC)
# Not a speed test: a guard against the minutes an unbounded verification took (78 s for the
# reviewer's 62 KB CMS). The budget allows about 10 GOST checks of 0.4-1.0 s CPU each, so the
# bound leaves room for a slow machine and still fails long before the old minutes.
CPU_BOUND_SECONDS = 25.0


def _verify_timed(
    cms_bytes: bytes, purpose: KeyKind = KeyKind.SIGN
) -> tuple[dict[str, Any], float]:
    store = gost_2022_trust()  # sorting roots checks their signatures: not the verification's
    started = time.process_time()
    result = verify_cms(
        cms_bytes,
        trust_store=store,
        at=SKARM_AT,
        purpose=purpose,
        check_number=any_number,
    )
    return result.to_json(), time.process_time() - started


def _skarm() -> bytes:
    return sample("legal_entity_attached.der")


def _token() -> bytes:
    (token,) = load_cms(_skarm()).signers[0].timestamp_tokens
    return token


def _token_naming_the_issuing_ca(token: bytes) -> bytes:
    """The token without certificates, its signer identifier naming the trusted issuing CA.

    Every copy then makes the TSA look its key up among the trust store's certificates."""
    info = cms.ContentInfo.load(token)
    signed = info["content"]
    issuing = asn1_x509.Certificate.load(
        certificate("nca_gost2022_test.cer").public_bytes(Encoding.DER)
    )
    sid = cms.SignerIdentifier(
        name="issuer_and_serial_number",
        value=cms.IssuerAndSerialNumber(
            {
                "issuer": issuing["tbs_certificate"]["issuer"],
                "serial_number": issuing["tbs_certificate"]["serial_number"],
            }
        ),
    )
    first = signed["signer_infos"][0]
    fields = {name: first[name] for name, *_ in cms.SignerInfo._fields if name != "sid"}
    signer = cms.SignerInfo(
        {k: v for k, v in {**fields, "sid": sid}.items() if not isinstance(v, core.Void)}
    )
    parts = {
        name: signed[name]
        for name, *_ in cms.SignedData._fields
        if name not in {"certificates", "signer_infos"}
    }
    parts["signer_infos"] = cms.SignerInfos([signer])
    content = cms.SignedData({k: v for k, v in parts.items() if not isinstance(v, core.Void)})
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": content}).dump())


def _look_alikes_and_signers(look_alikes: int, signers: int) -> bytes:
    """The reviewer's input: certificates named like the signer's, keys altered; signers copied."""
    info = cms.ContentInfo.load(_skarm())
    signed = info["content"]
    real = signed["certificates"][0].chosen.dump()
    spki = subject_public_key_info(load_cms(_skarm()).certificates[0])
    position = real.index(spki) + len(spki) - 10
    fakes = [
        real[:position] + bytes([real[position] ^ (i + 1)]) + real[position + 1 :]
        for i in range(look_alikes)
    ]
    first = signed["signer_infos"][0]
    fields = {name: first[name] for name, *_ in cms.SignerInfo._fields if name != "unsigned_attrs"}
    bare = cms.SignerInfo({k: v for k, v in fields.items() if not isinstance(v, core.Void)})
    parts = {name: signed[name] for name, *_ in cms.SignedData._fields}
    parts["certificates"] = cms.CertificateSet(
        [cms.CertificateChoices.load(der) for der in [*fakes, real]]
    )
    parts["signer_infos"] = cms.SignerInfos([bare] * signers)
    content = cms.SignedData({k: v for k, v in parts.items() if not isinstance(v, core.Void)})
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": content}).dump())


def test_fifty_copies_of_a_time_stamp_token_are_judged_at_most_twice_within_a_cpu_bound() -> None:
    crafted = with_tokens(_skarm(), *[_token()] * 50)

    document, cpu = _verify_timed(crafted)

    assert cpu < CPU_BOUND_SECONDS
    (signer,) = document["signers"]
    assert document["valid"] is True
    assert signer["timestamps_ignored"] == 50 - MAX_TIMESTAMP_TOKENS
    assert any("50 time-stamp tokens" in w["detail"] for w in signer["warnings"])


def test_tokens_naming_a_trusted_ca_as_their_signer_cannot_spend_minutes() -> None:
    small = _token_naming_the_issuing_ca(_token())
    crafted = with_tokens(_skarm(), *[small] * 50)

    document, cpu = _verify_timed(crafted)

    assert cpu < CPU_BOUND_SECONDS
    assert document["valid"] is True  # the signature itself is untouched
    assert document["signers"][0]["timestamp"]["valid"] is False


def test_look_alike_certificates_and_copied_signers_end_in_too_complex_within_a_cpu_bound() -> None:
    crafted = _look_alikes_and_signers(look_alikes=20, signers=10)

    document, cpu = _verify_timed(crafted)

    assert cpu < CPU_BOUND_SECONDS
    assert document["valid"] is False
    assert "too_complex" in {issue["code"] for issue in document["errors"]}


def test_sign_in_judges_no_time_stamp_token_and_says_so() -> None:
    document, _ = _verify_timed(_skarm(), purpose=KeyKind.AUTH)

    (signer,) = document["signers"]
    assert signer["timestamp"] is None
    assert signer["timestamps_ignored"] == 1
    assert signer["signed_at_source"] == "signing_time_attribute"


def test_a_certificate_link_shared_by_two_signers_is_checked_once(
    pki: DevPki,
    ec_signer: SignerCredential,
    rsa_signer: SignerCredential,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[tuple[str, str]] = []
    real = trust.is_issued_by

    def counting(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
        checked.append((certificate.subject.rfc4514_string(), issuer.subject.rfc4514_string()))
        return real(certificate, issuer)

    monkeypatch.setattr(trust, "is_issued_by", counting)
    signed = sign_cms(b"two signers", [ec_signer, rsa_signer], signing_time=now)

    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)

    assert result.valid, result.to_json()
    # Each signer's own link, and the issuing CA's link to the root once for both.
    assert len(checked) == 3
    ca_link = (pki.issuing.subject.rfc4514_string(), pki.root.subject.rfc4514_string())
    assert checked.count(ca_link) == 1


def test_three_copies_of_a_gost_signer_verify_hashing_the_content_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crafted = _look_alikes_and_signers(look_alikes=0, signers=3)
    content = load_cms(crafted).content
    assert content is not None
    hashed: list[int] = []
    real = gost.streebog

    def counting(data: bytes, variant: gost.GostVariant) -> bytes:
        if data == content:
            hashed.append(len(data))
        return real(data, variant)

    monkeypatch.setattr(gost, "streebog", counting)

    document, cpu = _verify_timed(crafted)

    assert document["valid"] is True, document["errors"]
    assert len(document["signers"]) == 3
    assert len(hashed) == 1
    assert cpu < CPU_BOUND_SECONDS
