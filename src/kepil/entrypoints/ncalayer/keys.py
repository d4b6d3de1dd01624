"""The keys the stand-in offers: PKCS#12 files read once at start, described as NCALayer does."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID

from kepil.entrypoints.ncalayer.gost_kit import GostKitError, gost_signer
from kepil.entrypoints.ncalayer.pkcs12_legacy import Pkcs12Error, open_pkcs12
from kepil.signing.certificates import (
    extended_key_usages,
    parse_certificate,
    public_key_algorithm,
)
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.errors import SigningError
from kepil.signing.keys import as_signing_key
from kepil.signing.nca_profile import EKU_CLIENT_AUTH

# What NCALayer calls a key file (as opposed to a token: AKKaztokenStore, AKKZIDCardStore, ...).
FILE_STORAGE = "PKCS12"

SUPPORTED_KINDS = (
    "RSA, ECDSA and Ed25519 keys (kepil pki issue --p12, NCA RSA kits) "
    "and GOST R 34.10-2015 keys (NCA GOST kits)"
)


class KeyFileError(ValueError):
    """A key file that cannot be offered; the message names the file and the reason."""


class CmsSigner(Protocol):
    """Something that signs CMS with one key: kepil's signer, or the GOST kit signer."""

    @property
    def certificate(self) -> x509.Certificate:
        """The key's certificate."""
        ...

    def sign(self, content: bytes, signing_time: datetime, *, detached: bool) -> bytes:
        """DER CMS SignedData over `content`."""
        ...


@dataclass(frozen=True)
class StandardSigner:
    """RSA, ECDSA and Ed25519 keys, signed with kepil.signing's CMS signer."""

    credential: SignerCredential

    @property
    def certificate(self) -> x509.Certificate:
        """The key's certificate."""
        return self.credential.certificate

    def sign(self, content: bytes, signing_time: datetime, *, detached: bool) -> bytes:
        """DER CMS SignedData over `content`."""
        return sign_cms(content, [self.credential], signing_time=signing_time, detached=detached)


@dataclass(frozen=True)
class OfferedKey:
    """One key of one file, with the facts NCALayer's filters and replies look at."""

    path: Path
    alias: str
    signer: CmsSigner
    iin: str | None
    bin: str | None
    common_name: str
    subject_dn: str
    issuer_dn: str
    issuer_cn: str
    issuer_der: bytes

    @classmethod
    def of(cls, path: Path, alias: str, signer: CmsSigner) -> OfferedKey:
        """Describe a signer's key (the NCA's test IINs fail their check digit: none is judged)."""
        certificate = signer.certificate
        with warnings.catch_warnings():
            # NCA subject names run past X.520's 64 characters; cryptography warns, NCALayer not.
            warnings.filterwarnings("ignore", "Attribute's length", UserWarning)
            facts = parse_certificate(certificate, check_number=lambda _number: True)
            subject_dn = certificate.subject.rfc4514_string(_DN_NAMES)
            issuer_dn = certificate.issuer.rfc4514_string(_DN_NAMES)
            issuer_names = certificate.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
        issuer_cn = str(issuer_names[0].value) if issuer_names else ""
        return cls(
            path,
            alias,
            signer,
            facts.iin,
            facts.bin,
            facts.common_name or subject_dn,
            subject_dn,
            issuer_dn,
            issuer_cn,
            name_der(certificate.public_bytes(Encoding.DER), "issuer"),
        )

    @property
    def certificate(self) -> x509.Certificate:
        """The key's certificate."""
        return self.signer.certificate

    @property
    def algorithm(self) -> str:
        """The key algorithm as kepil names it: rsa-2048, ecdsa-secp256r1, gost2015-512, ..."""
        return public_key_algorithm(self.certificate)

    @property
    def serial_hex(self) -> str:
        """The certificate's serial number in lower-case hex, as NCALayer writes it."""
        return format(self.certificate.serial_number, "x")

    @property
    def extended_key_usages(self) -> frozenset[str]:
        """The dotted OIDs of the certificate's extended key usage."""
        return frozenset(extended_key_usages(self.certificate))

    @property
    def is_signing_key(self) -> bool:
        """keyType SIGNATURE: the key usage allows non-repudiation (NCA signing keys)."""
        usage = _key_usage(self.certificate)
        return usage is not None and usage.digital_signature and usage.content_commitment

    @property
    def is_authentication_key(self) -> bool:
        """keyType AUTHENTICATION: key encipherment or agreement, or the clientAuth EKU."""
        usage = _key_usage(self.certificate)
        by_usage = usage is not None and (usage.key_encipherment or usage.key_agreement)
        return by_usage or EKU_CLIENT_AUTH in self.extended_key_usages

    def usage_words(self) -> str:
        """What the key is for, in the words the start-up listing uses."""
        words = []
        if self.is_signing_key:
            words.append("signing")
        if self.is_authentication_key:
            words.append("authentication")
        return "+".join(words) or "none"


def load_key_file(path: Path, password: str) -> list[OfferedKey]:
    """The key of a PKCS#12 file with its certificate; KeyFileError says why it cannot be."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: cannot read it ({error.strerror or error})") from None
    try:
        loaded = pkcs12.load_pkcs12(data, password.encode())
    except ValueError:
        # cryptography says this for a wrong password, a damaged file and a GOST key alike.
        return [_gost_key(path, data, password)]
    if loaded.key is None or loaded.cert is None:
        raise KeyFileError(f"{path}: holds no private key with its certificate")
    try:
        key = as_signing_key(loaded.key)
    except SigningError:
        raise KeyFileError(
            f"{path}: a {type(loaded.key).__name__} key, which the stand-in cannot sign with"
        ) from None
    certificate = loaded.cert.certificate
    chain = tuple(
        extra.certificate
        for extra in loaded.additional_certs
        if extra.certificate.subject != certificate.subject
    )
    name = loaded.cert.friendly_name
    alias = name.decode(errors="replace") if name else format(certificate.serial_number, "x")
    signer = StandardSigner(SignerCredential(key, certificate, chain))
    return [OfferedKey.of(path, alias, signer)]


def _gost_key(path: Path, data: bytes, password: str) -> OfferedKey:
    try:
        opened = open_pkcs12(data, password)
    except Pkcs12Error as error:
        if "wrong password" in str(error):
            raise KeyFileError(f"{path}: wrong password") from None
        raise KeyFileError(
            f"{path}: wrong password, or not a PKCS#12 the stand-in reads ({SUPPORTED_KINDS})"
        ) from None
    if len(opened.keys) != 1:
        raise KeyFileError(f"{path}: holds {len(opened.keys)} private keys, not one")
    local_id, private_key_info = opened.keys[0]
    try:
        certificates = [x509.load_der_x509_certificate(der) for _id, der in opened.certificates]
        signer = gost_signer(private_key_info, certificates)
    except (GostKitError, ValueError) as error:
        raise KeyFileError(f"{path}: {error}") from None
    alias = opened.friendly_names.get(local_id) or format(signer.certificate.serial_number, "x")
    return OfferedKey.of(path, alias, signer)


def name_der(certificate_der: bytes, which: str) -> bytes:
    """The DER of a certificate's subject or issuer, read without building a Name object."""
    parsed = asn1_x509.Certificate.load(certificate_der)
    return bytes(parsed["tbs_certificate"][which].dump())


# Names Java gives the NCA profile's subject attributes (RFC 4514 knows only CN, O, OU, C, ...).
_DN_NAMES = {
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
    NameOID.SURNAME: "SURNAME",
    NameOID.GIVEN_NAME: "GIVENNAME",
}


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
