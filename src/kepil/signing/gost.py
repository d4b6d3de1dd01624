"""GOST R 34.10-2015 (256 and 512 bit) signature verification for NCA certificates and CMS.

Byte order, which is where implementations disagree:

- Digest: Streebog (GOST R 34.11-2015) output bytes are the little-endian form of the hash
  vector; the signature equation uses ``e = int.from_bytes(digest, "little") mod q``
  (RFC 7091 examples, Bouncy Castle). gostcrypto reads the digest big-endian, so it is
  given the reversed digest.
- Public key: SubjectPublicKeyInfo's BIT STRING holds an OCTET STRING of ``x || y``, each
  coordinate little-endian (RFC 4491 and the NCA agree). gostcrypto wants big-endian.
- Signature: Kalkan (the NCA's library) writes ``r || s`` with each half little-endian;
  RFC 4491 writes ``s || r`` big-endian, which is the same bytes fully reversed. Both
  layouts are tried, Kalkan's first; accepting both lets no forgery through because either
  way a valid (r, s) pair for the key is needed.

Still missing: this has been checked only against signatures made here with gostcrypto in
the layouts above, not against a certificate or CMS issued by the real NCA, because no such
fixture is available offline. The curve is the one the key's parameter set OID names: the
NCA's own OIDs for set A (the one it issues) or the TC26 OIDs of every set gostcrypto has;
an unknown parameter set is unsupported rather than assumed to be A.
GOST 34.310-2004 (1.2.398.3.10.1.1.1.x) is recognised and reported as unsupported: its hash
GOST 34.311-95 with the NCA's S-box is not implemented by gostcrypto.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import gostcrypto
from asn1crypto import core

from kepil.signing import nca_profile as nca
from kepil.signing.errors import ErrorCode, SigningError


class _Algorithm(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class _PublicKeyInfo(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # asn1crypto's own PublicKeyInfo refuses algorithms it does not know, GOST among them.
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("algorithm", _Algorithm),
        ("public_key", core.OctetBitString),
    ]


class _KeyParameters(core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    # RFC 4491 / RFC 9215 GostR3410-2012-PublicKeyParameters, as the NCA fills them.
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("param_set", core.ObjectIdentifier),
        ("digest_param_set", core.ObjectIdentifier, {"optional": True}),
        ("encryption_param_set", core.ObjectIdentifier, {"optional": True}),
    ]


@dataclass(frozen=True)
class GostVariant:
    """One GOST R 34.10-2015 size with its curve and Streebog variant."""

    bits: int
    curve_name: str
    hash_name: str
    public_key_oid: str
    param_set_oid: str
    signature_oid: str
    digest_oid: str

    @property
    def size(self) -> int:
        """Bytes per coordinate and per signature half."""
        return self.bits // 8


GOST_256 = GostVariant(
    256,
    "id-tc26-gost-3410-2012-256-paramSetA",
    "streebog256",
    nca.GOST2015_256_PUBLIC_KEY,
    nca.GOST2015_256_PARAM_SET_A,
    nca.GOST2015_256_SIGNATURE,
    nca.STREEBOG256_DIGEST,
)
GOST_512 = GostVariant(
    512,
    "id-tc26-gost-3410-12-512-paramSetA",
    "streebog512",
    nca.GOST2015_512_PUBLIC_KEY,
    nca.GOST2015_512_PARAM_SET_A,
    nca.GOST2015_512_SIGNATURE,
    nca.STREEBOG512_DIGEST,
)
# Parameter set OID -> (key size, gostcrypto curve). An absent parameter set means set A.
_TC26 = "1.2.643.7.1.2.1."
_CURVES: dict[str, tuple[int, str]] = {
    nca.GOST2015_256_PARAM_SET_A: (256, GOST_256.curve_name),
    nca.GOST2015_512_PARAM_SET_A: (512, GOST_512.curve_name),
    _TC26 + "1.1": (256, "id-tc26-gost-3410-2012-256-paramSetA"),
    _TC26 + "1.2": (256, "id-tc26-gost-3410-2012-256-paramSetB"),
    _TC26 + "1.3": (256, "id-tc26-gost-3410-2012-256-paramSetC"),
    _TC26 + "1.4": (256, "id-tc26-gost-3410-2012-256-paramSetD"),
    _TC26 + "2.1": (512, "id-tc26-gost-3410-12-512-paramSetA"),
    _TC26 + "2.2": (512, "id-tc26-gost-3410-12-512-paramSetB"),
    _TC26 + "2.3": (512, "id-tc26-gost-3410-2012-512-paramSetC"),
}
_BY_SIGNATURE = {v.signature_oid: v for v in (GOST_256, GOST_512)}
_BY_PUBLIC_KEY = {v.public_key_oid: v for v in (GOST_256, GOST_512)}
_BY_DIGEST = {v.digest_oid: v for v in (GOST_256, GOST_512)}


def is_gost_oid(oid: str) -> bool:
    """Whether an algorithm OID belongs to the NCA's GOST arc (either generation)."""
    return oid.startswith("1.2.398.3.10.")


def variant_for_signature(oid: str) -> GostVariant:
    """The GOST R 34.10-2015 variant of a signature algorithm OID, or unsupported_algorithm."""
    if oid.startswith(nca.GOST2004_OID_PREFIX):
        raise SigningError(
            ErrorCode.UNSUPPORTED_ALGORITHM,
            f"{nca.algorithm_name(oid)} ({oid}) is recognised but not supported; "
            "re-sign with GOST 2015",
        )
    try:
        return _BY_SIGNATURE[oid]
    except KeyError:
        raise SigningError(ErrorCode.UNSUPPORTED_ALGORITHM, f"unknown GOST OID {oid}") from None


