"""Chain building, CA checks and CRL handling."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import dev_ca
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation import CrlChecker
from kepil.signing.trust import TrustStore, build_chain


def test_the_chain_runs_from_the_holder_through_the_issuing_ca_to_the_root(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    chain = build_chain(ec_signer.certificate, list(ec_signer.chain), pki.trust_store())
    assert chain == [ec_signer.certificate, pki.issuing, pki.root]


def test_without_the_intermediate_the_chain_is_untrusted(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    with pytest.raises(SigningError) as raised:
        build_chain(ec_signer.certificate, [], pki.trust_store())
    assert raised.value.code is ErrorCode.UNTRUSTED_CHAIN


def test_a_holder_certificate_cannot_act_as_a_ca(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    holder = Holder(Profile.INDIVIDUAL, "900101300126", "ФАЛЬШ ФАЛЬШ")
    forged = dev_ca.issue(
        ec_signer.key, ec_signer.certificate, holder, ec_signer.key.public_key(), now
    )
    with pytest.raises(SigningError) as raised:
        build_chain(forged, [ec_signer.certificate, pki.issuing], pki.trust_store())
    assert raised.value.code is ErrorCode.UNTRUSTED_CHAIN


def test_an_empty_store_trusts_nothing(ec_signer: SignerCredential) -> None:
    with pytest.raises(SigningError) as raised:
        build_chain(ec_signer.certificate, list(ec_signer.chain), TrustStore())
    assert raised.value.code is ErrorCode.UNTRUSTED_CHAIN


def test_a_crl_past_its_next_update_leaves_revocation_unknown(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    stale = CrlChecker([pki.crl(now - timedelta(days=10), days=7)])
    with pytest.raises(SigningError) as raised:
        stale.check(ec_signer.certificate, pki.issuing, now)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_a_crl_signed_by_another_ca_is_ignored(
    pki: DevPki, other_pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    forged = dev_ca.build_crl(
        other_pki.issuing_key, pki.issuing, {ec_signer.certificate.serial_number: now}, now
    )
    CrlChecker([forged]).check(ec_signer.certificate, pki.issuing, now)
    with pytest.raises(SigningError) as raised:
        CrlChecker([forged], require_coverage=True).check(ec_signer.certificate, pki.issuing, now)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_a_revocation_after_the_moment_of_judgement_does_not_count(
    pki: DevPki, now: datetime
) -> None:
    victim = pki.person(now)
    crl = dev_ca.build_crl(
        pki.issuing_key,
        pki.issuing,
        {victim.certificate.serial_number: now + timedelta(days=1)},
        now,
    )
    CrlChecker([crl]).check(victim.certificate, pki.issuing, now)


def test_crls_load_from_der_and_garbage_is_reported(pki: DevPki, now: datetime) -> None:
    assert CrlChecker.from_bytes([pki.crl(now).public_bytes(Encoding.DER)])
    with pytest.raises(SigningError) as raised:
        CrlChecker.from_bytes([b"junk"])
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
