"""Transactions: the canonical body, its id, signatures, and the JSON envelope on the wire.

Envelope: {"body": {...}, "sigs": [{"by": signer, "key": hex, "sig": hex}, ...]}.
Body: {"type", "chain", "nonces": {signer: n}, "not_before", "not_after", "payload"}.
The id is SHA-256 of the RFC 8785 bytes of the body; each signer signs the id (domain-separated),
so the body is encoded exactly once however many parties sign.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, ClassVar, Final, Protocol

import orjson

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.crypto import SigningKey, public_key_hex, sign_hex
from kepil.ledger.encoding import SORTED, canonical_json, is_plain
from kepil.ledger.fields import HEX64, MAX_AMOUNT, Fields, is_identifier, is_text, malformed

MINISTRY: Final = "ministry"  # the signer id of the Ministry; participants sign as their IIN/BIN
MAX_TX_BYTES: Final = 256 * 1024
MAX_SIGNERS: Final = 4
TX_DOMAIN: Final = b"kepil/tx/v1\x00"
# More arrays and objects than this and decode_tx leaves the input to the strict parser: the
# count bounds the nesting, so no depth the standard library refuses reaches orjson's parser.
MAX_FAST_OPENERS: Final = 200
_SIG_HEX: Final = re.compile(r"[0-9a-f]{128}")
# What SignedTx.to_bytes() writes before the body and before the signatures.
_BODY_OPENING: Final = '{"body":'
_SIGS_OPENING: Final = ',"sigs":'
_BODY_OPENING_BYTES: Final = _BODY_OPENING.encode()
_SIGS_OPENING_BYTES: Final = _SIGS_OPENING.encode()
_ENVELOPE_KEYS: Final = frozenset(("body", "sigs"))
_BODY_KEYS: Final = frozenset(("type", "chain", "nonces", "not_before", "not_after", "payload"))
_SIG_KEYS: Final = frozenset(("by", "key", "sig"))


class PayloadLike(Protocol):
    """What a builder puts in a body: a typed payload that knows its type name and JSON form."""

    TYPE: ClassVar[str]

    def to_json(self) -> dict[str, Any]:
        """The payload as a JSON object."""
        ...


@dataclass(frozen=True, slots=True)
class Window:
    """When a transaction may enter a block: not_before <= block timestamp <= not_after."""

    not_before: int
    not_after: int


@dataclass(frozen=True, slots=True)
class TxSignature:
    """One party's Ed25519 signature of a transaction id."""

    by: str
    key: str
    sig: str

    def to_json(self) -> dict[str, str]:
        """The signature as it sits in the envelope."""
        return {"by": self.by, "key": self.key, "sig": self.sig}


def signing_message(tx_id: str) -> bytes:
    """The bytes every signer of transaction `tx_id` signs."""
    return TX_DOMAIN + bytes.fromhex(tx_id)


def is_signer_id(text: str) -> bool:
    """Whether `text` can name a signer: an IIN/BIN, or the Ministry."""
    return text == MINISTRY or is_identifier(text)


@dataclass(frozen=True, slots=True)
class UnsignedTx:
    """A transaction body with its canonical bytes and id, ready for signatures."""

    type: str
    chain: str
    nonces: Mapping[str, int]
    not_before: int
    not_after: int
    payload: Mapping[str, Any]
    body: Mapping[str, Any] = field(repr=False)
    body_bytes: bytes = field(repr=False)
    tx_id: str

    def signature(self, signer: str, key: SigningKey) -> TxSignature:
        """`signer`'s signature of this transaction with `key`."""
        return TxSignature(signer, public_key_hex(key), sign_hex(key, signing_message(self.tx_id)))

    def with_signatures(self, signatures: Iterable[TxSignature]) -> SignedTx:
        """The signed transaction carrying `signatures`."""
        return SignedTx(self, tuple(signatures))

    def sign(self, keys: Mapping[str, SigningKey]) -> SignedTx:
        """Sign as every signer in `keys` (signer id -> key) at once."""
        return self.with_signatures(self.signature(s, k) for s, k in keys.items())


