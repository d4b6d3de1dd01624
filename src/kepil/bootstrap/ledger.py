"""The ledger node's composition root: one assembly for `kepil serve` and for `kepil node`.

A node is its key file, its SQLite ledger, an executor checking the Ministry's permits and
status changes with the CMS permit verifier (the anchors of KEPIL_TRUST_DIR and the Ministry's
BIN, KEPIL_LEDGER_MINISTRY_BIN or else KEPIL_PROVIDER_BIN), a signature checker and, in a
network, a Raft replica whose journal lives beside the ledger. `kepil serve` embeds one node
under `<data dir>/ledger/`; `kepil node` runs one member of a network from its node.toml (the
entry point reads it into a LedgerNodeSpec and a RaftMembership).
The ledger's writes go through a message bus with the node bound into their handlers.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from kepil.adapters.ledger_permit import CmsPermitVerifier
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.adapters.raft import RaftLog, RaftSettings
from kepil.bootstrap import eds_trust_store
from kepil.config import Settings
from kepil.domain.clock import Clock
from kepil.ledger import Executor, PermitVerifier, default_registry
from kepil.ledger.crypto import SigningKey, public_key_hex
from kepil.ledger.records import NodeKey
from kepil.services.ledger.commands import (
    SubmitTransaction,
    SubmitTransactions,
    submit_transaction,
    submit_transactions,
)
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings
from kepil.services.ledger.signatures import InlineChecker, ProcessPoolChecker, SignatureChecker
from kepil.services.ledger.storage import LedgerStorage
from kepil.services.messagebus import Command, MessageBus, inject

log = logging.getLogger("kepil.ledger.wiring")

NODE_NAME: Final = "node-1"  # the embedded node's name (genesis lists it so)
NODE_KEY_FILE: Final = "node-key.seed"
LEDGER_FILE: Final = "ledger.sqlite3"
RAFT_DIR: Final = "raft"
EMBEDDED_DIR: Final = "ledger"  # the embedded node's directory inside the data directory
_SEED_BYTES: Final = 32

_HANDLERS: Final[dict[type[Command[Any]], Any]] = {
    SubmitTransaction: submit_transaction,
    SubmitTransactions: submit_transactions,
}


@dataclass(frozen=True, slots=True)
class LedgerNodeSpec:
    """What one node is made of; `directory` holds its key file, its ledger and its journal."""

    name: str
    chain_id: str
    directory: Path
    signature_workers: int = 0
    settings: NodeSettings | None = None


@dataclass(frozen=True, slots=True)
class RaftMembership:
    """A node's place in a network: its consensus address, its peers', the shared secret."""

    address: str
    peers: tuple[str, ...]
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """A stopped node of a network and its consensus engine, attached to it."""

    node: LedgerNode
    raft: RaftLog


def embedded_spec(
    settings: Settings,
    *,
    chain_id: str | None = None,
    node_settings: NodeSettings | None = None,
) -> LedgerNodeSpec:
    """The embedded node `kepil serve` runs, over `settings.data_dir/ledger`."""
    return LedgerNodeSpec(
        name=NODE_NAME,
        chain_id=chain_id or settings.ledger_chain_id,
        directory=settings.data_dir / EMBEDDED_DIR,
        signature_workers=settings.ledger_signature_workers,
        settings=node_settings,
    )


def create_ledger_node(
    settings: Settings,
    clock: Clock,
    *,
    storage: LedgerStorage | None = None,
    verifier: PermitVerifier | None = None,
    chain_id: str | None = None,
    node_settings: NodeSettings | None = None,
) -> LedgerNode:
    """The stopped embedded node over `settings.data_dir/ledger`, keyed by its node key file.

    Tests may pass other storage or another permit verifier.
    """
    spec = embedded_spec(settings, chain_id=chain_id, node_settings=node_settings)
    key = load_or_create_node_key(spec.directory / NODE_KEY_FILE)
    store = SqliteLedgerStore(spec.directory / LEDGER_FILE) if storage is None else storage
    node = _node(spec, key, store, clock, verifier or permit_verifier(settings, clock))
    warn_unless_genesis_lists(node)
    # And when the genesis commits while the node runs: the operator learns it at once.
    node.on_commit(
        lambda block: warn_unless_genesis_lists(node) if block.header.height == 0 else None
    )
    return node


def embedded_node_key(settings: Settings) -> NodeKey:
    """The embedded node's name and checkpoint public key, as its genesis must list them.

    The key is the node's own: `<data dir>/ledger/node-key.seed`, created once (mode 0600) by
    whichever comes first, this or `kepil serve`, and read by the other.
    """
    key = load_or_create_node_key(embedded_spec(settings).directory / NODE_KEY_FILE)
    return NodeKey(NODE_NAME, public_key_hex(key))


def genesis_lists_node(node: LedgerNode) -> bool | None:
    """Whether the chain's genesis lists `node`'s name with its checkpoint key; None before it."""
    chain = node.chain()
    if chain is None:
        return None
    return NodeKey(node.name, node.public_key) in chain.nodes


def warn_unless_genesis_lists(node: LedgerNode) -> None:
    """Log a warning when the chain's genesis does not list this node's checkpoint key.

    Such a chain (a data directory from before `kepil platform init`, or a hand-made genesis
    naming another key) keeps working: blocks commit and are checkpointed, but no receipt is
    ever confirmed, since genesis fixes the nodes whose checkpoints count and cannot change.
    """
    if genesis_lists_node(node) is False:
        chain = node.chain()
        listed = ", ".join(f"{n.name}={n.key[:16]}" for n in chain.nodes) if chain else ""
        log.warning(
            "the genesis does not list this node's checkpoint key: the chain works, but its "
            "receipts stay unconfirmed (a chain started with `kepil platform init` lists it)",
            extra={"node": node.name, "public_key": node.public_key, "genesis_nodes": listed},
        )


def permit_verifier(settings: Settings, clock: Clock) -> PermitVerifier:
    """The node's judge of the Ministry's documents: KEPIL_TRUST_DIR's anchors and its BIN.

    Never anything the chain brings: a genesis cannot name whom the node trusts.
    """
    if not settings.ministry_bin:
        log.warning(
            "no Ministry BIN configured (KEPIL_LEDGER_MINISTRY_BIN or KEPIL_PROVIDER_BIN): "
            "this node accepts no genesis permit and no permit status change"
        )
    return CmsPermitVerifier(eds_trust_store(settings, clock), settings.ministry_bin)


def create_network_node(
    spec: LedgerNodeSpec,
    membership: RaftMembership,
    clock: Clock,
    verifier: PermitVerifier,
) -> NetworkNode:
    """A stopped node of a network, its Raft replica journaling in `spec.directory/raft`."""
    spec.directory.mkdir(parents=True, exist_ok=True)
    key = load_or_create_node_key(spec.directory / NODE_KEY_FILE)
    store = SqliteLedgerStore(spec.directory / LEDGER_FILE)
    node = _node(spec, key, store, clock, verifier)
    raft = RaftLog(
        RaftSettings(
            membership.address, membership.peers, membership.password, spec.directory / RAFT_DIR
        ),
        node.replicate(),
        snapshots=store,
    )
    node.attach(raft)
    return NetworkNode(node, raft)


def _node(
    spec: LedgerNodeSpec,
    key: SigningKey,
    storage: LedgerStorage,
    clock: Clock,
    verifier: PermitVerifier,
) -> LedgerNode:
    executor = Executor(spec.chain_id, default_registry(verifier))
    workers = spec.signature_workers
    checker: SignatureChecker = ProcessPoolChecker(workers) if workers else InlineChecker()
    return LedgerNode(
        executor, storage, clock, NodeIdentity(spec.name, key), spec.settings, checker
    )


def register_ledger_handlers(bus: MessageBus, node: LedgerNode) -> None:
    """Route the ledger's commands on `bus` to their handlers, with `node` bound into them."""
    for command_type, handler in _HANDLERS.items():
        bus.register(command_type, inject(handler, {"node": node}))


