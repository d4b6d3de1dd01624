"""decode_tx reads canonical bytes on a fast path that must end exactly where the strict one does.

The strict path is what decode_tx did before: parse_json (duplicate keys and NaN refused), then
the envelope read from the parsed object. Envelopes here are written by hand from a model that
can repeat keys, drop or add fields and carry odd number tokens, so that both canonical and
non-canonical text reach decode_tx.
"""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.ledger import ALICE, BOB, CHAIN_ID, T0, WHEAT, fixture_key

from kepil.domain.canonical import canonical_bytes
from kepil.ledger import MINISTRY, ReasonCode, Refusal, SignedTx, Window, decode_tx, signed_tx
from kepil.ledger import tx as tx_module
from kepil.ledger.encoding import is_plain
from kepil.ledger.fields import MAX_AMOUNT
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.tx import MAX_TX_BYTES, parse_json

from .strategies import scalars as plain_scalars


@dataclass
class Obj:
    """A JSON object as written: its members in order, a key possibly twice."""

    members: list[tuple[str, Any]]


@dataclass(frozen=True)
class Token:
    """Text written as it stands: NaN, 1e400, -0, an escaped lone surrogate."""

    text: str


@dataclass(frozen=True)
class Style:
    """How an envelope is written; the default is how SignedTx.to_bytes() writes it."""

    compact: bool = True
    sort: bool = True
    ascii_only: bool = False
    as_bytes: bool = True


def write(value: Any, style: Style) -> str:
    """`value` as JSON text in `style` (dicts and Obj as objects, Token verbatim)."""
    if isinstance(value, Token):
        return value.text
    if isinstance(value, dict):
        value = Obj(list(value.items()))
    item_separator, key_separator = (",", ":") if style.compact else (", ", ": ")
    if isinstance(value, Obj):
        members = sorted(value.members, key=lambda m: m[0]) if style.sort else value.members
        return (
            "{"
            + item_separator.join(
                json.dumps(k, ensure_ascii=style.ascii_only) + key_separator + write(v, style)
                for k, v in members
            )
            + "}"
        )
    if isinstance(value, list):
        return "[" + item_separator.join(write(v, style) for v in value) + "]"
    return json.dumps(value, ensure_ascii=style.ascii_only)


def as_written(value: Any) -> Any:
    """`value` with every dict turned into an Obj, whose members can then be spoilt."""
    if isinstance(value, dict):
        return Obj([(k, as_written(v)) for k, v in value.items()])
    if isinstance(value, list):
        return [as_written(v) for v in value]
    return value


def objects_in(value: Any) -> list[Obj]:
    """Every Obj in `value`, outermost first."""
    if isinstance(value, Obj):
        return [value, *(o for _, v in value.members for o in objects_in(v))]
    if isinstance(value, list):
        return [o for v in value for o in objects_in(v)]
    return []


def envelope_input(value: Any, style: Style) -> bytes | str:
    """What reaches decode_tx: the written text, as bytes when the style says so.

    A raw lone surrogate becomes the bytes Python's own json.loads still accepts.
    """
    text = write(value, style)
    return text.encode("utf-8", "surrogatepass") if style.as_bytes else text


def strictly(envelope: bytes | str) -> SignedTx:
    """The strict path: the whole input through parse_json, then the envelope read from it."""
    if len(envelope) > MAX_TX_BYTES * 2:
        raise Refusal(ReasonCode.TX_TOO_LARGE)
    parsed = parse_json(envelope)
    if not isinstance(parsed, dict):  # decode_tx would take a str as JSON text again
        raise Refusal(ReasonCode.MALFORMED)
    return decode_tx(parsed)


def outcome(decode: Any, envelope: bytes | str) -> SignedTx | ReasonCode:
    """The decoded transaction, or the code it was refused with."""
    try:
        result: SignedTx = decode(envelope)
    except Refusal as refusal:
        return refusal.code
    return result


