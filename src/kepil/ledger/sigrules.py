"""Signature rules versions: which Ed25519 verifier a block's transactions are checked with.

- Version 1: libsodium (PyNaCl), the chain's rules from genesis. It refuses small-order keys and
  R points and non-canonical encodings, and checks the cofactorless equation [S]B = R + [k]A.
- Version 2: ZIP 215 through ed25519-zebra, faster per signature (issue 22). It checks the
  cofactored equation [8][S]B = [8]R + [8][k]A and accepts non-canonical encodings and
  small-order points.

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


def zip215_verify_hex(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (hex) verifies under ZIP 215 (ed25519-zebra)."""
    try:
        # ed25519-zebra answers False for a key or signature of the wrong length.
        return bool(
            ed25519_zebra.ed_verify(bytes.fromhex(signature), message, bytes.fromhex(public_key))
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
