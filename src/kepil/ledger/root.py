"""The state root: a multiset hash of every (key, value) entry, updated per changed key.

Each entry is expanded by SHAKE-256 to a 4096-bit integer; the accumulator is their sum modulo
2**4096 (an additive multiset hash, MSet-Add-Hash). Changing a key subtracts its old element and
adds its new one, so a block costs O(keys it changed) whatever the size of the state, and the
root does not depend on the order of the changes or on the history that led to the state.
At 4096 bits the generalised-birthday attack on such sums costs about 2**128 work.
The root published in headers is SHA-256 of the accumulator, so it stays 64 hex digits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

from kepil.ledger.statekeys import StateKey, Value, entry_bytes

ACCUMULATOR_BYTES: Final = 512
_MODULUS_MASK: Final = (1 << (8 * ACCUMULATOR_BYTES)) - 1
_ROOT_DOMAIN: Final = b"kepil/state/v1\x00"
EMPTY_ACCUMULATOR: Final = 0


def element(key: StateKey, value: Value | None) -> int:
    """The contribution of one entry; an absent value contributes nothing."""
    if value is None:
        return 0
    digest = hashlib.shake_256(entry_bytes(key, value)).digest(ACCUMULATOR_BYTES)
    return int.from_bytes(digest, "big")


def updated(accumulator: int, key: StateKey, old: Value | None, new: Value | None) -> int:
    """The accumulator after `key` changed from `old` to `new`."""
    return (accumulator - element(key, old) + element(key, new)) & _MODULUS_MASK


def accumulate(entries: Iterable[tuple[StateKey, Value]]) -> int:
    """The accumulator of a whole state, computed from scratch (for audits and tests)."""
    total = 0
    for key, value in entries:
        total += element(key, value)
    return total & _MODULUS_MASK


def state_root(accumulator: int) -> str:
    """The 64-hex-digit state root of an accumulator."""
    return hashlib.sha256(_ROOT_DOMAIN + accumulator.to_bytes(ACCUMULATOR_BYTES, "big")).hexdigest()