odd_numbers = ["NaN", "Infinity", "-Infinity", "1e400", "-0", "1.0", "1E2", "1e16", "1e+16"]
odd_strings = ['"\\ud800"', '"\ud800"', '"\\u00e9"', '"\\/"', '"\\u001f"', '"\u007f"']
tokens = st.sampled_from([*odd_numbers, *odd_strings]).map(Token)
scalars = plain_scalars | tokens
keys = (
    st.text()
    | st.text(alphabet=st.characters(max_codepoint=0x7F))
    | st.sampled_from(["body", "sigs", "type", "payload", "by", "key", "sig"])
)
signers = st.sampled_from([ALICE, BOB, MINISTRY])
hex_key = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
hex_sig = st.text(alphabet="0123456789abcdef", min_size=128, max_size=128)
windows = st.integers(min_value=0, max_value=MAX_AMOUNT)


def objects(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Obj]:
    """Objects whose members are drawn from `values`, now and then with a key written twice."""
    members = st.dictionaries(keys, values, max_size=4)
    return st.builds(_maybe_repeated, members, st.integers(min_value=0, max_value=7))


def _maybe_repeated(members: dict[str, Any], choice: int) -> Obj:
    written = list(members.items())
    if written and choice == 0:
        written.append((written[0][0], None))
    return Obj(written)


documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | objects(inner))
# What the C encoder could have written: no repeated keys, no odd tokens.
plain_documents = st.recursive(
    plain_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
)
near_misses = st.sampled_from(
    [ALICE, BOB, MINISTRY, "123456789012", " transfer", "", 0, -1, 2**53, True, 1.5, [], {}]
)
junk = near_misses | scalars | objects(documents)
near_miss_keys = st.sampled_from([ALICE, BOB, MINISTRY, "123456789012", "by", "sig", "memo"])


@st.composite
def valid_envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """Envelopes whose header and signatures are well formed; the payload is any JSON object."""
    nonces = draw(
        st.dictionaries(signers, st.integers(min_value=1, max_value=MAX_AMOUNT), min_size=1)
    )
    body = {
        "type": draw(st.sampled_from(["transfer", "issue", "zz top"])),
        "chain": draw(st.sampled_from([CHAIN_ID, "kepil-main", "цепь"])),
        "nonces": nonces,
        "not_before": draw(windows),
        "not_after": draw(windows),
        "payload": draw(st.dictionaries(keys, plain_documents, max_size=5)),
    }
    by = draw(st.lists(st.sampled_from(sorted(nonces)), min_size=1, unique=True) | st.just([]))
    sigs = [{"by": b, "key": draw(hex_key), "sig": draw(hex_sig)} for b in by]
    return {"body": body, "sigs": sigs}


@st.composite
def any_envelopes(draw: st.DrawFn) -> Obj:
    """A valid envelope with up to three faults: members dropped, repeated, unknown or spoilt."""
    envelope = as_written(draw(valid_envelopes()))
    assert isinstance(envelope, Obj)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        spoil(draw, draw(st.sampled_from(objects_in(envelope))))
    return envelope


def spoil(draw: st.DrawFn, target: Obj) -> None:
    """One fault in `target`: a member dropped, repeated, added, renamed or its value replaced."""
    fault = draw(st.sampled_from(["drop", "repeat", "extra", "rename", "replace", "replace"]))
    if fault == "extra" or not target.members:
        target.members.append((draw(keys), draw(documents)))
        return
    index = draw(st.integers(min_value=0, max_value=len(target.members) - 1))
    key, value = target.members[index]
    if fault == "drop":
        del target.members[index]
    elif fault == "repeat":
        target.members.append((key, draw(st.just(value) | junk)))
    elif fault == "rename":
        target.members[index] = (draw(near_miss_keys | keys), value)
    else:
        target.members[index] = (key, draw(junk))


styles = st.builds(Style, st.booleans(), st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=400, derandomize=True)
@given(valid_envelopes(), st.booleans())
def test_canonical_envelopes_decode_as_the_strict_path_decodes_them(
    envelope: dict[str, Any], as_bytes: bool
) -> None:
    data = envelope_input(envelope, Style(as_bytes=as_bytes))
    expected = outcome(strictly, data)
    if not is_plain(envelope):
        # Floats and integers beyond 2**53 are written otherwise by orjson: the strict path.
        assert outcome(decode_tx, data) == expected
        return
    # Plain text written as the C encoder writes it (orjson writes the same) never needs the
    # strict parser.
    with mock.patch.object(tx_module, "parse_json", side_effect=AssertionError("slow path")):
        assert outcome(decode_tx, data) == expected
    if isinstance(expected, SignedTx):
        decoded = decode_tx(data)
        if decoded.wire is not None:
            # Bytes kept as the transaction's wire form are exactly its canonical form.
            assert decoded.wire == data == canonical_bytes(decoded.to_json())
            assert decode_tx(decoded.to_bytes()) == decoded
        assert expected.unsigned.body_bytes == canonical_bytes(expected.unsigned.body)
        # to_bytes splices the body's bytes: it must still be the whole envelope's RFC 8785 form.
        assert expected.to_bytes() == canonical_bytes(expected.to_json())


