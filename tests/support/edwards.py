"""Affine arithmetic on edwards25519 in plain integers, for building test signatures only.

Slow and variable-time on purpose of nothing but clarity: tests use it to make points the
signing libraries will not (keys with a small-order part), never to sign anything real.
"""

from __future__ import annotations

import hashlib
from typing import Final

P: Final = 2**255 - 19
L: Final = 2**252 + 27742317777372353535851937790883648493
D: Final = -121665 * pow(121666, -1, P) % P
IDENTITY: Final = (0, 1)
Point = tuple[int, int]


def add(a: Point, b: Point) -> Point:
    """a + b on -x^2 + y^2 = 1 + d x^2 y^2."""
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return (
        (x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P,
        (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P,
    )


def mul(k: int, point: Point) -> Point:
    """[k]point by double and add."""
    result = IDENTITY
    while k:
        if k & 1:
            result = add(result, point)
        point = add(point, point)
        k >>= 1
    return result


def _sqrt(a: int) -> int | None:
    x = pow(a, (P + 3) // 8, P)
    if x * x % P != a % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    return x if x * x % P == a % P else None


def decode(encoded: bytes) -> Point | None:
    """The point a canonical 32-byte encoding names, or None."""
    value = int.from_bytes(encoded, "little")
    y, sign = value & ((1 << 255) - 1), value >> 255
    if y >= P:
        return None
    x = _sqrt((y * y - 1) * pow(D * y * y + 1, -1, P) % P)
    if x is None or (x == 0 and sign):
        return None
    return (x if x & 1 == sign else P - x, y)


def encode(point: Point) -> bytes:
    """The canonical 32-byte encoding of `point`."""
    x, y = point
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


BASE: Final = decode((4 * pow(5, -1, P) % P).to_bytes(32, "little"))
# The point of order 8 with the even x whose y is the smaller of the two order-8 ys.
ORDER_8: Final = decode(
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
)


def signature(secret: int, public: bytes, message: bytes, nonce: int, r_extra: Point) -> bytes:
    """R || S for key [secret]B (+ whatever torsion `public` carries), with R = [nonce]B +
    r_extra: S = nonce + k secret, k = SHA-512(R || public || message)."""
    assert BASE is not None
    big_r = encode(add(mul(nonce, BASE), r_extra))
    k = int.from_bytes(hashlib.sha512(big_r + public + message).digest(), "little") % L
    return big_r + ((nonce + k * secret) % L).to_bytes(32, "little")
