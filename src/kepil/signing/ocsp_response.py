"""Read a DER OCSP response (RFC 6960) with asn1crypto, whatever algorithm signed it.

`cryptography` loads the NCA's answers but cannot say how a GOST one is signed, and the
certificates inside may carry extensions it refuses; asn1crypto reads them all, so every
answer takes this one path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from asn1crypto import core
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing.errors import ErrorCode, SigningError

NONCE_OID = "1.3.6.1.5.5.7.48.1.2"  # RFC 8954
EXTENDED_REVOKE_OID = "1.3.6.1.5.5.7.48.1.9"  # RFC 6960 2.2: "revoked" may mean "not issued"
_UNDERSTOOD_EXTENSIONS = {NONCE_OID, EXTENDED_REVOKE_OID}


class CertStatus(StrEnum):
    """What the responder says about one certificate."""

    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SingleAnswer:
    """One SingleResponse: the CertID it is about and the status it gives."""

    hash_algorithm: str  # asn1crypto's name of the CertID hash: "sha1", "sha256", ...
    issuer_name_hash: bytes
    issuer_key_hash: bytes
    serial_number: int
    status: CertStatus
    revoked_at: datetime | None
    reason: str | None  # asn1crypto's CRLReason name, e.g. "certificate_hold"
    this_update: datetime
    next_update: datetime | None
    unknown_critical: tuple[str, ...]


@dataclass(frozen=True)
class OcspAnswer:
    """The parts of an OCSP response that judging it needs, the signed bytes kept as sent."""

    status: str  # "successful", "malformed_request", ... (asn1crypto's names)
    responder_name: str | None  # asn1crypto's normalised form of the responder's Name
    responder_key_hash: bytes | None
    produced_at: datetime | None
    singles: tuple[SingleAnswer, ...]
    nonce: bytes | None
    signature_algorithm: str  # dotted OID
    signature: bytes
    tbs_response_data: bytes
    certificates: tuple[x509.Certificate, ...]
    unknown_critical: tuple[str, ...]


def parse_answer(der: bytes) -> OcspAnswer:
    """Read a DER OCSPResponse; anything unreadable is revocation_unknown."""
    try:
        return _parse(der)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad OCSP answer: {error}") from error


def name_key(certificate: x509.Certificate) -> str:
    """The certificate's subject in the form `OcspAnswer.responder_name` is compared in."""
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    return str(parsed.subject.hashable)


def _parse(der: bytes) -> OcspAnswer:
    response = asn1_ocsp.OCSPResponse.load(der, strict=True)
    status = str(response["response_status"].native)
    if status != "successful":
        # No responseBytes to read (RFC 6960 4.2.1): only the status is said.
        return OcspAnswer(
            status=status,
            responder_name=None,
            responder_key_hash=None,
            produced_at=None,
            singles=(),
            nonce=None,
            signature_algorithm="",
            signature=b"",
            tbs_response_data=b"",
            certificates=(),
            unknown_critical=(),
        )
    response_bytes = response["response_bytes"]
    if response_bytes["response_type"].dotted != "1.3.6.1.5.5.7.48.1.1":
        raise ValueError(f"response type {response_bytes['response_type'].dotted}")
    basic = _BasicResponse.load(bytes(response_bytes["response"].contents), strict=True)
    data = basic["tbs_response_data"]
    responder = data["responder_id"]
    name = str(responder.chosen.hashable) if responder.name == "by_name" else None
    key_hash = bytes(responder.chosen.native) if responder.name == "by_key" else None
    extensions = _extensions(data["response_extensions"])
    return OcspAnswer(
        status=status,
        responder_name=name,
        responder_key_hash=key_hash,
        produced_at=data["produced_at"].native,
        singles=tuple(_single(single) for single in data["responses"]),
        nonce=_nonce(extensions.get(NONCE_OID)),
        signature_algorithm=str(basic["signature_algorithm"]["algorithm"].dotted),
        signature=bytes(basic["signature"].native),
        tbs_response_data=bytes(data.dump()),
        certificates=_certificates(basic["certs"]),
        unknown_critical=_unknown_critical(data["response_extensions"]),
    )


