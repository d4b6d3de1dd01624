"""node.toml: one platform node's name, addresses, peers, files and tuning.

Example (what `kepil cluster up` writes):

    name = "node-1"
    chain_id = "kepil-local"
    data_dir = "node-1"                      # relative paths are relative to this file
    api = "127.0.0.1:8101"                   # the node's HTTP API
    raft = "127.0.0.1:9101"                  # its consensus address
    peers = ["127.0.0.1:9102", "127.0.0.1:9103"]
    password_file = "cluster.password"       # or KEPIL_CLUSTER_PASSWORD in the environment
    max_block_txs = 1000
    trust_dir = "trust"                      # NCA anchors; else KEPIL_TRUST_DIR (optional)
    ministry_bin = "210240044100"            # else KEPIL_LEDGER_MINISTRY_BIN (optional)

    [peer_api]                               # the others' APIs, for `kepil cluster status`
    node-2 = "http://127.0.0.1:8102"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

PASSWORD_ENV: Final = "KEPIL_CLUSTER_PASSWORD"  # noqa: S105 - a variable name


class NodeConfigError(Exception):
    """The node file is missing, unreadable or inconsistent; the message says where."""


@dataclass(frozen=True, slots=True)
class NodeConfig:
    """One node's settings, paths resolved."""

    path: Path
    name: str
    chain_id: str
    data_dir: Path
    api_host: str
    api_port: int
    raft: str
    peers: tuple[str, ...]
    password: str = field(repr=False)
    max_block_txs: int = 1000
    max_wait_seconds: float = 0.05
    signature_workers: int = 0
    peer_api: dict[str, str] = field(default_factory=dict)
    # Whom the node trusts for the operator's permit (the bridge); None/"": the environment's.
    trust_dir: Path | None = None
    ministry_bin: str = ""

    @property
    def api_url(self) -> str:
        """This node's API base URL."""
        return f"http://{self.api_host}:{self.api_port}"


def load_node_config(path: Path) -> NodeConfig:
    """Read and check a node.toml; raise NodeConfigError naming the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NodeConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise NodeConfigError(f"{path}: {error}") from None
    base = path.parent
    read = _Reader(path, data)
    host, port = _address(path, "api", read.text("api"))
    raft = read.text("raft")
    _address(path, "raft", raft)
    peers = tuple(read.texts("peers"))
    for peer in peers:
        _address(path, "peers", peer)
    if raft in peers:
        raise NodeConfigError(f"{path}: peers must not list this node's own address {raft}")
    return NodeConfig(
        path=path,
        name=read.text("name"),
        chain_id=read.text("chain_id", "kepil-local"),
        data_dir=base / read.text("data_dir"),
        api_host=host,
        api_port=port,
        raft=raft,
        peers=peers,
        password=_password(path, base, data.get("password_file")),
        max_block_txs=read.number("max_block_txs", 1000, 1, 20_000),
        max_wait_seconds=float(read.number("max_wait_ms", 50, 1, 10_000)) / 1000,
        signature_workers=read.number("signature_workers", 0, 0, 64),
        peer_api=read.peer_apis("peer_api"),
        trust_dir=None if "trust_dir" not in data else base / read.text("trust_dir"),
        ministry_bin=read.text("ministry_bin") if "ministry_bin" in data else "",
    )


class _Reader:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path, self.data = path, data

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value:
            raise NodeConfigError(f"{self.path}: `{key}` must be a non-empty string")
        return value

    def texts(self, key: str) -> list[str]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise NodeConfigError(f"{self.path}: `{key}` must be a list of strings")
        return value

    def peer_apis(self, key: str) -> dict[str, str]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise NodeConfigError(f"{self.path}: `[{key}]` must be a table of node = URL")
        for name, url in value.items():
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise NodeConfigError(
                    f"{self.path}: `[{key}] {name}` must be an http:// or https:// URL, not {url!r}"
                )
        return dict(value)

    def number(self, key: str, default: int, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or not low <= value <= high:
            raise NodeConfigError(f"{self.path}: `{key}` must be an integer in {low}..{high}")
        return value


def _address(path: Path, key: str, text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise NodeConfigError(f"{path}: `{key}` must be host:port, not {text!r}")
    return host, int(port)


def _password(path: Path, base: Path, password_file: object) -> str:
    if password_file is None:
        password = os.environ.get(PASSWORD_ENV, "")
        where = f"${PASSWORD_ENV}"
    else:
        if not isinstance(password_file, str):
            raise NodeConfigError(f"{path}: `password_file` must be a path")
        where = str(base / password_file)
        try:
            password = (base / password_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise NodeConfigError(f"{path}: cannot read the cluster password: {error}") from None
        except UnicodeDecodeError:
            raise NodeConfigError(
                f"{path}: the cluster password file {where} is not UTF-8 text"
            ) from None
    if len(password) < 16:
        raise NodeConfigError(
            f"{path}: the cluster password ({where}) must have at least 16 characters; "
            "peers exchange pickled messages, so an open port would run anyone's code"
        )
    return password
