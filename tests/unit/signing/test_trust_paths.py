"""RFC 5280 path validation: CA flags, path lengths, signatures, validity, anchors and bounds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from kepil.signing import dev_ca, trust
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import verify_cms
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.keys import SigningKey
from kepil.signing.nca_profile import KeyKind
from kepil.signing.trust import TrustStore, build_chain

HOLDER = Holder(Profile.INDIVIDUAL, "900101300126", "ТЕСТОВ ТЕСТ ТЕСТОВИЧ")


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _certificate(
    subject: str,
    key: SigningKey,
    issuer: str,
    issuer_key: SigningKey,
    now: datetime,
    *,
    ca: bool | None = True,
    path_length: int | None = None,
    key_cert_sign: bool = True,
    days: int = 365,
    digest: hashes.HashAlgorithm | None = None,
    extra: x509.ExtensionType | None = None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca, path_length), critical=True)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    builder = builder.add_extension(usage, critical=True)
    if extra is not None:
        builder = builder.add_extension(extra, critical=True)
    return builder.sign(issuer_key, digest or hashes.SHA256())


def _holder(issuer: x509.Certificate, issuer_key: SigningKey, now: datetime) -> SignerCredential:
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    certificate = dev_ca.issue(
        issuer_key, issuer, HOLDER, key.public_key(), now - timedelta(days=1)
    )
    return SignerCredential(key, certificate)


def _untrusted(leaf: x509.Certificate, bag: list[x509.Certificate], store: TrustStore) -> None:
    with pytest.raises(SigningError) as raised:
        build_chain(leaf, bag, store)
    assert raised.value.code is ErrorCode.UNTRUSTED_CHAIN


@pytest.fixture(scope="module")
def root(now: datetime) -> tuple[SigningKey, x509.Certificate]:
    """A root CA with no path length limit."""
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    return key, _certificate("Root", key, "Root", key, now)


def test_a_ca_certificate_without_basic_constraints_cannot_issue(
    root: tuple[SigningKey, x509.Certificate], now: datetime
) -> None:
    root_key, root_cert = root
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    middle = _certificate("Middle", key, "Root", root_key, now, ca=None)
    leaf = _holder(middle, key, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def test_a_ca_certificate_without_key_cert_sign_cannot_issue(
    root: tuple[SigningKey, x509.Certificate], now: datetime
) -> None:
    root_key, root_cert = root
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    middle = _certificate("Middle", key, "Root", root_key, now, key_cert_sign=False)
    leaf = _holder(middle, key, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def test_a_ca_with_path_length_zero_cannot_have_a_sub_ca_below_it(
    root: tuple[SigningKey, x509.Certificate], now: datetime
) -> None:
    root_key, root_cert = root
    middle_key, sub_key = dev_ca.generate_key(KeyAlgorithm.EC), dev_ca.generate_key(KeyAlgorithm.EC)
    middle = _certificate("Middle", middle_key, "Root", root_key, now, path_length=0)
    sub = _certificate("Sub", sub_key, "Middle", middle_key, now)
    leaf = _holder(sub, sub_key, now).certificate
    _untrusted(leaf, [sub, middle], TrustStore((root_cert,)))
    # The same two CAs under a middle CA allowed one level below it do chain.
    allowed = _certificate("Middle", middle_key, "Root", root_key, now, path_length=1)
    chain = build_chain(leaf, [sub, allowed], TrustStore((root_cert,)))
    assert chain == [leaf, sub, allowed, root_cert]


def test_the_path_length_of_the_trust_anchor_is_honoured(now: datetime) -> None:
    root_key, middle_key = (
        dev_ca.generate_key(KeyAlgorithm.EC),
        dev_ca.generate_key(KeyAlgorithm.EC),
    )
    root_cert = _certificate("Root", root_key, "Root", root_key, now, path_length=0)
    middle = _certificate("Middle", middle_key, "Root", root_key, now)
    leaf = _holder(middle, middle_key, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def test_a_self_signed_root_that_is_not_an_anchor_is_untrusted(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    _untrusted(ec_signer.certificate, [pki.issuing, pki.root], TrustStore())


def test_the_signer_certificate_in_the_trust_store_is_not_its_own_anchor(
    now: datetime, ec_signer: SignerCredential
) -> None:
    store = TrustStore.from_certificates([ec_signer.certificate])
    _untrusted(ec_signer.certificate, [], store)
    signed = sign_cms(
        b"x", [SignerCredential(ec_signer.key, ec_signer.certificate)], signing_time=now
    )
    result = verify_cms(signed, trust_store=store, at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.UNTRUSTED_CHAIN}


def test_a_configured_intermediate_is_never_the_trust_anchor(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    store = TrustStore.from_certificates([pki.issuing])
    with pytest.raises(SigningError) as raised:
        build_chain(ec_signer.certificate, [], store)
    assert raised.value.code is ErrorCode.UNTRUSTED_CHAIN
    assert "ends at the intermediate" in raised.value.detail
    assert pki.root.subject.rfc4514_string() in raised.value.detail


def test_a_configured_intermediate_extends_the_path_to_the_configured_root(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    store = TrustStore.from_certificates([pki.root, pki.issuing])
    chain = build_chain(ec_signer.certificate, [], store)
    assert chain == [ec_signer.certificate, pki.issuing, pki.root]


def test_a_signature_by_another_key_under_the_right_name_does_not_chain(
    root: tuple[SigningKey, x509.Certificate], now: datetime
) -> None:
    _, root_cert = root
    stranger = dev_ca.generate_key(KeyAlgorithm.EC)
    middle = _certificate("Middle", stranger, "Root", stranger, now)  # claims Root issued it
    leaf = _holder(middle, stranger, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def test_a_certificate_signed_with_sha1_does_not_chain(now: datetime) -> None:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_cert = _certificate("Root", root_key, "Root", root_key, now)
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    middle = _sha1_signed(_certificate("Middle", key, "Root", root_key, now), root_key)
    assert middle.signature_hash_algorithm is not None
    assert middle.signature_hash_algorithm.name == "sha1"
    leaf = _holder(middle, key, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def _sha1_signed(certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> x509.Certificate:
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    algorithm = {"algorithm": "sha1_rsa", "parameters": core.Null()}
    tbs = parsed["tbs_certificate"]
    tbs["signature"] = algorithm
    signature = key.sign(tbs.dump(force=True), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    parsed["signature_algorithm"] = algorithm
    parsed["signature_value"] = signature
    return x509.load_der_x509_certificate(parsed.dump(force=True))


def test_an_unknown_critical_extension_makes_a_ca_unusable(
    root: tuple[SigningKey, x509.Certificate], now: datetime
) -> None:
    root_key, root_cert = root
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.7"), b"\x05\x00")
    middle = _certificate("Middle", key, "Root", root_key, now, extra=unknown)
    leaf = _holder(middle, key, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def test_unprocessed_critical_name_constraints_make_a_ca_unusable(
    root: tuple[SigningKey, x509.Certificate], now: datetime
) -> None:
    root_key, root_cert = root
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    constraints = x509.NameConstraints([x509.DNSName("example.kz")], None)
    middle = _certificate("Middle", key, "Root", root_key, now, extra=constraints)
    leaf = _holder(middle, key, now).certificate
    _untrusted(leaf, [middle], TrustStore((root_cert,)))


def test_a_cycle_of_cross_certified_cas_ends_without_a_path(now: datetime) -> None:
    a_key, b_key = dev_ca.generate_key(KeyAlgorithm.EC), dev_ca.generate_key(KeyAlgorithm.EC)
    a_by_b = _certificate("A", a_key, "B", b_key, now)
    b_by_a = _certificate("B", b_key, "A", a_key, now)
    leaf = _holder(a_by_b, a_key, now).certificate
    stranger = dev_ca.generate_key(KeyAlgorithm.EC)
    anchor = _certificate("Elsewhere", stranger, "Elsewhere", stranger, now)
    _untrusted(leaf, [a_by_b, b_by_a], TrustStore((anchor,)))


def test_many_look_alike_cas_exhaust_the_signature_budget_and_answer_too_complex(
    now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    # Every one of these verifies every other: without a bound, 20^7 paths would be tried.
    look_alikes = [_certificate("Same", key, "Same", key, now) for _ in range(20)]
    leaf = _holder(look_alikes[0], key, now).certificate
    anchor_key = dev_ca.generate_key(KeyAlgorithm.EC)
    anchor = _certificate("Anchor", anchor_key, "Anchor", anchor_key, now)
    calls = 0
    real = trust.is_issued_by

    def counting(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
        nonlocal calls
        calls += 1
        return real(certificate, issuer)

    monkeypatch.setattr(trust, "is_issued_by", counting)
    with pytest.raises(SigningError) as raised:
        build_chain(leaf, look_alikes, TrustStore((anchor,)))
    assert raised.value.code is ErrorCode.TOO_COMPLEX
    # The explanation of a missing path follows names only: it checks no signature.
    assert calls == trust.SIGNATURE_BUDGET  # ECDSA checks: one unit each


def test_copies_of_one_certificate_in_the_bag_are_checked_once(
    now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, other_key = dev_ca.generate_key(KeyAlgorithm.EC), dev_ca.generate_key(KeyAlgorithm.EC)
    issuer = _certificate("Issuer", key, "Issuer", key, now)
    leaf = _holder(issuer, key, now).certificate
    # Named as the leaf's issuer, but another key: every copy would fail the same check.
    impostor = _certificate("Issuer", other_key, "Elsewhere", other_key, now)
    calls = 0
    real = trust.is_issued_by

    def counting(certificate: x509.Certificate, candidate: x509.Certificate) -> bool:
        nonlocal calls
        calls += 1
        return real(certificate, candidate)

    monkeypatch.setattr(trust, "is_issued_by", counting)
    _untrusted(leaf, [impostor] * 100, TrustStore())
    assert calls == 1


def test_an_intermediate_expired_at_the_moment_of_judgement_is_reported(now: datetime) -> None:
    root_key, issuing_key = (
        dev_ca.generate_key(KeyAlgorithm.EC),
        dev_ca.generate_key(KeyAlgorithm.EC),
    )
    root_cert = dev_ca.make_root(root_key, now - timedelta(days=40))
    issuing = dev_ca.make_issuing_ca(root_key, root_cert, issuing_key, now - timedelta(days=40), 30)
    pki = DevPki(root_key, root_cert, issuing_key, issuing)
    holder = pki.issue(HOLDER, now - timedelta(days=35))
    signed = sign_cms(b"x", [holder], signing_time=now - timedelta(days=34))
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert {issue.code for issue in result.errors} == {ErrorCode.CERTIFICATE_EXPIRED}
    assert "issuing CA" in result.errors[0].detail


def test_a_certificate_without_key_usage_is_neither_a_signing_nor_a_sign_in_key(
    pki: DevPki, now: datetime
) -> None:
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    bare = (
        x509.CertificateBuilder()
        .subject_name(_name("bare"))
        .issuer_name(pki.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(pki.issuing_key, hashes.SHA256())
    )
    signed = sign_cms(b"x", [SignerCredential(key, bare, (pki.issuing,))], signing_time=now)
    for purpose in KeyKind:
        result = verify_cms(signed, trust_store=pki.trust_store(), at=now, purpose=purpose)
        assert {issue.code for issue in result.errors} == {ErrorCode.WRONG_KEY_USAGE}


def test_an_authentication_key_without_client_auth_cannot_sign_in(
    pki: DevPki, now: datetime
) -> None:
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    holder = Holder(Profile.INDIVIDUAL, "900101300126", "ТЕСТОВ ТЕСТ", usage=KeyKind.AUTH)
    certificate = dev_ca.issue(pki.issuing_key, pki.issuing, holder, key.public_key(), now)
    without = _rebuild_without_client_auth(certificate, pki, key)
    signed = sign_cms(b"nonce", [SignerCredential(key, without, (pki.issuing,))], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now, purpose=KeyKind.AUTH)
    assert {issue.code for issue in result.errors} == {ErrorCode.WRONG_KEY_USAGE}


def _rebuild_without_client_auth(
    certificate: x509.Certificate, pki: DevPki, key: Any
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(certificate.issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(certificate.not_valid_before_utc)
        .not_valid_after(certificate.not_valid_after_utc)
    )
    for extension in certificate.extensions:
        value = extension.value
        if isinstance(value, x509.ExtendedKeyUsage):
            value = x509.ExtendedKeyUsage(
                [oid for oid in value if oid.dotted_string != "1.3.6.1.5.5.7.3.2"]
            )
        builder = builder.add_extension(value, extension.critical)
    return builder.sign(pki.issuing_key, hashes.SHA256())