@dataclass(frozen=True, slots=True)
class SignedTx:
    """A transaction body and the signatures collected so far (possibly not all of them)."""

    unsigned: UnsignedTx
    sigs: tuple[TxSignature, ...]
    # The bytes decode_tx read this transaction from, when they are exactly what to_bytes()
    # writes: decode_tx is a function of its input, so a log entry made of these bytes decodes
    # to an equal transaction on every node, and the node that proposed it need not check.
    wire: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def tx_id(self) -> str:
        """The transaction id: SHA-256 hex of the canonical body."""
        return self.unsigned.tx_id

    @property
    def type(self) -> str:
        """The transaction type name."""
        return self.unsigned.type

    def with_signature(self, signer: str, key: SigningKey) -> SignedTx:
        """A copy with `signer`'s signature added or replaced (for multi-party transactions)."""
        kept = tuple(s for s in self.sigs if s.by != signer)
        return SignedTx(self.unsigned, (*kept, self.unsigned.signature(signer, key)))

    def to_json(self) -> dict[str, Any]:
        """The envelope as a JSON object."""
        sigs = sorted(self.sigs, key=lambda s: s.by)
        return {"body": dict(self.unsigned.body), "sigs": [s.to_json() for s in sigs]}

    def to_bytes(self) -> bytes:
        """The envelope's canonical bytes, for storage and the wire."""
        if self.wire is not None:
            return self.wire
        # canonical_json(self.to_json()), spliced: "body" sorts before "sigs", and the body's
        # canonical bytes are already at hand, so only the few signature strings are encoded.
        sigs = canonical_json([s.to_json() for s in sorted(self.sigs, key=lambda s: s.by)])
        return b"".join(
            (_BODY_OPENING_BYTES, self.unsigned.body_bytes, _SIGS_OPENING_BYTES, sigs, b"}")
        )


def build_tx(
    chain: str, payload: PayloadLike, nonces: Mapping[str, int], window: Window
) -> UnsignedTx:
    """A transaction of `payload`'s type on `chain`, with each signer's next nonce."""
    body = {
        "type": payload.TYPE,
        "chain": chain,
        "nonces": dict(nonces),
        "not_before": window.not_before,
        "not_after": window.not_after,
        "payload": payload.to_json(),
    }
    return unsigned_from_body(body)


def unsigned_from_body(body: object) -> UnsignedTx:
    """Read and encode a body (a JSON object), or raise Refusal on a malformed header."""
    return _unsigned(body, None)


def _unsigned(body: object, written: bytes | None) -> UnsignedTx:
    reader = Fields(body, "body")
    tx_type = reader.text("type", 40)
    chain = reader.text("chain", 100)
    not_before = reader.integer("not_before")
    not_after = reader.integer("not_after")
    nonces = _nonces(reader.raw("nonces"))
    payload = reader.raw("payload")
    if not isinstance(payload, dict):
        raise malformed("body.payload must be an object")
    reader.done()
    assert isinstance(body, dict)  # noqa: S101 - Fields has just checked it
    encoded = _body_bytes(body, payload, written)
    if len(encoded) > MAX_TX_BYTES:
        raise Refusal(ReasonCode.TX_TOO_LARGE)
    tx_id = hashlib.sha256(encoded).hexdigest()
    return UnsignedTx(tx_type, chain, nonces, not_before, not_after, payload, body, encoded, tx_id)


def _body_bytes(body: dict[str, Any], payload: dict[str, Any], written: bytes | None) -> bytes:
    """The body's RFC 8785 bytes; `written`, when given, is the body's orjson-sorted bytes."""
    try:
        # The header is checked by now (ASCII signer ids, safe integers, strings), so the
        # payload alone decides whether orjson's sorted bytes are the RFC 8785 form.
        if written is not None and is_plain(payload):
            return written
        return canonical_json(body)
    except ValueError:
        # Big integers, non-finite numbers and lone surrogates have no RFC 8785 form; without
        # this they would escape as a crash instead of a refusal.
        raise malformed("body has no RFC 8785 form") from None


