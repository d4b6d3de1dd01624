"""What pysyncobj puts on the wire between nodes: sealed with AES-256-GCM, stored, not deflated.

pysyncobj seals every message with Fernet (AES-128-CBC, HMAC-SHA256, then base64 of the whole
token, checked twice on receipt) after deflating it at level 3, once per follower. For a batch
entry of 1 MB that cost the leader ~15 ms per follower and each follower ~10 ms (measured on
the 2-core bench machine: zlib 10.1 ms, Fernet 4.4 ms to seal, 4.2 + 4.5 ms to open), which made
the wire the leader's largest cost after signatures. Here a message costs ~0.6 ms either way.

`install()` swaps in, before any SyncObj or TcpUtility is made:
- `Sealer` for Fernet: the same three calls pysyncobj makes (encrypt_at_time, extract_timestamp,
  decrypt), same guarantees (authenticated, encrypted, timestamped so pysyncobj can refuse a
  replay within a session), no base64. Every node of a network must run this code: a stock
  pysyncobj peer cannot read these messages, nor these nodes its messages;
- deflate level 0 (stored blocks) for level 3: loopback and LAN links are not the bottleneck,
  the CPU is; the stream stays valid zlib;
- pickle protocol 5 for pysyncobj's protocol 2 on messages only: protocol 2 writes each log
  entry's bytes as a latin-1 text to re-encode, where 5 copies them as they are (the leader's
  pickling of its append_entries messages, ~40 us each, was a tenth of its engine's CPU). Any
  reader of protocol 2 reads 5, so nodes with the old writer still understand these messages;
  the entries themselves (the journal's records) are pickled as before.

Keys: the cluster password goes through PBKDF2-HMAC-SHA256 once per process. Each Sealer draws
a random 128-bit session id and seals under a key derived from the password and that id (HKDF),
with a message counter as the GCM nonce, so no (key, nonce) pair ever repeats, however long the
process runs and however many processes share the password.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import pickle
import threading
import zlib
from collections import OrderedDict
from types import SimpleNamespace
from typing import Final

import pysyncobj.syncobj
import pysyncobj.tcp_connection
import pysyncobj.utility
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PBKDF2_SALT: Final = b"kepil/raft-wire/v1"
_PBKDF2_ROUNDS: Final = 200_000
_SESSION: Final = 16
_COUNTER: Final = 8
_TIMESTAMP: Final = 8
_HEADER: Final = _SESSION + _COUNTER + _TIMESTAMP
_KNOWN_SESSIONS: Final = 256


class SealError(ValueError):
    """A message that is not a sealed message of this cluster (forged, damaged or foreign)."""


class Sealer:
    """Fernet's interface to pysyncobj, on AES-256-GCM with a fresh key per process."""

    def __init__(self, password: str | bytes) -> None:
        """Derive the cluster key from `password` and open a sending session."""
        secret = password.encode() if isinstance(password, str) else password
        self._master = hashlib.pbkdf2_hmac("sha256", secret, _PBKDF2_SALT, _PBKDF2_ROUNDS)
        self._session = os.urandom(_SESSION)
        self._sending = AESGCM(self._session_key(self._session))
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._sessions: OrderedDict[bytes, AESGCM] = OrderedDict()
        self._opened: tuple[bytes, bytes] | None = None

    def encrypt_at_time(self, data: bytes, timestamp: int) -> bytes:
        """`data` sealed with `timestamp` (which is authenticated, not secret)."""
        with self._lock:
            counter = next(self._counter)
        header = self._session + counter.to_bytes(_COUNTER, "big") + timestamp.to_bytes(8, "big")
        return header + self._sending.encrypt(_nonce(header), data, header)

    def extract_timestamp(self, token: bytes) -> int:
        """The timestamp `token` was sealed with; SealError unless it is authentic."""
        self._opened = (token, self._open(token))
        return int.from_bytes(token[_SESSION + _COUNTER : _HEADER], "big")

    def decrypt(self, token: bytes) -> bytes:
        """What `token` carries; SealError unless it is authentic."""
        # pysyncobj asks for the timestamp, then for the data, of the same token: open it once.
        opened = self._opened
        if opened is not None and opened[0] is token:
            self._opened = None
            return opened[1]
        return self._open(token)

    def _open(self, token: bytes) -> bytes:
        if len(token) < _HEADER + 16:
            raise SealError("too short to be a sealed message")
        header = token[:_HEADER]
        session = header[:_SESSION]
        cipher = self._sessions.get(session)
        fresh = cipher is None
        if cipher is None:
            cipher = AESGCM(self._session_key(session))
        try:
            data = cipher.decrypt(_nonce(header), token[_HEADER:], header)
        except InvalidTag:
            raise SealError("not sealed with this cluster's password") from None
        if fresh:  # only authentic sessions are remembered, and only so many
            self._sessions[session] = cipher
            if len(self._sessions) > _KNOWN_SESSIONS:
                self._sessions.popitem(last=False)
        return data

    def _session_key(self, session: bytes) -> bytes:
        # HKDF (RFC 5869) with one output block: the session id is the salt.
        prk = hmac.new(session, self._master, hashlib.sha256).digest()
        return hmac.new(prk, b"kepil/raft-wire/session\x01", hashlib.sha256).digest()


def _nonce(header: bytes) -> bytes:
    # The sender's message counter, unique under its session key (GCM wants 96 bits).
    return header[_SESSION : _SESSION + _COUNTER] + bytes(4)


_STORED: Final = SimpleNamespace(
    compress=lambda data, level=-1: zlib.compress(data, 0),
    decompress=zlib.decompress,
)


_MESSAGE_PICKLE: Final = SimpleNamespace(
    dumps=lambda obj, protocol=None: pickle.dumps(obj, 5),
    loads=pickle.loads,
)


def install() -> None:
    """Make pysyncobj (nodes and its admin utility) use Sealer, stored deflate and pickle 5 on
    the wire; idempotent."""
    pysyncobj.syncobj.getEncryptor = Sealer
    pysyncobj.utility.getEncryptor = Sealer
    pysyncobj.tcp_connection.zlib = _STORED
    pysyncobj.tcp_connection.pickle = _MESSAGE_PICKLE
