"""The node processes `kepil cluster up` runs: which are ready, and why one exited."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from rich.console import Console

from kepil.entrypoints.cli.errors import EXIT_INVALID, fail, os_reason
from kepil.entrypoints.node.config import NodeConfig
from kepil.entrypoints.node.network import start_node

_REASON_LINES: Final = 40
_REASON_CHARS: Final = 300
_ERROR_LEVELS: Final = frozenset({"ERROR", "CRITICAL"})


@dataclass(frozen=True, slots=True)
class _Running:
    """A started node and where its log ended when it started (older lines are not its)."""

    config: NodeConfig
    log_offset: int
    process: subprocess.Popen[bytes]


class NodeWatch:
    """Starts every node of a network and follows them; fails once no majority runs."""

    def __init__(self, console: Console, configs: list[NodeConfig]) -> None:
        """Start a process per node."""
        self.console = console
        self.configs = configs
        self.majority = len(configs) // 2 + 1
        self.running = [_Running(c, _log_size(c), start_node(c)) for c in configs]
        self.processes = [node.process for node in self.running]
        self.ready: set[str] = set()

    def urls(self) -> list[str]:
        """The API URLs of the nodes still running."""
        return [node.config.api_url for node in self.running]

    def summary(self) -> str:
        """How many nodes run, of how many."""
        return f"{len(self.running)} of {len(self.configs)} nodes running"

    def check_exits(self) -> None:
        """Report each node that exited with the reason it logged; fail without a majority."""
        for node in [n for n in self.running if n.process.poll() is not None]:
            self.running.remove(node)
            self.ready.discard(node.config.name)
            # The reason is the node's own text ("[Errno 98] ..."): never read as markup.
            self.console.print(
                f"{node.config.name} exited ({node.process.returncode}): "
                f"{exit_reason(node.config, node.log_offset)}",
                style="red",
                markup=False,
                highlight=False,
                soft_wrap=True,  # one line per exit, whatever the terminal's width
            )
        if len(self.running) < self.majority:
            raise fail(
                f"{self.summary()}, a majority needs {self.majority}: the network cannot commit",
                EXIT_INVALID,
            )

    def all_ready(self, health: Callable[[str], dict[str, Any] | None]) -> bool:
        """Whether every running node answers its health check under its own name."""
        self.check_exits()
        for node in self.running:
            name = node.config.name
            # Another server on the port answers /healthz too: only this node's name counts.
            if name not in self.ready and (health(node.config.api_url) or {}).get("node") == name:
                self.ready.add(name)
        return all(node.config.name in self.ready for node in self.running)


def exit_reason(config: NodeConfig, log_offset: int = 0) -> str:
    """Why a node exited, from what it logged after `log_offset`: its last error, one line."""
    log = config.path.with_suffix(".log")
    try:
        with log.open("rb") as handle:
            handle.seek(log_offset)
            lines = handle.read().decode("utf-8", "replace").splitlines()[-_REASON_LINES:]
    except OSError as error:
        return f"its log is unreadable ({os_reason(error)})"
    messages = [_log_message(line) for line in lines if line.strip()]
    errors = [text for level, text in messages if level in _ERROR_LEVELS]
    found = errors[-1] if errors else (messages[-1][1] if messages else "it logged nothing")
    return f"{' '.join(found.split())[:_REASON_CHARS]} (log: {log})"


def _log_message(line: str) -> tuple[str, str]:
    try:
        record = json.loads(line)
    except ValueError:
        return "", line
    if not isinstance(record, dict):
        return "", line
    return str(record.get("level", "")).upper(), str(record.get("msg", line))


def _log_size(config: NodeConfig) -> int:
    try:
        return config.path.with_suffix(".log").stat().st_size
    except OSError:
        return 0
