"""node.toml refuses a binary password file and peer APIs that are not URLs, naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepil.entrypoints.node.config import NodeConfigError, load_node_config

NODE = """
name = "node-2"
data_dir = "node-2"
api = "127.0.0.1:8102"
raft = "127.0.0.1:9102"
peers = ["127.0.0.1:9101"]
password_file = "cluster.password"
"""


def _node_file(tmp_path: Path, extra: str = "", password: bytes | None = None) -> Path:
    (tmp_path / "cluster.password").write_bytes(password or b"a-test-password-of-32-characters\n")
    path = tmp_path / "node-2.toml"
    path.write_text(NODE + extra)
    return path


def test_a_binary_password_file_is_refused_as_not_text(tmp_path: Path) -> None:
    path = _node_file(tmp_path, password=bytes(range(128, 256)))
    with pytest.raises(NodeConfigError, match="not UTF-8 text"):
        load_node_config(path)


@pytest.mark.parametrize(
    "table",
    [
        "\n[peer_api]\nnode-1 = 5\n",
        '\n[peer_api]\nnode-1 = "127.0.0.1:8101"\n',
        '\n[peer_api]\nnode-1 = ["http://127.0.0.1:8101"]\n',
    ],
)
def test_a_peer_api_that_is_not_a_url_is_refused_naming_the_node(
    tmp_path: Path, table: str
) -> None:
    with pytest.raises(NodeConfigError, match=r"\[peer_api\] node-1"):
        load_node_config(_node_file(tmp_path, table))


def test_a_peer_api_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NodeConfigError, match="must be a table"):
        load_node_config(_node_file(tmp_path, "peer_api = 5\n"))


def test_peer_apis_that_are_urls_are_kept(tmp_path: Path) -> None:
    config = load_node_config(
        _node_file(tmp_path, '\n[peer_api]\nnode-1 = "http://127.0.0.1:8101"\n')
    )
    assert config.peer_api == {"node-1": "http://127.0.0.1:8101"}
