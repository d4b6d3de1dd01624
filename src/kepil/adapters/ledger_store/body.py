"""A block row's body: its transaction ids, results and movements, then its envelopes.

The first line is compact JSON {"ids": [...], "results": [...], "moves": [[tx_index, asset,
kind, sender, recipient, amount, ref], ...]}; each following line is one envelope's canonical
text (canonical JSON escapes every control character, so an envelope never holds a newline).
Written once per block, read back whole: a block is rare to read and cheap to split.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from kepil.adapters.ledger_store.movements import Movement
from kepil.services.ledger.storage import tx_seq


@dataclass(frozen=True, slots=True)
class BlockBody:
    """A block row as read back: its height, time, first movement id and decoded body."""

    height: int
    timestamp: int
    first_movement: int
    ids: list[str]
    results: list[str]
    moves: list[list[Any]]
    envelopes: list[str]

    def movement(self, position: int) -> Movement:
        """The block's movement at `position` (0 = its first), with its id."""
        index, asset, kind, sender, recipient, amount, ref = self.moves[position]
        return Movement(
            self.height, index, self.ids[index], asset, kind, sender, recipient, amount, ref,
            self.first_movement + position,
        )  # fmt: skip

    def positions(self, index: int) -> list[int]:
        """The positions of the movements of the transaction at `index`, in order."""
        return [p for p, move in enumerate(self.moves) if move[0] == index]

    def envelope(self, index: int) -> dict[str, Any]:
        """The envelope of the transaction at `index`, as a JSON object."""
        data: dict[str, Any] = json.loads(self.envelopes[index])
        return data

    def seq(self, index: int) -> int:
        """The chain-wide position of the transaction at `index`."""
        return tx_seq(self.height, index)


def encode_body(
    ids: list[str], results: list[str], moves: list[list[Any]], envelopes: list[str]
) -> str:
    """The body text of a block with these transactions and movements."""
    if any("\n" in envelope for envelope in envelopes):  # never canonical JSON
        raise ValueError("an envelope holds a newline")
    head = json.dumps(
        {"ids": ids, "results": results, "moves": moves}, separators=(",", ":"), ensure_ascii=False
    )
    return "\n".join((head, *envelopes))


def decode_body(height: int, timestamp: int, first_movement: int, text: str) -> BlockBody:
    """The body `encode_body` wrote for the block at `height`."""
    lines = text.split("\n")
    head = json.loads(lines[0])
    return BlockBody(
        height, timestamp, first_movement, head["ids"], head["results"], head["moves"], lines[1:]
    )


BODY_COLUMNS: Final = "height, timestamp, first_movement, body"


class Bodies:
    """The block bodies one read needs, each read and decoded once.

    Each body's text is read under the store's lock and decoded outside it: a 1000-transaction
    body takes milliseconds to decode, and a commit waits for the lock.
    """

    def __init__(self, connection: Callable[[], sqlite3.Connection], lock: threading.RLock) -> None:
        """Read through `connection()`, asked under `lock` (the store's), held only to read."""
        # Asked under the lock, not taken before it: a snapshot installed in between closes
        # the store's connection and opens another.
        self._connection = connection
        self._lock = lock
        self._found: dict[int, BlockBody | None] = {}

    def at(self, height: int) -> BlockBody | None:
        """The body of the block at `height`, or None."""
        if height not in self._found:
            with self._lock:
                row = (
                    self._connection()
                    .execute(
                        f"SELECT {BODY_COLUMNS} FROM blocks WHERE height = ?",  # noqa: S608 - constant
                        (height,),
                    )
                    .fetchone()
                )
            self._found[height] = None if row is None else decode_body(*row)
        return self._found[height]

    def holds(self, height: int) -> bool:
        """Whether the body at `height` was read already (reading it again costs nothing)."""
        return height in self._found

    @property
    def count(self) -> int:
        """How many bodies were read."""
        return len(self._found)

    def of(self, height: int) -> BlockBody:
        """The body of the block at `height`, which an index row says is there."""
        body = self.at(height)
        if body is None:
            raise LookupError(f"the block at height {height} is not in the file")
        return body

    def height_holding(self, movement_id: int) -> int | None:
        """The height of the last block numbering its movements from `movement_id` or below."""
        with self._lock:  # blocks_by_movement holds (first_movement, height): no body is read
            row = (
                self._connection()
                .execute(
                    "SELECT height FROM blocks WHERE first_movement <= ? "
                    "ORDER BY first_movement DESC, height DESC LIMIT 1",
                    (movement_id,),
                )
                .fetchone()
            )
        return None if row is None else int(row[0])


def next_movement(last: BlockBody) -> int:
    """The id the movement after the last block's (`last`) takes."""
    return last.first_movement + len(last.moves)