@settings(max_examples=600, derandomize=True)
@given(any_envelopes(), st.just(Style()) | styles)
def test_any_envelope_decodes_or_is_refused_as_on_the_strict_path(
    envelope: Obj, style: Style
) -> None:
    data = envelope_input(envelope, style)
    assert outcome(decode_tx, data) == outcome(strictly, data)


def a_signed_transfer() -> SignedTx:
    return signed_tx(
        CHAIN_ID, Transfer(WHEAT, ALICE, BOB, 10), {ALICE: fixture_key(ALICE)}, {ALICE: 3},
        Window(T0, T0 + 60),
    )  # fmt: skip


def test_the_bytes_of_a_signed_transfer_take_the_fast_path() -> None:
    tx = a_signed_transfer()
    assert tx.to_bytes() == canonical_bytes(tx.to_json())
    with mock.patch.object(tx_module, "parse_json", side_effect=AssertionError("slow path")):
        assert decode_tx(tx.to_bytes()) == tx


SPOILT = {
    "a repeated key in the payload": (b'"amount":10', b'"amount":10,"amount":10'),
    "a repeated key in a signature": (b'[{"by":', b'[{"by":"%s","by":' % ALICE.encode()),
    "an unknown member after the signatures": (b"]}", b'],"z":1}'),
    "text after the envelope": (b"]}", b"]}x"),
    "a NaN in the payload": (b'"amount":10', b'"amount":NaN'),
    "an integer beyond 2**53 in the payload": (b'"amount":10', b'"amount":9007199254740993'),
    "an infinite number in the payload": (b'"amount":10', b'"amount":1e400'),
    "an escaped lone surrogate in the memo": (b'"memo":null', b'"memo":"\\ud800"'),
    "a raw lone surrogate in the memo": (b'"memo":null', b'"memo":"\xed\xa0\x80"'),
    "an integer beyond 64 bits in the payload": (b'"amount":10', b'"amount":18446744073709551616'),
}  # fmt: skip


@pytest.mark.parametrize("spoilt", SPOILT.values(), ids=SPOILT.keys())
def test_canonical_looking_bytes_with_a_fault_are_refused_as_malformed(
    spoilt: tuple[bytes, bytes],
) -> None:
    old, new = spoilt
    data = a_signed_transfer().to_bytes()
    assert old in data
    data = data.replace(old, new, 1)
    assert outcome(decode_tx, data) == outcome(strictly, data) == ReasonCode.MALFORMED


def test_a_nan_in_the_payload_is_malformed_even_beside_a_signer_that_is_no_iin() -> None:
    data = a_signed_transfer().to_bytes()
    data = data.replace(b'"amount":10', b'"amount":NaN').replace(ALICE.encode(), b"123456789012")
    assert outcome(decode_tx, data) == outcome(strictly, data) == ReasonCode.MALFORMED


@pytest.mark.parametrize(
    ("old", "new"),
    [(b"]}", b"]} \n"), (b'"amount":10', b'"amount":1E1'), (b'"memo":null', b'"memo":"\\u00e9"')],
    ids=["trailing space", "an exponent", "an escaped letter"],
)
def test_non_canonical_bytes_of_a_valid_envelope_decode_as_on_the_strict_path(
    old: bytes, new: bytes
) -> None:
    data = a_signed_transfer().to_bytes().replace(old, new, 1)
    decoded = decode_tx(data)
    assert decoded == strictly(data)
    assert decoded.unsigned.body_bytes == canonical_bytes(decoded.unsigned.body)


