"""A block's working view of the state: typed reads and writes over a committed store.

Writes stay in an overlay until the block ends; a savepoint per transaction lets a refused
transaction leave nothing behind. changes() folds the overlay into a ChangeSet and updates the
state-root accumulator only for keys whose value really changed.
"""

from __future__ import annotations

from typing import Final, TypeVar

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.records import (
    Agreement,
    AssetClass,
    ChainMeta,
    Encumbrance,
    Escrow,
    Freeze,
    Participant,
    Permit,
    Record,
    Redemption,
    SignatureRules,
    Supply,
)
from kepil.ledger.root import state_root, updated
from kepil.ledger.state import ChangeSet, StateReader
from kepil.ledger.statekeys import (
    CHAIN_KEY,
    PERMIT_KEY,
    SIGNATURE_RULES_KEY,
    StateKey,
    Value,
    agreement_key,
    asset_key,
    balance_key,
    escrow_key,
    freeze_key,
    nonce_key,
    participant_key,
    pledge_key,
    redemption_key,
    supply_key,
)

R = TypeVar("R", bound=Record)
_MISSING: Final = object()
_NO_SUPPLY: Final = Supply(0, 0)


class LedgerView:
    """Typed access to the state for one block, with per-transaction savepoints."""

    def __init__(self, base: StateReader) -> None:
        """A view with no changes yet over the committed `base`."""
        self._base = base
        self._writes: dict[StateKey, Value | None] = {}
        self._journal: list[tuple[StateKey, object]] = []

    # Raw access.

    def get(self, key: StateKey) -> Value | None:
        """The value under `key` as this block sees it."""
        value = self._writes.get(key, _MISSING)
        return self._base.get(key) if value is _MISSING else value  # type: ignore[return-value]

    def put(self, key: StateKey, value: Value | None) -> None:
        """Set (or, with None, delete) the value under `key`."""
        self._journal.append((key, self._writes.get(key, _MISSING)))
        self._writes[key] = value

    def savepoint(self) -> int:
        """A mark to roll back to."""
        return len(self._journal)

    def rollback(self, mark: int) -> None:
        """Undo every write since `mark`."""
        while len(self._journal) > mark:
            key, prior = self._journal.pop()
            if prior is _MISSING:
                del self._writes[key]
            else:
                self._writes[key] = prior  # type: ignore[assignment]

    def settle(self) -> None:
        """Forget the undo journal: everything so far stays (called after each transaction)."""
        self._journal.clear()

    def changes(self) -> ChangeSet:
        """The block's net changes and the state root after them."""
        accumulator = self._base.accumulator()
        writes: dict[StateKey, Value | None] = {}
        previous: dict[StateKey, Value | None] = {}
        for key, new in self._writes.items():
            old = self._base.get(key)
            if old == new:
                continue
            accumulator = updated(accumulator, key, old, new)
            writes[key] = new
            previous[key] = old
        return ChangeSet(writes, previous, accumulator, state_root(accumulator))

    def _record(self, key: StateKey, record_type: type[R]) -> R | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, record_type):
            raise TypeError(f"{key} holds {type(value).__name__}, not {record_type.__name__}")
        return value

    def _integer(self, key: StateKey) -> int:
        value = self.get(key)
        if value is None:
            return 0
        if not isinstance(value, int):
            raise TypeError(f"{key} holds {type(value).__name__}, not an integer")
        return value

    # Chain, permit, participants, nonces.

    def chain(self) -> ChainMeta | None:
        """What genesis fixed, or None before genesis."""
        return self._record(CHAIN_KEY, ChainMeta)

    def permit(self) -> Permit | None:
        """The operator's permit, or None before genesis."""
        return self._record(PERMIT_KEY, Permit)

    def signature_rules(self) -> SignatureRules | None:
        """The last scheduled switch of signature rules, or None on a chain that never switched."""
        return self._record(SIGNATURE_RULES_KEY, SignatureRules)

    def participant(self, participant: str) -> Participant | None:
        """The participant with this IIN/BIN, or None."""
        return self._record(participant_key(participant), Participant)

    def nonce(self, signer: str) -> int:
        """The last nonce `signer` used (0 before the first)."""
        return self._integer(nonce_key(signer))

    def set_nonce(self, signer: str, nonce: int) -> None:
        """Record `signer`'s latest nonce."""
        self.put(nonce_key(signer), nonce)

    # Issuers and asset classes.

    def agreement(self, issuer: str) -> Agreement | None:
        """The issuer's agreement with the operator, or None."""
        return self._record(agreement_key(issuer), Agreement)

    def asset(self, asset: str) -> AssetClass | None:
        """The asset class, or None."""
        return self._record(asset_key(asset), AssetClass)

    def supply(self, asset: str) -> Supply:
        """The asset class's supply counters (zeros before the first issue)."""
        return self._record(supply_key(asset), Supply) or _NO_SUPPLY

    # Holdings.

    def balance(self, holder: str, asset: str) -> int:
        """`holder`'s free (unpledged, not escrowed) units of `asset`."""
        return self._integer(balance_key(holder, asset))

    def credit(self, holder: str, asset: str, amount: int) -> None:
        """Add `amount` free units to `holder`."""
        key = balance_key(holder, asset)
        self.put(key, self._integer(key) + amount)

    def debit(self, holder: str, asset: str, amount: int) -> None:
        """Take `amount` free units from `holder`, or refuse with INSUFFICIENT_UNITS."""
        key = balance_key(holder, asset)
        left = self._integer(key) - amount
        if left < 0:
            raise Refusal(ReasonCode.INSUFFICIENT_UNITS)
        # Zero is stored as absence, so equal holdings always hash to equal roots.
        self.put(key, left or None)

    def encumbrance(self, pledge_id: str) -> Encumbrance | None:
        """The encumbrance with this id, or None."""
        return self._record(pledge_key(pledge_id), Encumbrance)

    def escrow(self, escrow_id: str) -> Escrow | None:
        """The open escrow with this id, or None."""
        return self._record(escrow_key(escrow_id), Escrow)

    def redemption(self, redemption_id: str) -> Redemption | None:
        """The recorded redemption with this id, or None."""
        return self._record(redemption_key(redemption_id), Redemption)

    def freeze(self, holder: str, asset: str | None) -> Freeze | None:
        """The freeze of exactly this holder and asset (None: all assets), or None."""
        return self._record(freeze_key(holder, asset), Freeze)

    def is_frozen(self, holder: str, asset: str) -> bool:
        """Whether `holder`'s units of `asset` are frozen, by itself or by a freeze of all."""
        return self.get(freeze_key(holder, None)) is not None or (
            self.get(freeze_key(holder, asset)) is not None
        )
