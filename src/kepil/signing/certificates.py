"""Parse an NCA-profile X.509 certificate into a typed `Signer`."""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from kepil.domain.identity import InvalidIdentifierError, parse_identifier
from kepil.signing import gost
from kepil.signing import nca_profile as nca
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind, Role

_TWELVE_DIGITS = re.compile(r"\d{12}")

IdentityNumberCheck = Callable[[str], bool]


def has_twelve_digits(number: str) -> bool:
    """Only the shape: 12 digits (for foreign test data that carries no valid check digit)."""
    return _TWELVE_DIGITS.fullmatch(number) is not None


def accept_any_number(number: str) -> bool:
    """Refuse no number: decode whatever the certificate says (warnings still name bad ones)."""
    return True


def is_valid_identity_number(number: str) -> bool:
    """A real IIN or BIN: structure, dates and check digit (an IP's BIN is its IIN)."""
    try:
        parse_identifier(number)
    except InvalidIdentifierError:
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """The identity, role and key facts a certificate states about its holder."""

    iin: str | None
    bin: str | None
    common_name: str | None
    surname: str | None
    given_name: str | None  # the NCA puts the patronymic here
    organization: str | None
    country: str | None
    role: Role | None
    roles: tuple[Role, ...]
    # What the key may do, by the first of nca_profile.KEY_PROFILES its certificate matches.
    purposes: frozenset[KeyKind]
    not_before: datetime
    not_after: datetime
    issuer: str
    serial_number: int
    algorithm: str
    certificate: x509.Certificate
    # How the issuer signed the certificate, by name ("GOST 34.310-2004 with GOST 34.311-95").
    signature_algorithm: str = ""
    # What is read but doubtful, e.g. an IIN failing its check digit (the NCA test kits' do).
    warnings: tuple[str, ...] = ()
    key_profile: str | None = None  # the matched profile's name; None: no purpose at all

    @property
    def key_kind(self) -> KeyKind | None:
        """The key's chief purpose: signing whenever it may sign, else sign-in, else None.

        `purposes` is the whole answer (an NCA GOST 2015 key does both)."""
        if KeyKind.SIGN in self.purposes:
            return KeyKind.SIGN
        return KeyKind.AUTH if KeyKind.AUTH in self.purposes else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view, without the certificate itself."""
        return {
            "iin": self.iin,
            "bin": self.bin,
            "name": self.common_name,
            "surname": self.surname,
            "given_name": self.given_name,
            "organization": self.organization,
            "country": self.country,
            "role": self.role.value if self.role else None,
            "roles": [role.value for role in self.roles],
            "key_kind": self.key_kind.value if self.key_kind else None,
            "purposes": sorted(purpose.value for purpose in self.purposes),
            "key_profile": self.key_profile,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "issuer": self.issuer,
            "serial_number": format(self.serial_number, "x"),
            "algorithm": self.algorithm,
            "signature_algorithm": self.signature_algorithm,
            "warnings": list(self.warnings),
        }


def load_certificate(data: bytes) -> x509.Certificate:
    """Read one certificate from PEM, DER, or base64 DER without PEM armour (as NCALayer gives)."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(_unarmoured(data))
    except ValueError as error:
        raise SigningError(ErrorCode.MALFORMED_CERTIFICATE, str(error)) from error


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Read every certificate in PEM bytes, or the one certificate in (base64) DER bytes."""
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            return x509.load_pem_x509_certificates(data)
        except ValueError as error:
            raise SigningError(ErrorCode.MALFORMED_CERTIFICATE, str(error)) from error
    return [load_certificate(data)]


_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")


def _unarmoured(data: bytes) -> bytes:
    """DER as is; base64 text (a DER SEQUENCE starts 'MI') decoded, line breaks allowed."""
    text = data.strip()
    if text.startswith(b"MI") and _BASE64_TEXT.fullmatch(text):
        try:
            return base64.b64decode(b"".join(text.split()), validate=True)
        except binascii.Error as error:
            raise ValueError(f"not base64 DER: {error}") from None
    return data


def parse_certificate(
    certificate: x509.Certificate, check_number: IdentityNumberCheck = is_valid_identity_number
) -> Signer:
    """Read the NCA-profile facts of a certificate.

    `check_number` decides which IIN and BIN are refused (INVALID_IDENTITY_NUMBER); a number it
    lets through that still fails the real check (structure, date, check digit) is kept and
    named in `warnings`, as the NCA test kits' 123456789011 is."""
    subject, issuer = names_of(certificate)
    iin = _prefixed(subject, NameOID.SERIAL_NUMBER, nca.IIN_PREFIX)
    bin_ = _prefixed(subject, NameOID.ORGANIZATIONAL_UNIT_NAME, nca.BIN_PREFIX)
    warnings: list[str] = []
    for label, number in (("IIN", iin), ("BIN", bin_)):
        if number is None:
            continue
        if not check_number(number):
            raise SigningError(
                ErrorCode.INVALID_IDENTITY_NUMBER, f"{label} {number!r} fails its check"
            )
        if not is_valid_identity_number(number):
            warnings.append(
                f"{label} {number} fails its check digit or structure "
                "(as the NCA test identities do); not a real person's or organisation's number"
            )
    ekus = extended_key_usages(certificate)
    roles = nca.roles_from_ekus(ekus, has_bin=bin_ is not None)
    profile = key_profile(certificate)
    return Signer(
        iin=iin,
        bin=bin_,
        common_name=_first(subject, NameOID.COMMON_NAME),
        surname=_first(subject, NameOID.SURNAME),
        given_name=_first(subject, NameOID.GIVEN_NAME),
        organization=_first(subject, NameOID.ORGANIZATION_NAME),
        country=_first(subject, NameOID.COUNTRY_NAME),
        role=roles[0] if roles else None,
        roles=roles,
        purposes=profile.purposes if profile else frozenset(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        issuer=issuer.rfc4514_string(),
        serial_number=certificate.serial_number,
        algorithm=public_key_algorithm(certificate),
        certificate=certificate,
        signature_algorithm=nca.algorithm_name(certificate.signature_algorithm_oid.dotted_string),
        warnings=tuple(warnings),
        key_profile=profile.name if profile else None,
    )


_LONG_NAME_WARNING = "Attribute's length must be"


def ignore_long_name_warnings() -> None:
    """For the whole process (entry points call it): NCA names over 64 bytes are no news.

    The names are read in many places (trust paths, CMS signer lookup, revocation); the CLI's
    output and the server's log must not repeat the warning for every NCA certificate."""
    warnings.filterwarnings("ignore", _LONG_NAME_WARNING, UserWarning)


@contextmanager
def long_names_allowed() -> Iterator[None]:
    """Silence `cryptography`'s warning on name attributes over 64 characters.

    NCA subject and issuer names are longer (e.g. «ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022»
    is 69 bytes in UTF-8); they are valid NCA certificates, not something to warn about."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _LONG_NAME_WARNING, UserWarning)
        yield


def names_of(certificate: x509.Certificate) -> tuple[x509.Name, x509.Name]:
    """The subject and issuer names, read without the long-name warning."""
    with long_names_allowed():
        return certificate.subject, certificate.issuer


def extended_key_usages(certificate: x509.Certificate) -> set[str]:
    """The dotted OIDs of the certificate's extended key usage, empty when it has none."""
    usage = _extension(certificate, x509.ExtendedKeyUsage)
    return set() if usage is None else {oid.dotted_string for oid in usage}


def key_profile(certificate: x509.Certificate) -> nca.KeyProfile | None:
    """The kind of key the certificate states (nca_profile.KEY_PROFILES), or None."""
    algorithm = gost.public_key_algorithm_oid(subject_public_key_info(certificate))
    return nca.key_profile(
        algorithm,
        key_usage_bits(certificate),
        extended_key_usages(certificate),
        is_ca=_is_ca(certificate),
    )


def _is_ca(certificate: x509.Certificate) -> bool:
    """basicConstraints CA=true, read alone when another extension cannot be decoded."""
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False
    except ValueError:
        parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
        for extension in parsed["tbs_certificate"]["extensions"]:
            if extension["extn_id"].dotted == x509.BasicConstraints.oid.dotted_string:
                return bool(extension["extn_value"].parsed["ca"].native)
        return False


_BIT_NAMES = {
    "digital_signature": nca.DIGITAL_SIGNATURE,
    "content_commitment": nca.NON_REPUDIATION,
    "key_encipherment": nca.KEY_ENCIPHERMENT,
    "data_encipherment": nca.DATA_ENCIPHERMENT,
    "key_agreement": nca.KEY_AGREEMENT,
    "key_cert_sign": nca.KEY_CERT_SIGN,
    "crl_sign": nca.CRL_SIGN,
}


def key_usage_bits(certificate: x509.Certificate) -> set[str]:
    """The keyUsage bits set, by their RFC 5280 names; empty when there is no keyUsage."""
    usage = _extension(certificate, x509.KeyUsage)
    if usage is None:
        return set()
    bits = {name for attribute, name in _BIT_NAMES.items() if getattr(usage, attribute)}
    if usage.key_agreement:  # cryptography refuses to read these two without keyAgreement
        bits |= {
            name
            for name, on in (
                (nca.ENCIPHER_ONLY, usage.encipher_only),
                (nca.DECIPHER_ONLY, usage.decipher_only),
            )
            if on
        }
    return bits


def describe_key_usage(certificate: x509.Certificate) -> str:
    """What the certificate states about its key, for an error message."""
    bits = ", ".join(sorted(key_usage_bits(certificate))) or "none"
    ekus = ", ".join(sorted(extended_key_usages(certificate))) or "none"
    return f"{public_key_algorithm(certificate)} key, keyUsage {bits}, extended key usage {ekus}"


_Extension = TypeVar("_Extension", x509.KeyUsage, x509.ExtendedKeyUsage)


def _extension(certificate: x509.Certificate, kind: type[_Extension]) -> _Extension | None:
    """One extension's value, None when absent, even if another extension cannot be decoded.

    `cryptography` refuses every extension when one is malformed: the NCA's older OCSP
    responders encode ocsp-nocheck as an empty OCTET STRING. Then this one is read alone."""
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        value = _extension_alone(certificate, kind.oid)
        return value if isinstance(value, kind) else None


def _extension_alone(
    certificate: x509.Certificate, oid: x509.ObjectIdentifier
) -> x509.KeyUsage | x509.ExtendedKeyUsage | None:
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    for extension in parsed["tbs_certificate"]["extensions"]:
        if extension["extn_id"].dotted != oid.dotted_string:
            continue
        value = extension["extn_value"].parsed
        if oid == x509.ExtendedKeyUsage.oid:
            return x509.ExtendedKeyUsage([x509.ObjectIdentifier(p.dotted) for p in value])
        if oid != x509.KeyUsage.oid:
            return None
        bits = set(value.native)
        return x509.KeyUsage(
            digital_signature="digital_signature" in bits,
            content_commitment="non_repudiation" in bits,
            key_encipherment="key_encipherment" in bits,
            data_encipherment="data_encipherment" in bits,
            key_agreement="key_agreement" in bits,
            key_cert_sign="key_cert_sign" in bits,
            crl_sign="crl_sign" in bits,
            encipher_only="key_agreement" in bits and "encipher_only" in bits,
            decipher_only="key_agreement" in bits and "decipher_only" in bits,
        )
    return None


_ALGORITHM_NAMES = {
    "1.2.840.113549.1.1.1": "rsa",
    "1.2.840.10045.2.1": "ecdsa",
    "1.3.101.112": "ed25519",
    nca.GOST2015_256_PUBLIC_KEY: "gost2015-256",
    nca.GOST2015_512_PUBLIC_KEY: "gost2015-512",
    nca.GOST2004_PUBLIC_KEY: "gost2004",
}


def public_key_algorithm(certificate: x509.Certificate) -> str:
    """A short name of the key algorithm; read with asn1crypto so GOST keys parse too."""
    oid = gost.public_key_algorithm_oid(subject_public_key_info(certificate))
    name = _ALGORITHM_NAMES.get(oid, oid)
    if name == "ecdsa":
        key = certificate.public_key()
        return f"ecdsa-{key.curve.name}" if isinstance(key, ec.EllipticCurvePublicKey) else name
    if name == "rsa":
        key = certificate.public_key()
        return f"rsa-{key.key_size}" if isinstance(key, rsa.RSAPublicKey) else name
    return name


def subject_public_key_info(certificate: x509.Certificate) -> bytes:
    """The DER SubjectPublicKeyInfo, read without needing cryptography to know the algorithm."""
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    # Only dumped, never decoded: asn1crypto refuses to decode keys it does not know (GOST).
    return bytes(parsed["tbs_certificate"]["subject_public_key_info"].dump())


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attributes = name.get_attributes_for_oid(oid)
    if not attributes:
        return None
    value = attributes[0].value
    return value if isinstance(value, str) else value.decode()


def _prefixed(name: x509.Name, oid: x509.ObjectIdentifier, prefix: str) -> str | None:
    for attribute in name.get_attributes_for_oid(oid):
        value = attribute.value if isinstance(attribute.value, str) else attribute.value.decode()
        if value.upper().startswith(prefix):
            return value[len(prefix) :]
    return None