def variant_for_digest(oid: str) -> GostVariant | None:
    """The variant whose Streebog a digest algorithm OID names, or None."""
    return _BY_DIGEST.get(oid)


def public_key_algorithm_oid(public_key_info: bytes) -> str:
    """The algorithm OID of any DER SubjectPublicKeyInfo, GOST or not."""
    return str(_PublicKeyInfo.load(public_key_info)["algorithm"]["algorithm"].dotted)


def streebog(data: bytes, variant: GostVariant) -> bytes:
    """The Streebog digest of `data` in its usual (little-endian) byte form."""
    return bytes(gostcrypto.gosthash.new(variant.hash_name, data=data).digest())


def verify(public_key_info: bytes, signature_oid: str, message: bytes, signature: bytes) -> bool:
    """Whether `signature` over `message` verifies under a GOST SubjectPublicKeyInfo (DER)."""
    variant = variant_for_signature(signature_oid)
    key_variant, point = _read_public_key(public_key_info)
    if key_variant.signature_oid != variant.signature_oid:
        raise SigningError(
            ErrorCode.UNSUPPORTED_ALGORITHM,
            f"signature {signature_oid} does not match the {key_variant.bits}-bit key",
        )
    digest = streebog(message, variant)
    return verify_digest(key_variant, point, digest, signature)


def verify_digest(variant: GostVariant, point: bytes, digest: bytes, signature: bytes) -> bool:
    """Verify against a big-endian x || y point and a digest in Streebog's byte form."""
    size = variant.size
    if len(signature) != 2 * size:
        return False
    engine = gostcrypto.gostsignature.new(
        _mode(variant), gostcrypto.gostsignature.CURVES_R_1323565_1_024_2019[variant.curve_name]
    )
    kalkan = signature[:size][::-1] + signature[size:][::-1]
    rfc4491 = signature[size:] + signature[:size]
    e = bytearray(digest[::-1])
    try:
        return any(engine.verify(bytearray(point), e, bytearray(rs)) for rs in (kalkan, rfc4491))
    except gostcrypto.gostsignature.GOSTSignatureError:
        return False


def encode_signature(variant: GostVariant, r_s_big_endian: bytes) -> bytes:
    """Turn gostcrypto's r || s (big-endian) into the NCA layout (each half little-endian)."""
    size = variant.size
    return r_s_big_endian[:size][::-1] + r_s_big_endian[size:][::-1]


def encode_public_key_info(variant: GostVariant, x_y_big_endian: bytes) -> bytes:
    """A DER SubjectPublicKeyInfo for a big-endian x || y point, in the NCA layout."""
    size = variant.size
    little = x_y_big_endian[:size][::-1] + x_y_big_endian[size:][::-1]
    parameters = core.Sequence.load(
        core.Sequence(
            contents=core.ObjectIdentifier(variant.param_set_oid).dump()
            + core.ObjectIdentifier(variant.digest_oid).dump()
        ).dump()
    )
    info = _PublicKeyInfo(
        {
            "algorithm": {"algorithm": variant.public_key_oid, "parameters": parameters},
            "public_key": core.OctetBitString(core.OctetString(little).dump()),
        }
    )
    return bytes(info.dump())


def _read_public_key(public_key_info: bytes) -> tuple[GostVariant, bytes]:
    info = _PublicKeyInfo.load(public_key_info)
    oid = info["algorithm"]["algorithm"].dotted
    if oid.startswith(nca.GOST2004_OID_PREFIX):
        raise SigningError(
            ErrorCode.UNSUPPORTED_ALGORITHM, f"{nca.algorithm_name(oid)} keys ({oid})"
        )
    variant = _BY_PUBLIC_KEY.get(oid)
    if variant is None:
        raise SigningError(
            ErrorCode.UNSUPPORTED_ALGORITHM,
            f"not a GOST 2015 key: {nca.algorithm_name(oid)}",
        )
    variant = _with_parameter_set(variant, info["algorithm"]["parameters"])
    raw = bytes(info["public_key"].native)
    if len(raw) != 2 * variant.size:
        raw = bytes(core.OctetString.load(raw).native)
    if len(raw) != 2 * variant.size:
        raise SigningError(ErrorCode.MALFORMED_CERTIFICATE, "GOST public key has a wrong size")
    size = variant.size
    return variant, raw[:size][::-1] + raw[size:][::-1]


def parameter_set_oid(parameters: core.Any) -> str | None:
    """The parameter set OID of GOST key parameters: SEQUENCE { paramSet, [digest] } or None."""
    if parameters is None or isinstance(parameters, core.Void) or not parameters.contents:
        return None
    try:
        return str(_KeyParameters.load(parameters.dump())["param_set"].dotted)
    except (ValueError, TypeError):
        raise SigningError(
            ErrorCode.MALFORMED_CERTIFICATE, "GOST key parameters are not a parameter set"
        ) from None


def _with_parameter_set(variant: GostVariant, parameters: core.Any) -> GostVariant:
    oid = parameter_set_oid(parameters)
    if oid is None:
        return variant
    bits, curve = _CURVES.get(oid, (0, ""))
    if bits != variant.bits:
        raise SigningError(
            ErrorCode.UNSUPPORTED_ALGORITHM,
            f"GOST parameter set {oid} is not supported for a {variant.bits}-bit key",
        )
    return replace(variant, curve_name=curve, param_set_oid=oid)


def _mode(variant: GostVariant) -> int:
    gs = gostcrypto.gostsignature
    return int(gs.MODE_256 if variant.bits == 256 else gs.MODE_512)


def public_key_bits(public_key_info: bytes) -> bytes:
    """The subjectPublicKey BIT STRING's bytes of any DER SubjectPublicKeyInfo (OCSP key hash)."""
    return bytes(_PublicKeyInfo.load(public_key_info)["public_key"].native)
