"""The fast canonical encoder gives exactly the RFC 8785 bytes of kepil.domain.canonical."""

from __future__ import annotations

import json
import math
import tracemalloc
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kepil.domain.canonical import canonical_bytes
from kepil.ledger import encoding
from kepil.ledger.encoding import canonical_json, plain_text

from .strategies import scalars

keys = st.text() | st.text(alphabet=st.characters(max_codepoint=0x7F))
documents = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
)


def reference(value: Any) -> bytes | type[Exception]:
    try:
        return canonical_bytes(value)
    except Exception as error:
        return type(error)


@settings(max_examples=400, derandomize=True)
@given(documents)
def test_the_fast_encoder_equals_rfc_8785_on_any_json(value: Any) -> None:
    expected = reference(value)
    if isinstance(expected, bytes):
        assert canonical_json(value) == expected
    else:
        with pytest.raises(expected):
            canonical_json(value)


def test_control_characters_escape_as_rfc_8785_says() -> None:
    text = "".join(chr(c) for c in range(0x20)) + '"\\\x7f\u2028é'
    assert canonical_json({"k": text}) == canonical_bytes({"k": text})


def test_a_key_outside_the_basic_plane_sorts_by_utf16_units() -> None:
    document = {"\U0001f600": 1, "\uff61": 2}
    assert canonical_json(document) == canonical_bytes(document)


def sorted_compact(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@settings(max_examples=200)
@given(documents)
def test_the_encoder_made_once_writes_what_json_dumps_writes(value: Any) -> None:
    assert plain_text(value) == sorted_compact(value)


@given(documents)
def test_without_the_c_accelerator_the_same_text_is_written(value: Any) -> None:
    with mock.patch.object(encoding, "_C_ENCODE", None):
        assert plain_text(value) == sorted_compact(value)


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_have_no_sorted_text(number: float) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        plain_text({"k": [number]})


@pytest.mark.parametrize("depth", [1, 127, 128, 200])  # two levels each
def test_nesting_deeper_than_orjson_writes_still_has_its_rfc_8785_form(depth: int) -> None:
    document: Any = "é"
    for _ in range(depth):
        document = {"k": [document]}
    assert canonical_json(document) == canonical_bytes(document)


@settings(max_examples=300, derandomize=True)
@given(documents)
def test_orjson_writes_what_the_standard_library_writes_for_plain_values(value: Any) -> None:
    if encoding.is_plain(value):
        try:
            expected = sorted_compact(value).encode()
        except UnicodeEncodeError:
            return  # a lone surrogate: orjson refuses it, canonical_json takes the reference
        assert orjson.dumps(value, option=encoding.SORTED) == expected


def test_canonical_bytes_kept_by_the_thousand_take_about_their_length_in_memory() -> None:
    # orjson's own result holds its whole write buffer (~4 KiB); a body's bytes live as long as
    # its transaction, so canonical_json hands out an exact copy.
    document = {"payload": {"amount": 1, "memo": None}, "type": "transfer"}
    size = len(canonical_json(document))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [canonical_json(document) for _ in range(1000)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(kept) == 1000
    assert grown < 1000 * (size + 200)
