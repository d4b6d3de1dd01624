"""The sealed wire between Raft nodes: authentic messages open, anything else is refused."""

from __future__ import annotations

import zlib

import pytest

from kepil.adapters.raft.wire import Sealer, SealError, install

PASSWORD = "a-test-cluster-password"


def test_a_message_sealed_by_one_node_opens_at_another_with_its_timestamp() -> None:
    sender, receiver = Sealer(PASSWORD), Sealer(PASSWORD)
    token = sender.encrypt_at_time(b"append entries", 1234)
    assert receiver.extract_timestamp(token) == 1234
    assert receiver.decrypt(token) == b"append entries"


def test_the_same_message_sealed_twice_gives_two_different_tokens() -> None:
    sender = Sealer(PASSWORD)
    first, second = (sender.encrypt_at_time(b"same", 1) for _ in range(2))
    assert first != second
    assert Sealer(PASSWORD).decrypt(first) == Sealer(PASSWORD).decrypt(second) == b"same"


def test_a_message_is_not_readable_on_the_wire() -> None:
    token = Sealer(PASSWORD).encrypt_at_time(b"secret ledger entry " * 10, 7)
    assert b"secret ledger entry" not in token


def test_another_password_cannot_open_a_message() -> None:
    token = Sealer(PASSWORD).encrypt_at_time(b"entry", 1)
    with pytest.raises(SealError):
        Sealer("another-cluster-password").decrypt(token)


@pytest.mark.parametrize("position", [0, 20, 28, 40, -1])
def test_a_flipped_byte_anywhere_is_refused(position: int) -> None:
    token = bytearray(Sealer(PASSWORD).encrypt_at_time(b"entry data", 99))
    token[position] ^= 0x01
    with pytest.raises(SealError):
        Sealer(PASSWORD).extract_timestamp(bytes(token))


def test_a_changed_timestamp_is_refused_because_it_is_authenticated() -> None:
    token = bytearray(Sealer(PASSWORD).encrypt_at_time(b"entry", 5))
    token[24:32] = (10**9).to_bytes(8, "big")
    with pytest.raises(SealError):
        Sealer(PASSWORD).extract_timestamp(bytes(token))


def test_a_truncated_token_is_refused() -> None:
    with pytest.raises(SealError):
        Sealer(PASSWORD).decrypt(b"short")


def test_decrypt_after_extract_timestamp_returns_the_same_data_for_each_token() -> None:
    sender, receiver = Sealer(PASSWORD), Sealer(PASSWORD)
    one, two = sender.encrypt_at_time(b"one", 1), sender.encrypt_at_time(b"two", 2)
    receiver.extract_timestamp(one)
    assert receiver.decrypt(two) == b"two"
    assert receiver.decrypt(one) == b"one"


def test_install_swaps_pysyncobjs_sealing_and_deflate_level() -> None:
    install()
    import pysyncobj.syncobj
    import pysyncobj.tcp_connection
    import pysyncobj.utility

    assert pysyncobj.syncobj.getEncryptor is Sealer
    assert pysyncobj.utility.getEncryptor is Sealer
    packed = pysyncobj.tcp_connection.zlib.compress(b"x" * 1000, 3)
    assert len(packed) > 1000  # stored, not deflated
    assert zlib.decompress(packed) == b"x" * 1000


def test_install_pickles_messages_with_protocol_5_which_copies_entry_bytes_as_they_are() -> None:
    install()
    import pysyncobj.tcp_connection

    entry = bytes(range(256)) * 64  # binary, as pysyncobj's pickled commands are
    message = {"type": "append_entries", "entries": [(entry, 7, 2)], "commit_index": 6}
    data = pysyncobj.tcp_connection.pickle.dumps(message)
    assert data[:2] == b"\x80\x05"
    assert entry in data  # one copy of the bytes, no latin-1 text to re-encode
    assert pysyncobj.tcp_connection.pickle.loads(data) == message


def test_a_message_pickled_by_pysyncobjs_own_protocol_2_is_still_read() -> None:
    install()
    import pysyncobj.pickle
    import pysyncobj.tcp_connection

    message = {"type": "append_entries_response", "success": True, "entries": [(b"\x00\xff", 1, 1)]}
    assert pysyncobj.tcp_connection.pickle.loads(pysyncobj.pickle.dumps(message)) == message