def decode_tx(envelope: bytes | str | Mapping[str, Any]) -> SignedTx:
    """Parse a JSON envelope (bytes, text or already-parsed), or raise Refusal with a code."""
    if not isinstance(envelope, bytes | str):
        return _read_envelope(envelope, None)
    if len(envelope) > MAX_TX_BYTES * 2:
        raise Refusal(ReasonCode.TX_TOO_LARGE)
    canonical = _parse_canonical(envelope)
    if canonical is None:
        return _read_envelope(parse_json(envelope), None)
    parsed, body_written = canonical
    written = envelope if isinstance(envelope, bytes) else None
    return _read_usual(parsed, body_written, written) or _read_envelope(
        parsed, body_written, written
    )


def _read_envelope(
    parsed: object, body_written: bytes | None, written: bytes | None = None
) -> SignedTx:
    """The transaction in `parsed`; `written` is the input when orjson writes it back as given."""
    reader = Fields(parsed, "envelope")
    unsigned = _unsigned(reader.raw("body"), body_written)
    sigs = tuple(map(_signature, reader.array("sigs", MAX_SIGNERS)))
    reader.done()
    signers = {s.by for s in sigs}
    if len(signers) != len(sigs) or not signers <= unsigned.nonces.keys():
        raise Refusal(ReasonCode.UNEXPECTED_SIGNER, "a signature's signer has no nonce or repeats")
    # to_bytes() writes the body's canonical bytes and the signatures sorted by signer: the
    # input is those bytes when its body was kept as written and its signatures come sorted.
    if written is not None and unsigned.body_bytes is body_written and _by_signer(sigs):
        return SignedTx(unsigned, sigs, written)
    return SignedTx(unsigned, sigs)


def _read_usual(
    parsed: dict[str, Any], body_written: bytes, written: bytes | None
) -> SignedTx | None:
    """What _read_envelope reads from a well-formed envelope, read faster; None for any other.

    The same checks in one pass over plain dicts, without a Fields reader per object: every
    envelope this accepts, _read_envelope accepts with the same result, and anything unusual
    (a missing or extra field, a bad value, a payload that is not plain) returns None so that
    _read_envelope raises its own refusal. A hypothesis test holds the two paths together.
    """
    body, sigs = parsed["body"], parsed["sigs"]
    if body.keys() != _BODY_KEYS or not 0 <= len(sigs) <= MAX_SIGNERS:
        return None
    nonces, payload = body["nonces"], body["payload"]
    header_ok = (
        is_text(body["type"], 40)
        and is_text(body["chain"], 100)
        and _usual_count(body["not_before"], 0)
        and _usual_count(body["not_after"], 0)
        and type(nonces) is dict
        and 0 < len(nonces) <= MAX_SIGNERS
        and all(is_signer_id(k) and _usual_count(n, 1) for k, n in nonces.items())
        and type(payload) is dict
        and len(body_written) <= MAX_TX_BYTES
        and is_plain(payload)
    )
    if not header_ok:
        return None
    read: list[TxSignature] = []
    for sig in sigs:
        if type(sig) is not dict or sig.keys() != _SIG_KEYS:
            return None
        by, key, value = sig["by"], sig["key"], sig["sig"]
        if not (
            type(by) is str
            and by in nonces
            and type(key) is str
            and HEX64.fullmatch(key)
            and type(value) is str
            and _SIG_HEX.fullmatch(value)
        ):
            return None
        read.append(TxSignature(by, key, value))
    if len({s.by for s in read}) != len(read):
        return None
    unsigned = UnsignedTx(
        body["type"], body["chain"], nonces, body["not_before"], body["not_after"], payload,
        body, body_written, hashlib.sha256(body_written).hexdigest(),
    )  # fmt: skip
    signed = tuple(read)
    kept = written if written is not None and _by_signer(signed) else None
    return SignedTx(unsigned, signed, kept)


