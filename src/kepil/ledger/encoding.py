"""RFC 8785 bytes of transaction bodies, through the C JSON encoder when that is provably equal.

For JSON made only of objects with ASCII keys, arrays, strings, booleans, null and integers of
magnitude below 2**53, the standard library's sorted, compact, non-ASCII-preserving output is
byte-for-byte the RFC 8785 form: ASCII keys sort the same by UTF-16 unit and by code point, and
both escape exactly '"', '\\' and the C0 controls, with the same short forms and lowercase hex.
Anything else (floats, big integers, non-ASCII keys, lone surrogates) goes through
kepil.domain.canonical. tests/unit/ledger/test_encoding.py checks the equality with hypothesis.
"""

from __future__ import annotations

import json
from typing import Any, Final

from kepil.domain.canonical import canonical_bytes

_SAFE_INTEGER: Final = 2**53 - 1
_SCALARS: Final = (str, bool, type(None))


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _SCALARS):
            continue
        if type(item) is int:
            if -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
                continue
            return False
        if type(item) is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
        else:
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 serialisation of a JSON value, fast for the values transactions carry."""
    if _plain(value):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        try:
            return text.encode()
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference encoder decide
    return canonical_bytes(value)