@pytest.mark.parametrize("depth", [3, 150, 400, 990, 1100])
def test_deeply_nested_payloads_end_as_on_the_strict_path(depth: int) -> None:
    # orjson parses 1024 levels; the standard library may stop sooner: the strict path decides.
    data = a_signed_transfer().to_bytes()
    data = data.replace(b'"memo":null', b'"memo":' + b"[" * depth + b"]" * depth, 1)
    assert outcome(decode_tx, data) == outcome(strictly, data)


def test_a_refused_envelope_is_refused_by_every_path() -> None:
    # The same fault as bytes, as text and as an already-parsed object: one refusal.
    data = a_signed_transfer().to_bytes().replace(b'"amount":10', b'"amount":10.5')
    assert outcome(decode_tx, data) == outcome(decode_tx, data.decode()) == outcome(strictly, data)


def test_a_transaction_keeps_the_bytes_it_was_read_from_only_when_they_are_its_own() -> None:
    tx = a_signed_transfer()
    data = tx.to_bytes()
    assert tx.wire is None  # built here
    assert decode_tx(data).wire == data
    assert decode_tx(data.decode()).wire is None
    assert decode_tx(data + b" ").wire is None
    assert decode_tx(data.replace(b'"memo":null', b'"memo":"\\u00e9"')).wire is None


def test_decoded_transactions_by_the_thousand_keep_no_write_buffers() -> None:
    data = a_signed_transfer().to_bytes()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [decode_tx(data) for _ in range(1000)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert all(tx.wire is not None for tx in kept)
    # The body's bytes are a slice of the input, not orjson's (~4 KiB) result.
    assert grown < 1000 * 4096  # about 2 KiB of objects each; with the buffer, over 6 KiB


def test_a_usual_transfer_is_read_without_the_general_reader() -> None:
    data = a_signed_transfer().to_bytes()
    with mock.patch.object(tx_module, "_read_envelope", side_effect=AssertionError("general")):
        assert decode_tx(data) == a_signed_transfer()


def _with_sigs(sigs: list[dict[str, str]]) -> bytes:
    tx = a_signed_transfer()
    return b"".join((b'{"body":', tx.unsigned.body_bytes, b',"sigs":', canonical_bytes(sigs), b"}"))


def _sig(by: str = ALICE, key: str = "ab" * 32, sig: str = "cd" * 64) -> dict[str, str]:
    return {"by": by, "key": key, "sig": sig}


ODD_HEADERS = {
    "a type with a trailing space": (b'"type":"transfer"', b'"type":"transfer "'),
    "a type with a control character": (b'"type":"transfer"', b'"type":"trans\\u0001fer"'),
    "an empty chain": (b'"chain":"kepil-test"', b'"chain":""'),
    "a nonce of zero": (b'":3}', b'":0}'),
    "a nonce that is true": (b'":3}', b'":true}'),
    "a window below zero": (b'"not_before":', b'"not_before":-'),
    "a signer that is no IIN": (ALICE.encode() + b'":3', b'123456789012":3'),
}  # fmt: skip
ODD_SIGS = {
    "no signatures": [],
    "five signatures": [_sig()] * 5,
    "a repeated signer": [_sig(), _sig()],
    "a signer without a nonce": [_sig(by=BOB)],
    "an uppercase signature": [_sig(sig="CD" * 64)],
    "a short key": [_sig(key="ab" * 31)],
    "a key that is a number": [{"by": ALICE, "key": 1, "sig": "cd" * 64}],  # type: ignore[dict-item]
    "an extra member": [{**_sig(), "z": "1"}],
}


@pytest.mark.parametrize("odd", ODD_HEADERS.values(), ids=ODD_HEADERS.keys())
def test_an_odd_header_ends_as_on_the_strict_path(odd: tuple[bytes, bytes]) -> None:
    old, new = odd
    data = a_signed_transfer().to_bytes()
    assert old in data
    data = data.replace(old, new, 1)
    assert outcome(decode_tx, data) == outcome(strictly, data)


@pytest.mark.parametrize("sigs", ODD_SIGS.values(), ids=ODD_SIGS.keys())
def test_odd_signatures_end_as_on_the_strict_path(sigs: list[dict[str, str]]) -> None:
    data = _with_sigs(sigs)
    assert outcome(decode_tx, data) == outcome(strictly, data)
