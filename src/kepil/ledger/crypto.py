"""Ed25519 keys and signatures for transactions and checkpoints (libsodium through PyNaCl)."""

from __future__ import annotations

import hashlib
from typing import Final

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

__all__ = [
    "SigningKey",
    "VerifyKey",
    "key_from_seed",
    "public_key_hex",
    "sign_hex",
    "verify_hex",
]

KEY_HEX_LENGTH: Final = 64
SIGNATURE_HEX_LENGTH: Final = 128


def key_from_seed(seed: bytes) -> SigningKey:
    """A signing key derived from any seed bytes (SHA-256 of them is the Ed25519 seed)."""
    return SigningKey(hashlib.sha256(seed).digest())


def public_key_hex(key: SigningKey) -> str:
    """The public half of `key` as 64 lowercase hex digits."""
    return bytes(key.verify_key).hex()


def sign_hex(key: SigningKey, message: bytes) -> str:
    """The detached Ed25519 signature of `message`, as 128 lowercase hex digits."""
    return key.sign(message).signature.hex()


def verify_hex(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (hex) is `public_key`'s (hex) signature of `message`."""
    try:
        VerifyKey(bytes.fromhex(public_key)).verify(message, bytes.fromhex(signature))
    except (BadSignatureError, ValueError):
        # PyNaCl's length errors subclass ValueError, as does bytes.fromhex on non-hex text.
        return False
    return True