def _certificates(certificates: _Certificates) -> tuple[x509.Certificate, ...]:
    """The certificates `cryptography` can read; an unreadable one cannot be the responder."""
    found = []
    for certificate in certificates:
        try:
            found.append(x509.load_der_x509_certificate(bytes(certificate.dump())))
        except ValueError:
            continue
    return tuple(found)


def _single(single: asn1_ocsp.SingleResponse) -> SingleAnswer:
    cert_id = single["cert_id"]
    status = single["cert_status"]
    revoked_at = reason = None
    if status.name == "revoked":
        revoked_at = status.chosen["revocation_time"].native
        reason = status.chosen["revocation_reason"].native
    return SingleAnswer(
        hash_algorithm=str(cert_id["hash_algorithm"]["algorithm"].native),
        issuer_name_hash=bytes(cert_id["issuer_name_hash"].native),
        issuer_key_hash=bytes(cert_id["issuer_key_hash"].native),
        serial_number=int(cert_id["serial_number"].native),
        status=CertStatus(status.name),
        revoked_at=revoked_at,
        reason=None if reason is None else str(reason),
        this_update=single["this_update"].native,
        next_update=single["next_update"].native,
        unknown_critical=_unknown_critical(single["single_extensions"]),
    )


class _Algorithm(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # Any algorithm, GOST among them; only the OID is needed.
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class _Certificates(core.SequenceOf):  # type: ignore[misc]  # asn1crypto is untyped
    # Kept undecoded: asn1crypto refuses GOST 2004 keys even when only re-encoding them.
    _child_spec = core.Any


class _BasicResponse(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("tbs_response_data", asn1_ocsp.ResponseData),
        ("signature_algorithm", _Algorithm),
        ("signature", core.OctetBitString),
        ("certs", _Certificates, {"explicit": 0, "optional": True}),
    ]


class _RawExtension(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # asn1crypto's own Extension decodes the value by its OID, and refuses an empty one.
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("extn_id", core.ObjectIdentifier),
        ("critical", core.Boolean, {"default": False}),
        ("extn_value", core.OctetString),
    ]


class _RawExtensions(core.SequenceOf):  # type: ignore[misc]  # asn1crypto is untyped
    _child_spec = _RawExtension


def raw_extensions(extensions: core.Asn1Value) -> list[tuple[str, bool, bytes]]:
    """(OID, critical, value bytes) of a tagged Extensions field, none of the values decoded."""
    if extensions is None or isinstance(extensions, core.Void):
        return []
    parsed = _RawExtensions.load(extensions.dump(), explicit=extensions.explicit)
    return [
        (
            str(item["extn_id"].dotted),
            bool(item["critical"].native),
            bytes(item["extn_value"].native),
        )
        for item in parsed
    ]


def _extensions(extensions: core.Asn1Value) -> dict[str, bytes]:
    return {oid: value for oid, _, value in raw_extensions(extensions)}


def _unknown_critical(extensions: core.Asn1Value) -> tuple[str, ...]:
    return tuple(
        oid
        for oid, critical, _ in raw_extensions(extensions)
        if critical and oid not in _UNDERSTOOD_EXTENSIONS
    )


def _nonce(value: bytes | None) -> bytes | None:
    """RFC 8954: the extension's value is an OCTET STRING of the nonce."""
    if value is None:
        return None
    return bytes(core.OctetString.load(value, strict=True).native)


def issuer_name_der(certificate: x509.Certificate) -> bytes:
    """The issuer Name exactly as the certificate encodes it (what a CertID hashes)."""
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    return bytes(parsed["tbs_certificate"]["issuer"].dump())
