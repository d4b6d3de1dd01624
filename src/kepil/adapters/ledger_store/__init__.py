"""The node's ledger store in its own SQLite file: state, blocks, history and their indexes."""

from kepil.adapters.ledger_store.movements import Movement
from kepil.adapters.ledger_store.queries import MovementPage, StateChange, StoredTx
from kepil.adapters.ledger_store.schema import SchemaMismatch
from kepil.adapters.ledger_store.store import CommitRefused, SqliteLedgerStore

__all__ = [
    "CommitRefused",
    "Movement",
    "MovementPage",
    "SchemaMismatch",
    "SqliteLedgerStore",
    "StateChange",
    "StoredTx",
]
