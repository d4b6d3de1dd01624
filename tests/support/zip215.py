"""Ed25519 signatures that ZIP 215 (ed25519-zebra, signature rules 2) accepts and libsodium
(rules 1) refuses, built from the curve's public facts rather than copied from anywhere.

- The identity point encodes as 01 00..00. With it as the key A and as R, and S = 0, both
  equations hold for any message: [S]B = 0 = R + [k]A. libsodium refuses small-order A and R.
- The same identity point, its y written as p + 1 (not reduced): a non-canonical encoding that
  ZIP 215 decodes and libsodium refuses.
- A real key's signature whose R has the order-2 point (0, -1) added: R' = R + T is (-x, -y).
  With k = H(R' || A || M) and S = r + k a, the cofactored equation [8][S]B = [8]R' + [8][k]A
  holds ([8]T = 0) but the cofactorless one [S]B = R' + [k]A does not (it is off by T).
"""

from __future__ import annotations

import hashlib
from typing import Final

from nacl.bindings import crypto_scalarmult_ed25519_base_noclamp

from kepil.ledger.crypto import SigningKey

P: Final = 2**255 - 19
L: Final = 2**252 + 27742317777372353535851937790883648493
IDENTITY: Final = bytes([1]) + bytes(31)
IDENTITY_NON_CANONICAL: Final = (P + 1).to_bytes(32, "little")
SMALL_ORDER_KEY: Final = IDENTITY.hex()


def small_order_signature(message: bytes) -> str:
    """R = identity, S = 0: a signature of any message by the identity key (hex)."""
    del message  # it verifies whatever the message
    return (IDENTITY + bytes(32)).hex()


def non_canonical_signature() -> str:
    """R = the identity with y = p + 1, S = 0 (hex): for the identity key, any message."""
    return (IDENTITY_NON_CANONICAL + bytes(32)).hex()


def _negated(point: bytes) -> bytes:
    """(x, y) -> (-x, -y), which is the point plus (0, -1)."""
    encoded = int.from_bytes(point, "little")
    y, sign = encoded & ((1 << 255) - 1), encoded >> 255
    return ((P - y) | ((1 - sign) << 255)).to_bytes(32, "little")


def torsioned_signature(key: SigningKey, message: bytes) -> str:
    """`key`'s signature of `message` with a small-order component in R (hex)."""
    expanded = hashlib.sha512(bytes(key)).digest()
    scalar = bytearray(expanded[:32])
    scalar[0] &= 248
    scalar[31] &= 127
    scalar[31] |= 64
    a = int.from_bytes(scalar, "little")
    r = int.from_bytes(hashlib.sha512(expanded[32:] + message).digest(), "little") % L
    big_r = crypto_scalarmult_ed25519_base_noclamp(r.to_bytes(32, "little"))
    torsioned = _negated(big_r)
    public = bytes(key.verify_key)
    k = int.from_bytes(hashlib.sha512(torsioned + public + message).digest(), "little") % L
    s = (r + k * a) % L
    return (torsioned + s.to_bytes(32, "little")).hex()
