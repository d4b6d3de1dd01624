"""Load a CRL whose inner and outer signature algorithms are one algorithm encoded two ways.

RFC 5280 5.1.1.2 wants `tbsCertList.signature` and the outer `signatureAlgorithm` to be the
same. Newer NCA CRLs write the inner GOST algorithm without parameters and the outer one with
NULL, and `cryptography` refuses that. Absent and NULL parameters mean the same algorithm, so
the outer identifier, which no signature covers, is replaced by the inner one's bytes; the
signed bytes stay as they came, so the CRL's signature is checked exactly as before.
"""

from __future__ import annotations

import base64
import binascii

from asn1crypto import parser
from cryptography import x509

from kepil.signing.errors import ErrorCode, SigningError

_NULL = b"\x05\x00"
_SEQUENCE = 0x30
_INTEGER = 0x02


def load_crl(blob: bytes) -> x509.CertificateRevocationList:
    """A CRL in PEM or DER form; revocation_unknown when it cannot be used."""
    der = _dearmor(blob)
    try:
        return x509.load_der_x509_crl(der)
    except ValueError as error:
        first = error
    try:
        normalised = _outer_algorithm_as_inner(der)
    except SigningError:
        raise
    except Exception as error:  # asn1crypto's parser reports damage with many exception types
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad CRL: {first}") from error
    if normalised is None:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad CRL: {first}") from first
    try:
        return x509.load_der_x509_crl(normalised)
    except ValueError as error:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad CRL: {error}") from error


def _outer_algorithm_as_inner(der: bytes) -> bytes | None:
    """The CRL with its outer algorithm written as the inner one; None if already identical."""
    tbs, outer, signature = _children(der, _SEQUENCE)
    fields = _children(tbs, _SEQUENCE)
    inner = fields[1] if fields[0][:1] == bytes([_INTEGER]) else fields[0]
    if inner == outer:
        return None
    if not same_algorithm(inner, outer):
        raise SigningError(
            ErrorCode.REVOCATION_UNKNOWN,
            "bad CRL: the inner and outer signature algorithms differ",
        )
    return bytes(parser.emit(0, 1, 16, tbs + inner + signature))


def same_algorithm(first: bytes, second: bytes) -> bool:
    """Whether two AlgorithmIdentifier DER values name one algorithm: the same OID, and the
    same parameters, NULL and absent counting as equal."""
    first_oid, *first_params = _children(first, _SEQUENCE)
    second_oid, *second_params = _children(second, _SEQUENCE)
    if first_oid != second_oid or len(first_params) > 1 or len(second_params) > 1:
        return False
    return _parameters(first_params) == _parameters(second_params)


def _parameters(params: list[bytes]) -> bytes:
    return b"" if not params or params[0] == _NULL else params[0]


def _children(der: bytes, tag: int) -> list[bytes]:
    """The encoded elements inside one DER value with this tag, the whole input used."""
    class_, method, number, _header, contents, trailer = parser.parse(der, strict=True)
    if (class_ << 6 | method << 5 | number) != tag or trailer:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "bad CRL: unexpected structure")
    found = []
    offset = 0
    while offset < len(contents):
        length = parser.peek(contents[offset:])
        found.append(bytes(contents[offset : offset + length]))
        offset += length
    return found


def _dearmor(blob: bytes) -> bytes:
    if not blob.lstrip().startswith(b"-----BEGIN"):
        return blob
    lines = blob.strip().splitlines()
    body = b"".join(line.strip() for line in lines if line and not line.startswith(b"-----"))
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as error:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad CRL: {error}") from error
