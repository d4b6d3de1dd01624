"""The keys the stand-in offers: PKCS#12 files read once at start, described as NCALayer does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from kepil.signing.certificates import extended_key_usages, parse_certificate
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.errors import SigningError
from kepil.signing.keys import as_signing_key
from kepil.signing.nca_profile import EKU_CLIENT_AUTH

# What NCALayer calls a key file (as opposed to a token: AKKaztokenStore, AKKZIDCardStore, ...).
FILE_STORAGE = "PKCS12"

SUPPORTED_KINDS = "RSA, ECDSA and Ed25519 keys in PKCS#12 (kepil pki issue --p12, NCA RSA kits)"


class KeyFileError(ValueError):
    """A key file that cannot be offered; the message names the file and the reason."""


@dataclass(frozen=True)
class OfferedKey:
    """One key of one file, with the facts NCALayer's filters and replies look at."""

    path: Path
    alias: str
    credential: SignerCredential
    iin: str | None
    bin: str | None
    common_name: str

    @classmethod
    def of(cls, path: Path, alias: str, credential: SignerCredential) -> OfferedKey:
        """Describe a credential (the NCA's test IINs fail their check digit: none is judged)."""
        signer = parse_certificate(credential.certificate, check_number=lambda _number: True)
        name = signer.common_name or credential.certificate.subject.rfc4514_string()
        return cls(path, alias, credential, signer.iin, signer.bin, name)

    @property
    def certificate(self) -> x509.Certificate:
        """The key's certificate."""
        return self.credential.certificate

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
    """Every key with a certificate in a PKCS#12 file; KeyFileError says why one cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: cannot read it ({error.strerror or error})") from None
    try:
        loaded = pkcs12.load_pkcs12(data, password.encode())
    except ValueError:
        # cryptography says the same for a wrong password, a damaged file and a GOST key.
        raise KeyFileError(
            f"{path}: wrong password, or not a PKCS#12 of a kind the stand-in reads "
            f"({SUPPORTED_KINDS}; GOST kits are not supported yet)"
        ) from None
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
    alias = loaded.cert.friendly_name.decode(errors="replace") if loaded.cert.friendly_name else ""
    credential = SignerCredential(key, certificate, chain)
    return [OfferedKey.of(path, alias or format(certificate.serial_number, "x"), credential)]


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
