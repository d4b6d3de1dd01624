"""Read an RFC 3161 time-stamp token (a SignedData around a TSTInfo) and a TimeStampResp."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509

from kepil.signing.cms_load import LoadedCms, load_cms
from kepil.signing.errors import ErrorCode, SigningError

ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4"
_SHA1 = "1.3.14.3.2.26"
# RFC 3161 2.4.2: granted and grantedWithMods are the statuses that carry a token.
_GRANTED = {"granted", "granted_with_mods"}


class _TimeStampResp(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # RFC 3161 2.4.2: the token is absent unless granted; asn1crypto's own spec requires it.
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", core.Any, {"optional": True}),
    ]


@dataclass(frozen=True)
class TstInfo:
    """What the TSA asserts: this imprint existed at gen_time."""

    gen_time: datetime
    serial_number: int
    policy: str
    imprint_algorithm: str  # dotted OID of the hash the imprint was made with
    imprint: bytes
    nonce: int | None
    tsa_name: str | None  # the optional `tsa` GeneralName, for people


@dataclass(frozen=True)
class TimestampToken:
    """A token's SignedData (its signer and certificates) and the TSTInfo it signs."""

    signed: LoadedCms
    tst_info: TstInfo
    tst_info_der: bytes


def read_token(token: bytes) -> TimestampToken:
    """Parse a token (ContentInfo DER); malformed_timestamp when it is not an RFC 3161 one."""
    try:
        signed = load_cms(token)
    except SigningError as error:
        raise SigningError(ErrorCode.MALFORMED_TIMESTAMP, error.detail) from error
    if signed.content_type != ID_CT_TST_INFO:
        raise SigningError(
            ErrorCode.MALFORMED_TIMESTAMP, f"eContentType {signed.content_type}, not id-ct-TSTInfo"
        )
    if len(signed.signers) != 1:  # RFC 3161 2.4.2: exactly one SignerInfo
        raise SigningError(
            ErrorCode.MALFORMED_TIMESTAMP, f"{len(signed.signers)} signers, expected 1"
        )
    if signed.content is None:
        raise SigningError(ErrorCode.MALFORMED_TIMESTAMP, "the token carries no TSTInfo")
    return TimestampToken(signed, parse_tst_info(signed.content), signed.content)


def parse_tst_info(der: bytes) -> TstInfo:
    """Decode a DER TSTInfo; malformed_timestamp on any damage."""
    try:
        info = tsp.TSTInfo.load(der, strict=True)
        version = info["version"].native
        gen_time = info["gen_time"].native
        imprint = info["message_imprint"]
        tsa = info["tsa"]
        parsed = TstInfo(
            gen_time=gen_time,
            serial_number=int(info["serial_number"].native),
            policy=str(info["policy"].dotted),
            imprint_algorithm=str(imprint["hash_algorithm"]["algorithm"].dotted),
            imprint=bytes(imprint["hashed_message"].native),
            nonce=info["nonce"].native,
            tsa_name=None if isinstance(tsa, core.Void) else _general_name(tsa),
        )
    except Exception as error:  # asn1crypto reports damage with many exception types
        raise SigningError(
            ErrorCode.MALFORMED_TIMESTAMP, f"cannot parse TSTInfo: {error}"
        ) from error
    if version != "v1":
        raise SigningError(ErrorCode.MALFORMED_TIMESTAMP, f"TSTInfo version {version}")
    if not isinstance(gen_time, datetime) or gen_time.tzinfo is None:
        # DER GeneralizedTime ends in Z; a local time cannot be placed on the time line.
        raise SigningError(ErrorCode.MALFORMED_TIMESTAMP, f"unusable genTime {gen_time!r}")
    return replace(parsed, gen_time=gen_time.astimezone(UTC))


@dataclass(frozen=True)
class CertificateBinding:
    """The ESS signing-certificate attribute's first entry: which certificate signed."""

    hash_algorithm: str  # dotted OID
    certificate_hash: bytes


def certificate_binding(signed_attrs: bytes | None) -> CertificateBinding | None:
    """The ESS signingCertificate (SHA-1) or signingCertificateV2 of a token's signer, or None.

    RFC 3161 2.4.1 and RFC 5035: the first ESSCertID names the signer's own certificate.
    """
    if signed_attrs is None:
        return None
    try:
        for attribute in cms.CMSAttributes.load(signed_attrs):
            kind = attribute["type"].native
            if kind not in ("signing_certificate", "signing_certificate_v2"):
                continue
            first = attribute["values"][0]["certs"][0]
            if kind == "signing_certificate":
                return CertificateBinding(_SHA1, bytes(first["cert_hash"].native))
            algorithm = str(first["hash_algorithm"]["algorithm"].dotted)
            return CertificateBinding(algorithm, bytes(first["cert_hash"].native))
    except Exception as error:  # asn1crypto reports damage with many exception types
        raise SigningError(
            ErrorCode.MALFORMED_TIMESTAMP, f"unreadable signing-certificate attribute: {error}"
        ) from error
    return None


def token_from_response(response: bytes) -> bytes:
    """The token of a TimeStampResp (what a TSA answers over HTTP) whose status grants one."""
    try:
        answer = _TimeStampResp.load(response, strict=True)
        status = answer["status"]["status"].native
        token = answer["time_stamp_token"]
        der = None if isinstance(token, core.Void) else bytes(token.dump())
    except Exception as error:  # asn1crypto reports damage with many exception types
        raise SigningError(
            ErrorCode.MALFORMED_TIMESTAMP, f"cannot parse TimeStampResp: {error}"
        ) from error
    if status not in _GRANTED or der is None:
        raise SigningError(
            ErrorCode.MALFORMED_TIMESTAMP, f"the TSA did not grant a token: {status}"
        )
    return der


def _general_name(name: asn1_x509.GeneralName) -> str:
    if name.name == "directory_name":
        return str(name.chosen.human_friendly)
    return f"{name.name}:{name.native}"
