"""Runs one transaction through its stages against a block's view, yielding ok or a reason.

1. static: chain id, type, window shape, signature coverage, payload shape, signatures;
2. envelope at block time: window, each signer's current key and status, fresh nonces;
3. the signers' nonces are consumed; then the handler authorises, validates and applies.
A refusal in 1-2 leaves no trace but its reason code in the block. A refusal in 3 still consumes
the nonces, so an authentic transaction refused for a business reason cannot be replayed later
when the state would let it pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.handler import Registry, TxContext, TxHandler
from kepil.ledger.sigrules import GENESIS_RULES, NOT_CHECKED, covers, verifier
from kepil.ledger.tx import SignedTx, signing_message
from kepil.ledger.view import LedgerView

MAX_WINDOW_SECONDS: Final = 31 * 24 * 3600
MAX_REMEMBERED: Final = 200_000  # admitted transactions whose static check is kept for execution


def signatures_valid(tx: SignedTx, rules: int = GENESIS_RULES) -> bool:
    """Whether every signature on `tx` verifies under signature rules `rules`: pure, so a
    worker pool may run it."""
    return pairs_valid(tx.tx_id, [(s.key, s.sig) for s in tx.sigs], rules)


def pairs_valid(tx_id: str, pairs: Iterable[tuple[str, str]], rules: int = GENESIS_RULES) -> bool:
    """Whether every (public key, signature) pair signs the id; plain strings for workers."""
    message = signing_message(tx_id)
    verify = verifier(rules)
    return all(verify(key, message, sig) for key, sig in pairs)


@dataclass(frozen=True, slots=True)
class Checked:
    """A transaction past static validation: its handler, parsed payload, and the signature
    rules its signatures were verified under (sigrules.py)."""

    tx: SignedTx
    handler: TxHandler[Any]
    payload: Any
    rules: int = NOT_CHECKED


class Executor:
    """Validates and applies transactions of one chain with one registry of types."""

    def __init__(self, chain_id: str, registry: Registry) -> None:
        """Execute transactions of `chain_id` with the types in `registry`."""
        self.chain_id = chain_id
        self.registry = registry
        # Admission's static check, reused when the very same object is executed (no second
        # parse of the payload). Plain dict operations, so safe across threads under the GIL.
        self._admitted: dict[str, Checked] = {}

    def admit(
        self, tx: SignedTx, signatures_checked: int = NOT_CHECKED, rules: int = GENESIS_RULES
    ) -> Checked:
        """static_check, remembered for when this same object is executed; raise Refusal.

        `signatures_checked` is the rules version the caller verified the signatures under
        (True counts as version 1); else they are verified here under `rules`.
        """
        checked = self.static_check(tx, signatures_checked, rules)
        if len(self._admitted) >= MAX_REMEMBERED:
            self._admitted.clear()  # only an optimisation: forgetting costs a second parse
        self._admitted[tx.tx_id] = checked
        return checked

    def admitted_rules(self, tx: SignedTx) -> int:
        """The rules version admit() verified this very object's signatures under, or 0."""
        remembered = self._admitted.get(tx.tx_id)
        return remembered.rules if remembered is not None and remembered.tx is tx else NOT_CHECKED

    def forget(self, tx: SignedTx) -> None:
        """Drop what admit() remembered of `tx` (it will not be executed here)."""
        self._admitted.pop(tx.tx_id, None)

    def static_check(
        self, tx: SignedTx, signatures_checked: int = NOT_CHECKED, rules: int = GENESIS_RULES
    ) -> Checked:
        """Stage 1, needing no state; raise Refusal. Signatures are verified under `rules`
        unless already verified under a version that covers it (`signatures_checked`)."""
        unsigned = tx.unsigned
        if unsigned.chain != self.chain_id:
            raise Refusal(ReasonCode.WRONG_CHAIN)
        handler = self.registry.get(unsigned.type)
        if handler is None:
            raise Refusal(ReasonCode.UNKNOWN_TYPE, unsigned.type)
        span = unsigned.not_after - unsigned.not_before
        if not 0 <= span <= MAX_WINDOW_SECONDS:
            raise Refusal(ReasonCode.BAD_WINDOW)
        if len(tx.sigs) != len(unsigned.nonces):
            unsigned_by = sorted(set(unsigned.nonces) - {sig.by for sig in tx.sigs})
            raise Refusal(
                ReasonCode.MISSING_SIGNATURE, f"not yet signed by {', '.join(unsigned_by)}"
            )
        payload = handler.static_validate(tx)
        if covers(signatures_checked, rules):
            return Checked(tx, handler, payload, int(signatures_checked))  # True: version 1
        if not signatures_valid(tx, rules):
            raise Refusal(ReasonCode.BAD_SIGNATURE)
        return Checked(tx, handler, payload, rules)

    def execute(
        self,
        tx: SignedTx,
        view: LedgerView,
        height: int,
        timestamp: int,
        signatures_checked: int = NOT_CHECKED,
        rules: int = GENESIS_RULES,
    ) -> ReasonCode | None:
        """Run every stage; None when the transaction applied, else why it was refused.

        `rules` is the signature rules version of the block; `signatures_checked` the version
        the caller verified the signatures under (0: not verified). A check under a later
        version than the block's does not count: the signatures are verified again.
        """
        try:
            remembered = self._admitted.pop(tx.tx_id, None)
            if (
                remembered is not None
                and remembered.tx is tx
                and covers(signatures_checked, rules)
                and covers(remembered.rules, rules)
            ):
                checked = remembered
            else:
                checked = self.static_check(tx, signatures_checked, rules)
            ctx = self._check_envelope(checked, view, height, timestamp)
        except Refusal as refusal:
            return refusal.code
        for signer, nonce in tx.unsigned.nonces.items():
            view.set_nonce(signer, nonce)
        mark = view.savepoint()
        handler, payload = checked.handler, checked.payload
        try:
            handler.authorise(payload, ctx.signers, view)
            handler.dynamic_validate(payload, ctx, view)
            handler.apply(payload, ctx, view)
        except Refusal as refusal:
            view.rollback(mark)
            view.settle()
            return refusal.code
        view.settle()
        return None

    def _check_envelope(
        self, checked: Checked, view: LedgerView, height: int, timestamp: int
    ) -> TxContext:
        unsigned = checked.tx.unsigned
        if checked.handler.needs_chain and view.chain() is None:
            raise Refusal(ReasonCode.NOT_INITIALISED)
        if timestamp < unsigned.not_before:
            raise Refusal(ReasonCode.NOT_YET_VALID)
        if timestamp > unsigned.not_after:
            raise Refusal(ReasonCode.EXPIRED)
        for sig in checked.tx.sigs:
            if checked.handler.signer_key(sig.by, checked.payload, view) != sig.key:
                raise Refusal(ReasonCode.SIGNER_KEY_MISMATCH, sig.by)
            if unsigned.nonces[sig.by] <= view.nonce(sig.by):
                raise Refusal(ReasonCode.STALE_NONCE, sig.by)
        signers = frozenset(unsigned.nonces)
        return TxContext(checked.tx.tx_id, self.chain_id, height, timestamp, signers)
