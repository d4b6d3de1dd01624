"""The pure ledger core: transactions, their types, blocks, state and the state root.

No I/O, no clock: time arrives as block timestamps. Storage, the node, the API and the wallet
build on these interfaces (see state.StateStore, block.apply_block, build.signed_tx).
"""

from kepil.ledger.block import (
    GENESIS_PREVIOUS,
    Block,
    BlockHeader,
    BlockMismatch,
    BlockOutcome,
    BlockProposal,
    BlockRejected,
    TxResult,
    apply_block,
    block_rules,
    preverify_rules,
    replay_block,
)
from kepil.ledger.build import PAYLOAD_TYPES, payload_from_json, signed_tx, window_at
from kepil.ledger.checkpoint import Checkpoint, agrees_with, checkpoint_valid, sign_checkpoint
from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.crypto import key_from_seed, public_key_hex
from kepil.ledger.executor import Executor, signatures_valid
from kepil.ledger.handler import Payload, Registry, TxContext, TxHandler
from kepil.ledger.permits import PermitFacts, PermitRefusal, PermitVerifier, StatusChangeFacts
from kepil.ledger.registry import default_registry
from kepil.ledger.state import ChainHead, ChangeSet, MemoryState, StateReader, StateStore
from kepil.ledger.tx import MINISTRY, SignedTx, TxSignature, UnsignedTx, Window, build_tx, decode_tx
from kepil.ledger.view import LedgerView

__all__ = [
    "GENESIS_PREVIOUS",
    "MINISTRY",
    "PAYLOAD_TYPES",
    "Block",
    "BlockHeader",
    "BlockMismatch",
    "BlockOutcome",
    "BlockProposal",
    "BlockRejected",
    "ChainHead",
    "ChangeSet",
    "Checkpoint",
    "Executor",
    "LedgerView",
    "MemoryState",
    "Payload",
    "PermitFacts",
    "PermitRefusal",
    "PermitVerifier",
    "ReasonCode",
    "Refusal",
    "Registry",
    "SignedTx",
    "StateReader",
    "StateStore",
    "StatusChangeFacts",
    "TxContext",
    "TxHandler",
    "TxResult",
    "TxSignature",
    "UnsignedTx",
    "Window",
    "agrees_with",
    "apply_block",
    "block_rules",
    "build_tx",
    "checkpoint_valid",
    "decode_tx",
    "default_registry",
    "key_from_seed",
    "payload_from_json",
    "preverify_rules",
    "public_key_hex",
    "replay_block",
    "sign_checkpoint",
    "signatures_valid",
    "signed_tx",
    "window_at",
]
