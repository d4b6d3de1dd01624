"""The node's checkpoint key file: made once, whole, and never replaced by a second maker."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest

import kepil.bootstrap.ledger as wiring
from kepil.bootstrap.ledger import NODE_KEY_FILE, load_or_create_node_key
from kepil.ledger.crypto import public_key_hex

_RIVAL_SEED = "11" * 32  # TEST seed of the process that wins the race, not a real key


def test_a_key_another_process_makes_meanwhile_is_read_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger" / NODE_KEY_FILE
    draw = secrets.token_bytes

    def rival_first(count: int) -> bytes:
        # `kepil serve` and `kepil platform init --embedded` start at once: the other one
        # puts its seed in place while this one is still making its own.
        path.write_text(f"{_RIVAL_SEED}\n")
        return draw(count)

    monkeypatch.setattr(wiring.secrets, "token_bytes", rival_first)
    key = load_or_create_node_key(path)
    monkeypatch.undo()

    assert path.read_text() == f"{_RIVAL_SEED}\n"
    assert public_key_hex(key) == public_key_hex(load_or_create_node_key(path))
    assert bytes(key).hex() == _RIVAL_SEED
    assert [entry.name for entry in path.parent.iterdir()] == [NODE_KEY_FILE]  # no leftovers


def test_a_new_key_file_is_private_and_read_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "ledger" / NODE_KEY_FILE
    made = load_or_create_node_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert bytes(load_or_create_node_key(path)) == bytes(made)
    assert [entry.name for entry in path.parent.iterdir()] == [NODE_KEY_FILE]
