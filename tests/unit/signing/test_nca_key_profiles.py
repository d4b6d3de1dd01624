"""Which keys may sign and which may sign in, by the named profiles of nca_profile (issue 19/5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kepil.signing import nca_profile as nca
from kepil.signing.certificates import (
    Signer,
    accept_any_number,
    key_profile,
    load_certificate,
    parse_certificate,
)
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind
from kepil.signing.trust import check_key_usage

from .nca_samples import LONG_NAME_WARNING

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

FIXTURES = Path(__file__).parents[2] / "fixtures"
BOTH = {KeyKind.SIGN, KeyKind.AUTH}
SIGN = {KeyKind.SIGN}
AUTH = {KeyKind.AUTH}

# Every end-entity certificate of the samples (tests/fixtures, provenance in the READMEs there):
# the profile it is of, and what its key may do.
SAMPLES: dict[str, tuple[str | None, set[KeyKind]]] = {
    # kalkan-crypt GOST512_*: keyEncipherment (employee) and keyAgreement (first head)
    "nca-ids/signer_gost2015.pem": ("NCA GOST 2015", BOTH),
    "nca-ids/head_gost2015.pem": ("NCA GOST 2015", BOTH),
    "nca-ids/individual_gost2015_gokalkan.cer": ("NCA GOST 2015", BOTH),
    "nca-ids/head_gost2015_base64.cer": ("NCA GOST 2015", BOTH),
    "nca/WithTestData.KEY_INDIVIDUAL_VALID_2015.cert.pem": ("NCA GOST 2015", BOTH),
    "nca/WithTestData.KEY_CEO_REVOKED_2015.cert.pem": ("NCA GOST 2015", BOTH),
    # mitwork cert*.pem
    "nca-ids/head_gost2015_mitwork.pem": ("NCA GOST 2015", BOTH),
    "nca-ids/individual_gost2015.pem": ("NCA GOST 2015", BOTH),
    "nca-ids/head_gost2015_mitwork_revoked.pem": ("NCA GOST 2015", BOTH),
    "nca-ids/individual_gost2015_mitwork_revoked.pem": ("NCA GOST 2015", BOTH),
    # the older kits: GOSTKNCA_ and RSA256_ sign, AUTH_RSA256_ signs in
    "nca-ids/head_gost2004.pem": ("NCA signing key (RSA256_/GOSTKNCA_)", SIGN),
    "nca-ids/head_gost2004_ncanode.pem": ("NCA signing key (RSA256_/GOSTKNCA_)", SIGN),
    "nca-ids/individual_rsa_2004.pem": ("NCA signing key (RSA256_/GOSTKNCA_)", SIGN),
    "nca-ids/individual_rsa_2004_revoked.pem": ("NCA signing key (RSA256_/GOSTKNCA_)", SIGN),
    "nca-ids/individual_auth_rsa_2004.pem": ("NCA sign-in key (AUTH_RSA256_)", AUTH),
    # OCSP responders and CAs: neither
    "nca-ids/ocsp_responder_rsa.cer": (None, set()),
    "nca-ids/ocsp_responder_gost2015.cer": (None, set()),
    "nca/nca_gost2022_test.cer": (None, set()),
    "nca/root_test_gost_2022.cer": (None, set()),
}


def _signer(name: str) -> Signer:
    return parse_certificate(load_certificate((FIXTURES / name).read_bytes()), accept_any_number)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_key_is_of_its_profile_and_serves_its_purposes(name: str) -> None:
    signer = _signer(name)
    profile, purposes = SAMPLES[name]
    assert (signer.key_profile, set(signer.purposes)) == (profile, purposes)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("purpose", list(KeyKind))
def test_the_key_usage_check_lets_through_exactly_the_purposes_of_the_profile(
    name: str, purpose: KeyKind
) -> None:
    signer = _signer(name)
    if purpose in SAMPLES[name][1]:
        check_key_usage(signer, purpose)
        return
    with pytest.raises(SigningError) as refused:
        check_key_usage(signer, purpose)
    assert refused.value.code is ErrorCode.WRONG_KEY_USAGE


def test_an_old_kits_signing_key_is_refused_at_sign_in_naming_its_kind_and_the_other_key() -> None:
    signer = _signer("nca-ids/individual_rsa_2004.pem")
    with pytest.raises(SigningError) as refused:
        check_key_usage(signer, KeyKind.AUTH)
    detail = refused.value.detail
    assert "NCA signing key (RSA256_/GOSTKNCA_)" in detail
    assert "keyUsage digitalSignature, nonRepudiation" in detail
    assert "AUTH_RSA256_" in detail


def test_a_key_of_no_known_kind_is_refused_naming_what_its_certificate_states() -> None:
    signer = _signer("nca-ids/ocsp_responder_gost2015.cer")
    with pytest.raises(SigningError) as refused:
        check_key_usage(signer, KeyKind.SIGN)
    detail = refused.value.detail
    assert "gost2015-512 key, keyUsage digitalSignature" in detail
    assert "1.3.6.1.5.5.7.3.9" in detail  # OCSP signing
    assert "NCA GOST 2015" in detail  # the kinds that would do


def test_the_json_view_names_the_profile_and_the_purposes() -> None:
    signer = _signer("nca-ids/head_gost2015_base64.cer")
    document = signer.to_json()
    assert (document["key_profile"], document["purposes"]) == ("NCA GOST 2015", ["auth", "sign"])


_GOST_512 = nca.GOST2015_512_PUBLIC_KEY
_SIGNING = {nca.DIGITAL_SIGNATURE, nca.NON_REPUDIATION}


@pytest.mark.parametrize(
    ("algorithm", "bits", "ekus"),
    [
        # GOST 2015 with clientAuth is not what the NCA issues
        (_GOST_512, _SIGNING | {nca.KEY_AGREEMENT}, {nca.EKU_CLIENT_AUTH}),
        # GOST 2015 without encipherment or agreement
        (_GOST_512, _SIGNING, {nca.EKU_INDIVIDUAL}),
        # GOST 2015 without nonRepudiation
        (_GOST_512, {nca.DIGITAL_SIGNATURE, nca.KEY_ENCIPHERMENT}, set()),
        # an RSA key that claims both shapes of the older kits at once
        (nca.RSA_PUBLIC_KEY, _SIGNING | {nca.KEY_ENCIPHERMENT}, {nca.EKU_CLIENT_AUTH}),
        # a GOST 34.310-2004 key was never issued for sign-in
        (
            nca.GOST2004_PUBLIC_KEY,
            {nca.DIGITAL_SIGNATURE, nca.KEY_ENCIPHERMENT},
            {nca.EKU_CLIENT_AUTH},
        ),
        # a CA key
        (nca.RSA_PUBLIC_KEY, {nca.KEY_CERT_SIGN, nca.CRL_SIGN}, set()),
    ],
)
def test_what_no_profile_describes_is_of_no_kind(
    algorithm: str, bits: set[str], ekus: set[str]
) -> None:
    assert nca.key_profile(algorithm, bits, ekus) is None


@pytest.mark.parametrize(
    ("algorithm", "usage", "profile"),
    [
        (KeyAlgorithm.EC, KeyKind.SIGN, nca.DEV_SIGNING),
        (KeyAlgorithm.ED25519, KeyKind.AUTH, nca.DEV_AUTH),
        (KeyAlgorithm.RSA, KeyKind.SIGN, nca.NCA_SIGNING_BEFORE_2022),
        (KeyAlgorithm.RSA, KeyKind.AUTH, nca.NCA_AUTH_BEFORE_2022),
    ],
)
def test_the_test_pki_keys_keep_their_one_purpose(
    pki: DevPki, now: datetime, algorithm: KeyAlgorithm, usage: KeyKind, profile: nca.KeyProfile
) -> None:
    credential: SignerCredential = pki.person(now, usage=usage, algorithm=algorithm)
    signer = parse_certificate(credential.certificate)
    assert (signer.key_profile, signer.purposes, signer.key_kind) == (
        profile.name,
        frozenset({usage}),
        usage,
    )


_GOST_KEY_BITS = _SIGNING | {nca.KEY_ENCIPHERMENT}
_EMAIL = "1.3.6.1.5.5.7.3.4"


@pytest.mark.parametrize(
    "ekus",
    [
        set(),  # no role at all
        {_EMAIL},  # e-mail protection is on every NCA key; it is not a holder's role
        {nca.EKU_TREASURY_CLIENT, _EMAIL},  # a system's participant, no holder named
        {"1.2.398.3.3.4.1.3", _EMAIL},  # a sibling arc of the roles, not a role
    ],
)
def test_a_gost_2015_key_without_a_holders_role_is_of_no_kind(ekus: set[str]) -> None:
    assert nca.key_profile(_GOST_512, _GOST_KEY_BITS, ekus) is None


@pytest.mark.parametrize(
    "ekus",
    [
        {nca.EKU_INDIVIDUAL, _EMAIL},
        {nca.EKU_ORGANIZATION, nca.EKU_ORG_HEAD, _EMAIL},
        {nca.EKU_ORG_EMPLOYEE},
    ],
)
def test_a_gost_2015_key_of_an_individual_or_an_organisations_person_signs_and_signs_in(
    ekus: set[str],
) -> None:
    profile = nca.key_profile(_GOST_512, _GOST_KEY_BITS, ekus)

    assert profile is nca.NCA_GOST_2015
    assert profile.purposes == {KeyKind.SIGN, KeyKind.AUTH}


@pytest.mark.parametrize("system", [nca.EKU_ORG_INFORMATION_SYSTEM, "1.2.398.3.3.4.1.2.6.7"])
def test_an_information_systems_gost_2015_key_signs_but_does_not_sign_in(system: str) -> None:
    profile = nca.key_profile(_GOST_512, _GOST_KEY_BITS, {nca.EKU_ORGANIZATION, system, _EMAIL})

    assert profile is nca.NCA_GOST_2015_SYSTEM
    assert profile.purposes == {KeyKind.SIGN}


@pytest.mark.parametrize("ca_bit", [nca.KEY_CERT_SIGN, nca.CRL_SIGN])
@pytest.mark.parametrize(
    ("algorithm", "bits", "ekus"),
    [
        (_GOST_512, _GOST_KEY_BITS, {nca.EKU_INDIVIDUAL}),
        (nca.RSA_PUBLIC_KEY, _SIGNING, {nca.EKU_INDIVIDUAL}),
        (nca.EC_PUBLIC_KEY, _SIGNING, set()),
    ],
)
def test_a_key_that_may_sign_certificates_or_crls_is_of_no_end_entity_kind(
    algorithm: str, bits: set[str], ekus: set[str], ca_bit: str
) -> None:
    assert nca.key_profile(algorithm, bits, ekus) is not None
    assert nca.key_profile(algorithm, bits | {ca_bit}, ekus) is None


def test_a_ca_certificate_is_of_no_end_entity_kind_whatever_its_key_usage() -> None:
    assert nca.key_profile(_GOST_512, _GOST_KEY_BITS, {nca.EKU_INDIVIDUAL}, is_ca=True) is None


def test_a_certificate_with_basic_constraints_ca_true_has_no_purpose(now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signing key, CA=true")])

    def issued(ca: bool) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(now)
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )

    assert key_profile(issued(ca=False)) is nca.DEV_SIGNING
    assert key_profile(issued(ca=True)) is None
