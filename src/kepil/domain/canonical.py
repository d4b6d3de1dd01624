"""Canonical JSON (RFC 8785): one byte form for everything that is hashed or signed."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_bytes(document: Any) -> bytes:
    """The RFC 8785 serialisation of a JSON-able value."""
    return rfc8785.dumps(document)


def sha256_hex(document: Any) -> str:
    """SHA-256 of the canonical bytes, as lowercase hex."""
    return hashlib.sha256(canonical_bytes(document)).hexdigest()