def _usual_count(value: object, low: int) -> bool:
    """Whether `value` is an integer in [low, MAX_AMOUNT], as Fields.integer and nonces ask."""
    return type(value) is int and low <= value <= MAX_AMOUNT


def _by_signer(sigs: tuple[TxSignature, ...]) -> bool:
    """Whether `sigs` come in the order to_bytes() writes them."""
    return all(a.by < b.by for a, b in pairwise(sigs))


def _parse_canonical(envelope: bytes | str) -> tuple[dict[str, Any], bytes] | None:
    """The envelope and its body's bytes when orjson writes the input back byte for byte, else None.

    What parse_json would make of the input, found faster, and only for input written as
    SignedTx.to_bytes() writes it (sorted, compact; the signatures as given). A repeated key is
    dropped from the parsed object and so from its re-encoding, NaN and Infinity are no JSON
    to orjson, an integer beyond 64 bits becomes a float that writes back otherwise, and any
    space or other escape writes back otherwise too: each makes the bytes differ, and then
    parse_json reads the whole input and raises its own refusal (a hypothesis test compares the
    two). Input with many arrays or objects also goes there: the standard library's parser has
    its own nesting limit, which orjson's (1024) must not overrule.
    """
    try:
        data = envelope if isinstance(envelope, bytes) else envelope.encode()
    except UnicodeEncodeError:
        return None  # a lone surrogate in text: the strict parser decides
    if data.count(b"{") + data.count(b"[") > MAX_FAST_OPENERS:
        return None
    try:
        parsed = orjson.loads(data)
        parts = _written_parts(parsed)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if parts is None:
        return None
    body_bytes, sigs_bytes = parts
    written = b"".join((_BODY_OPENING_BYTES, body_bytes, _SIGS_OPENING_BYTES, sigs_bytes, b"}"))
    if written != data:
        return None
    # The same bytes sliced from the input: orjson's result keeps its whole write buffer
    # (~4 KiB), and the body's bytes live as long as the transaction.
    start = len(_BODY_OPENING_BYTES)
    return parsed, data[start : start + len(body_bytes)]


def _written_parts(parsed: object) -> tuple[bytes, bytes] | None:
    """orjson's sorted bytes of an envelope's body and signatures, or None if it has others."""
    if type(parsed) is not dict or parsed.keys() != _ENVELOPE_KEYS:
        return None
    body, sigs = parsed["body"], parsed["sigs"]
    if type(body) is not dict or type(sigs) is not list:
        return None
    return orjson.dumps(body, option=SORTED), orjson.dumps(sigs, option=SORTED)


def parse_json(text: bytes | str) -> object:
    """Strict JSON: duplicate keys and NaN/Infinity are refused, since they have no one meaning."""
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise malformed("not valid JSON") from None


def _unique_pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(items)
    if len(result) != len(items):
        raise malformed("duplicate key in a JSON object")
    return result


def _no_constant(name: str) -> object:
    raise malformed(f"{name} is not JSON")


def _nonces(value: object) -> dict[str, int]:
    if not isinstance(value, dict) or not 0 < len(value) <= MAX_SIGNERS:
        raise malformed(f"body.nonces must map 1-{MAX_SIGNERS} signers to nonces")
    for signer, nonce in value.items():
        if not is_signer_id(signer):
            raise Refusal(ReasonCode.BAD_IDENTIFIER, "a nonce's signer is not an IIN/BIN")
        if type(nonce) is not int or not 0 < nonce <= MAX_AMOUNT:
            raise malformed("a nonce must be a positive integer")
    return value


def _signature(item: object) -> TxSignature:
    reader = Fields(item, "sig")
    by, key, sig = reader.raw("by"), reader.hex64("key"), reader.raw("sig")
    reader.done()
    if not isinstance(by, str) or not is_signer_id(by):
        raise Refusal(ReasonCode.BAD_IDENTIFIER, "sig.by is not an IIN/BIN")
    if not isinstance(sig, str) or not _SIG_HEX.fullmatch(sig):
        raise malformed("sig.sig must be 128 lowercase hex digits")
    return TxSignature(by, key, sig)
