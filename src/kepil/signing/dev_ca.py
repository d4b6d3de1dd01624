"""The development/test CA: NCA-profile test certificates, marked as TEST PKI everywhere.

Nothing trusts it by default: a deployment trusts it only by putting its root into a trust
store. Keys are written unencrypted because they protect nothing real.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kepil.signing import nca_profile as nca
from kepil.signing.keys import SigningKey
from kepil.signing.nca_profile import KeyKind

TEST_PKI_MARK = "kepil TEST PKI — NOT FOR PRODUCTION"
FILE_PREFIX = "TEST-PKI-NOT-FOR-PRODUCTION"


class Profile(StrEnum):
    """The kinds of holder the test CA issues for."""

    INDIVIDUAL = "individual"
    ENTREPRENEUR = "entrepreneur"
    LEGAL_HEAD = "legal-head"
    LEGAL_EMPLOYEE = "legal-employee"
    OFFICIAL = "official"


class KeyAlgorithm(StrEnum):
    """Key algorithms the test CA generates."""

    EC = "ec"
    RSA = "rsa"
    ED25519 = "ed25519"


@dataclass(frozen=True)
class Holder:
    """Who a test certificate is for."""

    profile: Profile
    iin: str
    name: str  # full name: surname, first name, patronymic
    bin: str | None = None
    organization: str | None = None
    usage: KeyKind = KeyKind.SIGN
    # Officials are org signers; ministry roles (clerk, examiner, head) are mapped elsewhere.
    official_is_head: bool = False


def generate_key(algorithm: KeyAlgorithm) -> SigningKey:
    """A fresh private key: P-256, RSA-2048 or Ed25519."""
    if algorithm is KeyAlgorithm.RSA:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm is KeyAlgorithm.ED25519:
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def make_root(key: SigningKey, now: datetime, days: int = 3650) -> x509.Certificate:
    """A self-signed TEST PKI root."""
    name = _ca_name(TEST_PKI_MARK)
    return _ca_builder(name, name, key.public_key(), now, days, path_length=1).sign(
        key, _hash_for(key)
    )


def make_issuing_ca(
    root_key: SigningKey, root: x509.Certificate, key: SigningKey, now: datetime, days: int = 3650
) -> x509.Certificate:
    """The TEST PKI CA that issues holders' certificates, below the root."""
    builder = _ca_builder(
        _ca_name(f"{TEST_PKI_MARK} — issuing CA"),
        root.subject,
        key.public_key(),
        now,
        days,
        path_length=0,
    ).add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
    )
    return builder.sign(root_key, _hash_for(root_key))


def issue(
    ca_key: SigningKey,
    ca: x509.Certificate,
    holder: Holder,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    not_before: datetime,
    days: int = 365,
    ocsp_url: str | None = None,
) -> x509.Certificate:
    """An NCA-profile certificate for `holder`, signed by the test CA."""
    if days < 1:
        raise ValueError(f"a certificate is valid for at least 1 day, not {days}")
    try:
        not_after = not_before + timedelta(days=days)
    except OverflowError:
        raise ValueError(
            f"a validity of {days} days from {not_before:%Y-%m-%d} ends after the year 9999"
        ) from None
    ekus = [x509.ObjectIdentifier(oid) for oid in _role_ekus(holder)]
    if holder.usage is KeyKind.AUTH:
        ekus.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    else:
        # The NCA's signing certificates carry e-mail protection, and NCALayer's `sign` finds
        # the signing key by it (signerParams.extKeyUsageOids): without it no page can use it.
        ekus.append(ExtendedKeyUsageOID.EMAIL_PROTECTION)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_holder_name(holder))
        .issuer_name(ca.subject)
        .public_key(public_key)
        .serial_number(_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(holder.usage), critical=True)
        .add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if ocsp_url:
        access = x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder.sign(ca_key, _hash_for(ca_key))


def build_crl(
    ca_key: SigningKey,
    ca: x509.Certificate,
    revoked: dict[int, datetime],
    now: datetime,
    days: int = 7,
) -> x509.CertificateRevocationList:
    """A CRL of the test CA listing `revoked` (serial -> revocation time)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now)
        .next_update(now + timedelta(days=days))
    )
    for serial, when in sorted(revoked.items()):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(ca_key, _hash_for(ca_key))


def _role_ekus(holder: Holder) -> list[str]:
    if holder.profile in (Profile.INDIVIDUAL, Profile.ENTREPRENEUR):
        return [nca.EKU_INDIVIDUAL]
    if holder.profile is Profile.LEGAL_HEAD:
        return [nca.EKU_ORGANIZATION, nca.EKU_ORG_HEAD]
    if holder.profile is Profile.LEGAL_EMPLOYEE:
        return [nca.EKU_ORGANIZATION, nca.EKU_ORG_EMPLOYEE]
    sub_role = nca.EKU_ORG_HEAD if holder.official_is_head else nca.EKU_ORG_SIGNER
    return [nca.EKU_ORGANIZATION, sub_role]


def _holder_name(holder: Holder) -> x509.Name:
    if holder.profile is not Profile.INDIVIDUAL and not holder.bin:
        raise ValueError(f"the {holder.profile.value} profile needs a BIN")
    words = holder.name.split()
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, holder.name),
        x509.NameAttribute(NameOID.SURNAME, words[0]),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"{nca.IIN_PREFIX}{holder.iin}"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ]
    if len(words) > 2:
        attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, " ".join(words[2:])))
    if holder.profile is not Profile.INDIVIDUAL:
        organization = holder.organization or f"ИП {holder.name}"
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{nca.BIN_PREFIX}{holder.bin}")
        )
    return x509.Name(attributes)


def _key_usage(usage: KeyKind) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=usage is KeyKind.SIGN,
        key_encipherment=usage is KeyKind.AUTH,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "kepil TEST PKI"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "NOT FOR PRODUCTION"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def _ca_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    now: datetime,
    days: int,
    path_length: int,
) -> x509.CertificateBuilder:
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(_serial())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _hash_for(key: SigningKey) -> hashes.SHA256 | None:
    return None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()


def _serial() -> int:
    return secrets.randbits(120) | (1 << 120)
