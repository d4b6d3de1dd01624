"""`kepil cluster init` writes a network all or nothing, and reads one with a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepil.entrypoints.node import network
from kepil.entrypoints.node.config import NodeConfig
from kepil.entrypoints.node.network import (
    NetworkError,
    NetworkLayout,
    init_network,
    node_configs,
    read_network,
)


def _fail_at_the_second_node(monkeypatch: pytest.MonkeyPatch) -> None:
    real = network.node_public_key

    def flaky(config: NodeConfig) -> str:
        if config.name == "node-2":
            raise OSError(28, "No space left on device")
        return real(config)

    monkeypatch.setattr(network, "node_public_key", flaky)


@pytest.mark.parametrize("exists", [False, True])
def test_a_failure_half_way_leaves_no_file_and_the_retry_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    directory = tmp_path / "net"
    if exists:
        directory.mkdir()
    _fail_at_the_second_node(monkeypatch)
    with pytest.raises(OSError, match="No space"):
        init_network(directory, NetworkLayout(3))
    if exists:
        assert list(directory.iterdir()) == []
    else:
        assert not directory.exists()
    assert [p.name for p in tmp_path.iterdir()] == (["net"] if exists else [])
    monkeypatch.undo()
    cluster = init_network(directory, NetworkLayout(3))
    assert [node["name"] for node in cluster["nodes"]] == ["node-1", "node-2", "node-3"]
    assert len(node_configs(directory)) == 3


def test_files_of_an_earlier_network_are_named_instead_of_overwritten(tmp_path: Path) -> None:
    (tmp_path / "cluster.password").write_text("left over\n")
    with pytest.raises(FileExistsError, match=r"cluster\.password"):
        init_network(tmp_path, NetworkLayout(1))
    assert (tmp_path / "cluster.password").read_text() == "left over\n"


@pytest.mark.parametrize(
    ("nodes", "api_port", "raft_port"), [(5, 65534, 9101), (1, 0, 9101), (2, 8101, 65535)]
)
def test_ports_a_node_cannot_listen_on_are_refused(
    nodes: int, api_port: int, raft_port: int
) -> None:
    with pytest.raises(ValueError, match=r"must lie in 1\.\.65535"):
        NetworkLayout(nodes, api_port=api_port, raft_port=raft_port)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no cluster.json"),
        ("", "unreadable"),
        ("[]", "not a network file"),
        ('{"chain_id": "c", "nodes": [{"name": "node-1"}]}', "each node needs"),
    ],
)
def test_a_directory_without_a_network_is_refused_with_a_reason(
    tmp_path: Path, content: str | None, words: str
) -> None:
    if content is not None:
        (tmp_path / "cluster.json").write_text(content)
    with pytest.raises(NetworkError, match=words):
        read_network(tmp_path)


def test_a_network_without_nodes_has_no_configs(tmp_path: Path) -> None:
    (tmp_path / "cluster.json").write_text('{"chain_id": "c", "nodes": []}')
    with pytest.raises(NetworkError, match="lists no nodes"):
        node_configs(tmp_path)


def test_a_network_laid_out_with_anchors_and_a_ministry_gives_them_to_every_node(
    tmp_path: Path,
) -> None:
    layout = NetworkLayout(2, trust_dir="ministry-trust", ministry_bin="210240044100")
    init_network(tmp_path / "net", layout)
    configs = node_configs(tmp_path / "net")
    assert {(c.trust_dir, c.ministry_bin) for c in configs} == {
        (tmp_path / "net" / "ministry-trust", "210240044100")
    }


def test_a_network_laid_out_on_named_hosts_puts_each_node_at_its_place(tmp_path: Path) -> None:
    places = (("10.0.0.1", 8101, 9101), ("10.0.0.2", 8101, 9101), ("127.0.0.1", 8203, 9203))
    init_network(tmp_path / "net", NetworkLayout(3, places=places))
    configs = node_configs(tmp_path / "net")
    assert [(c.api_host, c.api_port, c.raft) for c in configs] == [
        ("10.0.0.1", 8101, "10.0.0.1:9101"),
        ("10.0.0.2", 8101, "10.0.0.2:9101"),
        ("127.0.0.1", 8203, "127.0.0.1:9203"),
    ]
    assert configs[0].peers == ("10.0.0.2:9101", "127.0.0.1:9203")
    assert configs[1].peer_api["node-3"] == "http://127.0.0.1:8203"


@pytest.mark.parametrize(
    ("places", "why"),
    [
        ((("10.0.0.1", 8101, 9101),), "1 node addresses for 2 nodes"),
        ((("10.0.0.1", 0, 9101), ("10.0.0.2", 8101, 70000)), "ports must lie in"),
    ],
)
def test_named_places_that_do_not_fit_are_refused(
    places: tuple[tuple[str, int, int], ...], why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        NetworkLayout(2, places=places)