def ledger_bus(node: LedgerNode) -> MessageBus:
    """A bus of the ledger's commands alone (a network node's whole application)."""
    bus = MessageBus()
    register_ledger_handlers(bus, node)
    return bus


def routes_ledger_commands(bus: MessageBus) -> bool:
    """Whether `bus` has every ledger command's handler (register_ledger_handlers ran on it)."""
    return all(command_type in bus.commands for command_type in _HANDLERS)


def load_or_create_node_key(path: Path) -> SigningKey:
    """The node's checkpoint key from its seed file (hex), created with mode 0600 if missing.

    Safe when two processes start at once (`kepil serve` and `kepil platform init --embedded`):
    the seed is written whole to a private temporary file and linked into place, so the seed
    file is never seen half-written, and whoever links second reads the first one's seed.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_seed(path)
    seed_hex = path.read_text().strip()
    try:
        return SigningKey(bytes.fromhex(seed_hex))
    except ValueError as error:
        raise ValueError(f"{path} does not hold a 32-byte hex seed: {error}") from None


def _create_seed(path: Path) -> None:
    """Link a new seed file into `path` unless one is there already (then leave it be)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp makes it mode 0600
            handle.write(f"{secrets.token_bytes(_SEED_BYTES).hex()}\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return  # another process made it first: its seed is the node's key
        log.info("created the ledger node key", extra={"path": str(path)})
    finally:
        os.unlink(temporary)
