"""RFC 8785 bytes of transaction bodies, through a C JSON encoder when that is provably equal.

For JSON made only of objects with ASCII keys, arrays, strings, booleans, null and integers of
magnitude below 2**53, the standard library's sorted, compact, non-ASCII-preserving output is
byte-for-byte the RFC 8785 form: ASCII keys sort the same by UTF-16 unit and by code point, and
both escape exactly '"', '\\' and the C0 controls, with the same short forms and lowercase hex.
orjson with OPT_SORT_KEYS writes the same bytes for those values, some eight times faster, and
is tried first; it refuses lone surrogates and nesting deeper than it goes, which then take the
standard library's path as before. Anything else (floats, big integers, non-ASCII keys, lone
surrogates) goes through kepil.domain.canonical. tests/unit/ledger/test_encoding.py checks the
equalities with hypothesis.
"""

from __future__ import annotations

import json
import json.encoder
from typing import Any, Final

import orjson

from kepil.domain.canonical import canonical_bytes

_SAFE_INTEGER: Final = 2**53 - 1
_SCALARS: Final = (str, bool, type(None))
SORTED: Final = orjson.OPT_SORT_KEYS
# One encoder for every call: json.dumps with options builds a new one each time.
# allow_nan=False so that text holding NaN or Infinity has no sorted form (see plain_text).
_ENCODER: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def is_plain(value: Any) -> bool:
    """Whether the C encoder's sorted text of `value` is its RFC 8785 form (if it encodes)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False
            # Strings and nulls, most of a body, need no trip through the stack.
            for inner in item.values():
                if type(inner) is not str and inner is not None:
                    stack.append(inner)
        elif kind is int:
            if not -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
                return False
        elif kind is list:
            stack.extend(item)
        elif not isinstance(item, _SCALARS):
            return False
    return True


def plain_text(value: Any) -> str:
    """The C encoder's sorted, compact text of `value` (ValueError for NaN and Infinity)."""
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def _c_encode() -> Any:
    """JSONEncoder.encode's own C encoder, made once instead of on every call; None without C."""
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return None
    e = _ENCODER
    # What e.encode() passes, less the check for cycles, which JSON values cannot have (one
    # would still stop, as a RecursionError).
    return make(
        None, e.default, basestring, e.indent, e.key_separator, e.item_separator,
        e.sort_keys, e.skipkeys, e.allow_nan,
    )  # fmt: skip


_C_ENCODE: Final = _c_encode()


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 serialisation of a JSON value, fast for the values transactions carry."""
    if is_plain(value):
        try:
            # A copy of exact size: orjson's result keeps its whole write buffer (~4 KiB), and
            # a body's bytes live as long as its transaction (mempool, blocks in flight).
            return bytes(memoryview(orjson.dumps(value, option=SORTED)))
        except orjson.JSONEncodeError:
            pass  # a lone surrogate, or deeper than orjson nests: the standard library decides
        try:
            return plain_text(value).encode()
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference encoder decide
    return canonical_bytes(value)
