"""Signing and verifying CMS SignedData with RSA, ECDSA P-256 and Ed25519."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from asn1crypto import cms

from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import verify_cms
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind, Role

DATA = "Заявление на разрешение, форма 2".encode()


@pytest.fixture(params=["ec_signer", "rsa_signer", "ed25519_signer"])
def credential(request: pytest.FixtureRequest) -> SignerCredential:
    """Each key algorithm in turn."""
    found: SignerCredential = request.getfixturevalue(request.param)
    return found


@pytest.mark.parametrize("detached", [False, True])
def test_a_signature_by_each_algorithm_verifies_attached_and_detached(
    pki: DevPki, now: datetime, credential: SignerCredential, detached: bool
) -> None:
    signed = sign_cms(DATA, [credential], signing_time=now, detached=detached)
    result = verify_cms(
        signed, trust_store=pki.trust_store(), at=now, data=DATA if detached else None
    )
    assert result.valid, result.errors
    assert result.content == DATA
    assert result.signers[0].signed_at == now
    assert result.signers[0].signer is not None
    assert result.signers[0].signer.iin == "900101300126"


def test_algorithms_are_named_in_the_result(
    pki: DevPki,
    now: datetime,
    ec_signer: SignerCredential,
    rsa_signer: SignerCredential,
    ed25519_signer: SignerCredential,
) -> None:
    signed = sign_cms(DATA, [ec_signer, rsa_signer, ed25519_signer], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert result.valid, result.errors
    # DER sorts the SET OF SignerInfo, so the order of signers is not the order given.
    assert {(s.algorithm, s.signer.role) for s in result.signers if s.signer} == {
        ("ecdsa-sha256", Role.INDIVIDUAL),
        ("rsa-sha256", Role.HEAD),
        ("ed25519", Role.ENTREPRENEUR),
    }


def test_ed25519_signers_follow_rfc_8419(now: datetime, ed25519_signer: SignerCredential) -> None:
    signed = sign_cms(DATA, [ed25519_signer], signing_time=now)
    info = cms.ContentInfo.load(signed)["content"]["signer_infos"][0]
    assert info["digest_algorithm"]["algorithm"].native == "sha512"
    assert info["signature_algorithm"]["algorithm"].dotted == "1.3.101.112"
    assert info["signature_algorithm"]["parameters"].native is None


def test_signed_attributes_hold_content_type_signing_time_and_message_digest(
    now: datetime, ec_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now)
    info = cms.ContentInfo.load(signed)["content"]["signer_infos"][0]
    kinds = {attribute["type"].native for attribute in info["signed_attrs"]}
    assert kinds == {"content_type", "signing_time", "message_digest"}


def test_a_detached_cms_carries_no_content(now: datetime, ec_signer: SignerCredential) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now, detached=True)
    assert cms.ContentInfo.load(signed)["content"]["encap_content_info"]["content"].native is None


def test_a_sign_in_over_a_nonce_yields_the_signer_key_kind_and_role(
    pki: DevPki, now: datetime, auth_signer: SignerCredential
) -> None:
    nonce = b"kepil-sign-in:7f3a9c"
    signed = sign_cms(nonce, [auth_signer], signing_time=now, detached=True)
    result = verify_cms(
        signed, trust_store=pki.trust_store(), at=now, data=nonce, purpose=KeyKind.AUTH
    )
    signer = result.sole_signer()
    assert (signer.iin, signer.key_kind, signer.role) == (
        "900101300126",
        KeyKind.AUTH,
        Role.INDIVIDUAL,
    )


def test_a_document_signed_while_valid_verifies_later_when_judged_at_receipt(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now + timedelta(hours=1))
    assert result.valid


def test_the_json_view_has_the_cli_contract_fields(
    pki: DevPki, now: datetime, rsa_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [rsa_signer], signing_time=now)
    document = verify_cms(signed, trust_store=pki.trust_store(), at=now).to_json()
    assert document["valid"] is True
    assert document["errors"] == []
    assert document["warnings"] == []
    assert document["signers"] == [
        {
            "iin": "900101300126",
            "bin": "120440056787",
            "name": "ТЕСТОВ ТЕСТ ТЕСТОВИЧ",
            "organization": "ТОО «Тест»",
            "role": "head",
            "signed_at": now.isoformat(),
            "signed_at_source": "signing_time_attribute",
            "algorithm": "rsa-sha256",
            "timestamp": None,
            "timestamps_ignored": 0,
            "errors": [],
            "warnings": [],
        }
    ]
