"""Load CMS SignedData from DER, BER or PEM bytes, within limits, into checked parts."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from asn1crypto import cms, core
from cryptography import x509

from kepil.signing.cms_signer_info import SIGNED_PARTS, SignerInfoView, read_signer_info
from kepil.signing.errors import ErrorCode, SigningError

# Generous for signed applications with attachments, small enough to refuse a flood.
MAX_CMS_BYTES = 64 * 1024 * 1024
MAX_CERTIFICATES = 32
MAX_SIGNERS = 16
ID_DATA = "1.2.840.113549.1.7.1"


@dataclass(frozen=True)
class LoadedCms:
    """The parts of a SignedData that verification uses."""

    signers: list[SignerInfoView]
    certificates: list[x509.Certificate]
    content: bytes | None
    content_type: str


_SIGNED_DATA_VERSIONS = frozenset({"v1", "v3", "v4", "v5"})


def load_cms(cms_bytes: bytes) -> LoadedCms:
    """Parse everything up front, so that any damage is malformed_cms and nothing later."""
    signed_data = load_signed_data(cms_bytes)
    try:
        infos = list(signed_data["signer_infos"])
        if len(infos) > MAX_SIGNERS:
            raise SigningError(ErrorCode.MALFORMED_CMS, f"more than {MAX_SIGNERS} signers")
        signers = [read_signer_info(info) for info in infos]
        encapsulated = signed_data["encap_content_info"]
        content = _econtent(encapsulated["content"])
        content_type = str(encapsulated["content_type"].dotted)
        certificates = _certificates(signed_data)
    except SigningError:
        raise
    except Exception as error:
        # asn1crypto reports damage with many exception types, RecursionError among them.
        raise SigningError(ErrorCode.MALFORMED_CMS, f"cannot parse CMS: {error}") from error
    if content is not None and not isinstance(content, bytes):
        raise SigningError(ErrorCode.MALFORMED_CMS, "the encapsulated content is not octets")
    return LoadedCms(signers, certificates, content, content_type)


def load_signed_data(cms_bytes: bytes) -> cms.SignedData:
    """The SignedData inside a ContentInfo; malformed_cms when it is not one."""
    if len(cms_bytes) > MAX_CMS_BYTES:
        raise SigningError(ErrorCode.MALFORMED_CMS, f"larger than {MAX_CMS_BYTES} bytes")
    der = _dearmor(cms_bytes)
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise SigningError(ErrorCode.MALFORMED_CMS, "not a CMS SignedData")
        signed_data = info["content"]
        # RFC 5652 5.1: a SignedData is version 1, 3, 4 or 5; any other number is not one.
        if signed_data["version"].native not in _SIGNED_DATA_VERSIONS:
            raise SigningError(
                ErrorCode.MALFORMED_CMS,
                f"SignedData version {signed_data['version'].native} (RFC 5652: 1, 3, 4 or 5)",
            )
        # Parse now so damage surfaces here; certificates are left to `cryptography`, since
        # asn1crypto refuses the GOST keys inside them. Unsigned attributes are kept as raw
        # DER: a time-stamp token there carries a TSA certificate with a GOST key, and
        # nothing outside the signature may make the signature unreadable.
        for part in ("digest_algorithms", "encap_content_info"):
            _ = signed_data[part].native
        for info in signed_data["signer_infos"]:
            for part in SIGNED_PARTS:
                _ = info[part].native
    except SigningError:
        raise
    except Exception as error:
        raise SigningError(ErrorCode.MALFORMED_CMS, f"cannot parse CMS: {error}") from error
    if not isinstance(signed_data, cms.SignedData):
        raise SigningError(ErrorCode.MALFORMED_CMS, "not a CMS SignedData")
    return signed_data


def _econtent(value: core.Asn1Value) -> object:
    """eContent's octets; asn1crypto turns a type it knows (TSTInfo) into a dict in .native."""
    if isinstance(value, core.ParsableOctetString):
        return bytes(value)
    return value.native


def _dearmor(data: bytes) -> bytes:
    if not data.lstrip().startswith(b"-----BEGIN"):
        return data
    body = b"".join(line for line in data.splitlines() if line and not line.startswith(b"-----"))
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as error:
        raise SigningError(ErrorCode.MALFORMED_CMS, f"bad PEM: {error}") from error


def _certificates(signed_data: cms.SignedData) -> list[x509.Certificate]:
    choices = list(signed_data["certificates"] or [])
    if len(choices) > MAX_CERTIFICATES:
        raise SigningError(ErrorCode.MALFORMED_CMS, f"more than {MAX_CERTIFICATES} certificates")
    found = []
    for choice in choices:
        if choice.name != "certificate":
            continue
        try:
            certificate = x509.load_der_x509_certificate(choice.chosen.dump())
            # `cryptography` parses lazily; touch what verification reads so damage shows now.
            _ = (certificate.issuer, certificate.subject, certificate.extensions)
        except Exception as error:
            raise SigningError(ErrorCode.MALFORMED_CMS, f"bad certificate: {error}") from error
        found.append(certificate)
    return found
