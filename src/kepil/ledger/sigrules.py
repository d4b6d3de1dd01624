"""Signature rules versions: which Ed25519 verifier a block's transactions are checked with.

- Version 1: libsodium (PyNaCl), the rules of a genesis that names none. It refuses small-order
  keys and R points and non-canonical encodings, and checks the cofactorless equation
  [S]B = R + [k]A.
- Version 2: ZIP 215 through ed25519-zebra, faster per signature (issue 22). It checks the
  cofactored equation [8][S]B = [8]R + [8][k]A and accepts non-canonical encodings and a
  small-order R; it refuses a small-order key A, which ZIP 215 alone accepts: with A of small
  order, [8][k]A = 0 and anyone can write R = [S]B for any message, so a participant holding
  such a key could disown every transaction "signed" with it (non-repudiation is the point of
  a signature here). libsodium refuses those keys too, so version 1 still implies version 2.

Every signature version 1 accepts, version 2 accepts too (a cofactorless solution is a
cofactored one; libsodium's canonical encodings decode the same way under ZIP 215), never the
reverse: so a switch changes the consensus rules, and every node must make it at one height.
The operator schedules it with a signature_rules transaction (handlers/signature_rules.py); the
block at height h is verified under rules_at(switch, h). A check done under a version no newer
than the block's covers that block (`covers`): a later version only ever accepts more.
Checkpoint signatures (node keys, checkpoint.py) are not transactions and stay on libsodium.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import ed25519_zebra

from kepil.ledger.crypto import verify_hex
from kepil.ledger.records import SignatureRules

LIBSODIUM: Final = 1
ZIP215: Final = 2
GENESIS_RULES: Final = LIBSODIUM
LATEST_RULES: Final = ZIP215
NOT_CHECKED: Final = 0  # a pre-verification flag: the signatures were not verified yet

Verifier = Callable[[str, bytes, str], bool]  # (public key hex, message, signature hex)

_P: Final = 2**255 - 19
_Y_MASK: Final = (1 << 255) - 1
# The y-coordinates of the eight points of small order (a public fact of the curve): the
# identity (1), the point of order 2 (p - 1), the two of order 4 (0) and the four of order 8
# (y8 and p - y8, the roots of d y^4 + 2 y^2 - 1 = 0; tests check them). An encoding's x sign
# does not matter: either sign is a small-order point or no point at all.
_Y8: Final = 0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826
SMALL_ORDER_YS: Final = frozenset({0, 1, _P - 1, _Y8, _P - _Y8})


def small_order_key(public: bytes) -> bool:
    """Whether a 32-byte key encodes a small-order point (y read modulo p, as ZIP 215 reads it)."""
    y = int.from_bytes(public, "little") & _Y_MASK
    return (y - _P if y >= _P else y) in SMALL_ORDER_YS


def zip215_verify_hex(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (hex) verifies under ZIP 215 (ed25519-zebra)."""
    try:
        key = bytes.fromhex(public_key)
        # ed25519-zebra answers False for a key or signature of the wrong length.
        return not small_order_key(key) and bool(
            ed25519_zebra.ed_verify(bytes.fromhex(signature), message, key)
        )
    except ValueError:  # bytes.fromhex on non-hex text
        return False


VERIFIERS: Final[dict[int, Verifier]] = {LIBSODIUM: verify_hex, ZIP215: zip215_verify_hex}


def verifier(version: int) -> Verifier:
    """The verifier of signature rules `version`; KeyError for one this node does not know."""
    return VERIFIERS[version]


def rules_at(switch: SignatureRules | None, height: int) -> int:
    """The version in force at `height`, given the last switch the state records (or None)."""
    if switch is None:
        return GENESIS_RULES
    return switch.version if height >= switch.height else switch.version - 1


def covers(checked: int, required: int) -> bool:
    """Whether signatures verified under version `checked` need no check under `required`."""
    return checked != NOT_CHECKED and checked <= required
