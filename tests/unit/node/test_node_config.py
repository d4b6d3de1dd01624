"""node.toml: what a node reads, and a clear error for each thing it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepil.entrypoints.node.config import NodeConfigError, load_node_config
from kepil.entrypoints.node.process import node_trust_settings

GOOD = """
name = "node-2"
chain_id = "kepil-test"
data_dir = "node-2"
api = "127.0.0.1:8102"
raft = "127.0.0.1:9102"
peers = ["127.0.0.1:9101", "127.0.0.1:9103"]
password_file = "cluster.password"
max_block_txs = 500

[peer_api]
node-1 = "http://127.0.0.1:8101"
"""


TEST_PASSWORD = "a-test-password-of-32-characters"


def _write(tmp_path: Path, text: str, password: str = TEST_PASSWORD) -> Path:
    (tmp_path / "cluster.password").write_text(password + "\n")
    path = tmp_path / "node-2.toml"
    path.write_text(text)
    return path


def test_a_node_file_gives_names_addresses_peers_and_paths_relative_to_it(tmp_path: Path) -> None:
    config = load_node_config(_write(tmp_path, GOOD))
    assert (config.name, config.chain_id, config.raft) == ("node-2", "kepil-test", "127.0.0.1:9102")
    assert (config.api_host, config.api_port, config.api_url) == (
        "127.0.0.1", 8102, "http://127.0.0.1:8102",
    )  # fmt: skip
    assert config.peers == ("127.0.0.1:9101", "127.0.0.1:9103")
    assert config.data_dir == tmp_path / "node-2"
    assert config.password == "a-test-password-of-32-characters"
    assert config.max_block_txs == 500
    assert config.peer_api == {"node-1": "http://127.0.0.1:8101"}
    assert "password" not in repr(config).replace("password_file", "")


def test_the_password_may_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEPIL_CLUSTER_PASSWORD", "from-the-environment-000")
    text = GOOD.replace('password_file = "cluster.password"\n', "")
    assert load_node_config(_write(tmp_path, text)).password == "from-the-environment-000"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('raft = "127.0.0.1:9102"', 'raft = "nowhere"'), "`raft` must be"),
        (lambda t: t.replace("9101", "9102"), "must not list this node"),
        (lambda t: t.replace('name = "node-2"\n', ""), "`name` must be"),
        (lambda t: t.replace("max_block_txs = 500", "max_block_txs = 0"), "max_block_txs"),
        (lambda t: t + "\n[[[", "node-2.toml"),
    ],
    ids=["address", "own address among peers", "no name", "block size", "not toml"],
)
def test_a_wrong_node_file_is_refused_naming_the_problem(
    tmp_path: Path, change: object, message: str
) -> None:
    with pytest.raises(NodeConfigError, match=message):
        load_node_config(_write(tmp_path, change(GOOD)))  # type: ignore[operator]


def test_a_short_cluster_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NodeConfigError, match="at least 16 characters"):
        load_node_config(_write(tmp_path, GOOD, password="short"))


def test_a_missing_node_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(NodeConfigError, match="no such file"):
        load_node_config(tmp_path / "absent.toml")


def test_a_node_file_may_name_the_anchors_and_the_ministry_it_trusts(tmp_path: Path) -> None:
    text = GOOD.replace("max_block_txs = 500\n", 'max_block_txs = 500\ntrust_dir = "nca"\n')
    text = text.replace("[peer_api]", 'ministry_bin = "210240044100"\n\n[peer_api]')
    config = load_node_config(_write(tmp_path, text))
    assert (config.trust_dir, config.ministry_bin) == (tmp_path / "nca", "210240044100")
    bare = load_node_config(_write(tmp_path, GOOD))
    assert (bare.trust_dir, bare.ministry_bin) == (None, "")


def test_the_node_trusts_its_files_anchors_over_the_environments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEPIL_LEDGER_MINISTRY_BIN", "990140004654")
    monkeypatch.setenv("KEPIL_TRUST_DIR", str(tmp_path / "env-trust"))
    from_env = node_trust_settings(load_node_config(_write(tmp_path, GOOD)))
    assert (from_env.trust_dir, from_env.ministry_bin) == (tmp_path / "env-trust", "990140004654")
    text = GOOD.replace(
        "[peer_api]", 'trust_dir = "nca"\nministry_bin = "210240044100"\n[peer_api]'
    )
    own = node_trust_settings(load_node_config(_write(tmp_path, text)))
    assert (own.trust_dir, own.ministry_bin) == (tmp_path / "nca", "210240044100")
