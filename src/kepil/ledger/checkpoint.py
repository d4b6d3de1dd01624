"""Checkpoints: a node signs (chain id, height, block hash, state root) so divergence shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from kepil.domain.canonical import canonical_bytes
from kepil.ledger.block import Block
from kepil.ledger.crypto import SigningKey, public_key_hex, sign_hex, verify_hex
from kepil.ledger.records import NodeKey

CHECKPOINT_DOMAIN: Final = b"kepil/checkpoint/v1\x00"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One node's signed statement of where the chain stands at a height."""

    chain_id: str
    height: int
    block_hash: str
    state_root: str
    node: str
    key: str
    sig: str

    def message(self) -> bytes:
        """The bytes the node signed."""
        return checkpoint_message(self.chain_id, self.height, self.block_hash, self.state_root)

    def to_json(self) -> dict[str, Any]:
        """The checkpoint as a JSON object."""
        return {
            "chain_id": self.chain_id,
            "height": self.height,
            "block_hash": self.block_hash,
            "state_root": self.state_root,
            "node": self.node,
            "key": self.key,
            "sig": self.sig,
        }


def checkpoint_message(chain_id: str, height: int, block_hash: str, state_root: str) -> bytes:
    """The domain-separated canonical bytes a checkpoint signature covers."""
    statement = {
        "chain_id": chain_id,
        "height": height,
        "block_hash": block_hash,
        "state_root": state_root,
    }
    return CHECKPOINT_DOMAIN + canonical_bytes(statement)


def sign_checkpoint(block: Block, node: str, key: SigningKey) -> Checkpoint:
    """Node `node`'s checkpoint of `block`."""
    h = block.header
    message = checkpoint_message(h.chain_id, h.height, block.hash, h.state_root)
    return Checkpoint(
        h.chain_id,
        h.height,
        block.hash,
        h.state_root,
        node,
        public_key_hex(key),
        sign_hex(key, message),
    )


def checkpoint_valid(checkpoint: Checkpoint, nodes: Iterable[NodeKey]) -> bool:
    """Whether a genesis node signed `checkpoint` with its registered key."""
    registered = {n.name: n.key for n in nodes}
    return registered.get(checkpoint.node) == checkpoint.key and verify_hex(
        checkpoint.key, checkpoint.message(), checkpoint.sig
    )


def agrees_with(checkpoint: Checkpoint, block: Block) -> bool:
    """Whether a (valid) checkpoint states the same block and root as ours at its height."""
    h = block.header
    return (
        checkpoint.chain_id,
        checkpoint.height,
        checkpoint.block_hash,
        checkpoint.state_root,
    ) == (
        h.chain_id,
        h.height,
        block.hash,
        h.state_root,
    )
