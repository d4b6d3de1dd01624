"""Fakes of issue 21's ports: the permit wing's platform register and outbox, the relay's
store of the same outbox, and a platform's nodes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tests.support.fakes import FakeStore

from kepil.services.bridge.platforms import DeliveryState, Platform
from kepil.services.bridge.relay import (
    ACTION_STATUS,
    DELIVERED,
    SETTLED,
    BuiltTx,
    ChainPermit,
    Committed,
    Delivery,
    NodeRefusal,
    NodeUnavailable,
    Notice,
    change_reference,
)
from kepil.services.permits.platform_ports import SignedStatusChange
from kepil.services.permits.ports import AlreadyStored


@dataclass
class OutboxRow:
    """One delivery as the database keeps it."""

    id: int
    platform_id: int
    change_id: int
    state: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    built_at: int | None = None
    tx_id: str | None = None
    height: int | None = None
    code: str | None = None
    delivered_at: datetime | None = None


class FakePlatformRegister(FakeStore):
    """Platforms, the signed changes and the outbox, in memory."""

    def __init__(self) -> None:
        self.platforms: dict[int, Platform] = {}
        self.removed: set[int] = set()
        self.changes: dict[int, SignedStatusChange] = {}
        self.rows: dict[int, OutboxRow] = {}

    def add(
        self,
        permit_number: str,
        name: str,
        chain_id: str,
        nodes: tuple[str, ...],
        registered_by: str,
        at: datetime,
    ) -> Platform:
        """Register a platform; AlreadyStored for the same permit and chain."""
        same = [
            p
            for p in self.platforms.values()
            if p.permit_number == permit_number and p.chain_id == chain_id
        ]
        if same and same[0].id not in self.removed:
            raise AlreadyStored(chain_id)
        if same:
            self.removed.discard(same[0].id)
            revived = replace(same[0], name=name, nodes=nodes, registered_at=at)
            self.platforms[revived.id] = revived
            return revived
        platform = Platform(len(self.platforms) + 1, permit_number, name, chain_id, nodes, at)
        self.platforms[platform.id] = platform
        return platform

    def hold(self, permit_number: str) -> None:
        """Nothing to lock: the fake runs one unit of work at a time."""

    def of_permit(self, permit_number: str) -> list[Platform]:
        """The permit's platforms with their deliveries."""
        return [
            replace(p, deliveries=tuple(self._states(p.id)))
            for p in self.platforms.values()
            if p.permit_number == permit_number and p.id not in self.removed
        ]

    def record_change(self, change: SignedStatusChange) -> None:
        """Keep the change and queue it for the permit's platforms."""
        change_id = len(self.changes) + 1
        self.changes[change_id] = change
        for platform in self.platforms.values():
            if platform.permit_number == change.permit_number and platform.id not in self.removed:
                self._queue(platform.id, change_id, change.recorded_at)

    def change(self, platform_id: int, name: str, nodes: tuple[str, ...], at: datetime) -> None:
        """New nodes and name; rows not settled are due at `at`."""
        self.platforms[platform_id] = replace(self.platforms[platform_id], name=name, nodes=nodes)
        for row in self._open(platform_id):
            row.next_attempt_at = at

    def remove(self, platform_id: int, at: datetime) -> None:
        """Remove the platform; rows not settled are abandoned."""
        self.removed.add(platform_id)
        for row in self._open(platform_id):
            row.state, row.delivered_at, row.lease_owner, row.lease_until = (
                "abandoned",
                at,
                None,
                None,
            )

    def abandon(self, platform_id: int, change_id: int, at: datetime) -> bool:
        """Abandon the change's row for the platform unless settled."""
        for row in self._open(platform_id):
            if row.change_id == change_id:
                row.state, row.delivered_at, row.lease_owner, row.lease_until = (
                    "abandoned",
                    at,
                    None,
                    None,
                )
                return True
        return False

    def _open(self, platform_id: int) -> list[OutboxRow]:
        return [
            r for r in self.rows.values() if r.platform_id == platform_id and r.state not in SETTLED
        ]

    def last_signed_at(self, permit_number: str) -> int | None:
        """The signing moment of the permit's last recorded change that has one."""
        moments = [
            c.signed_at
            for c in self.changes.values()
            if c.permit_number == permit_number and c.signed_at is not None
        ]
        return max(moments, default=None)

    def queue_latest(self, platform_id: int, permit_number: str, actions: frozenset[str]) -> None:
        """Queue the permit's latest change if its action is one of `actions`."""
        ids = [i for i, c in self.changes.items() if c.permit_number == permit_number]
        if ids and self.changes[max(ids)].action in actions:
            self._queue(platform_id, max(ids), self.platforms[platform_id].registered_at)

    def _queue(self, platform_id: int, change_id: int, at: datetime) -> None:
        for row in self.rows.values():
            if (row.platform_id, row.change_id) == (platform_id, change_id):
                if row.state == "abandoned":
                    row.state, row.attempts, row.next_attempt_at = "pending", 0, at
                return
        row_id = len(self.rows) + 1
        self.rows[row_id] = OutboxRow(row_id, platform_id, change_id, next_attempt_at=at)

    def _states(self, platform_id: int) -> list[DeliveryState]:
        return [
            DeliveryState(
                r.change_id,
                self.changes[r.change_id].action,
                self.changes[r.change_id].recorded_at,
                r.state,
                r.attempts,
                r.last_error,
                r.next_attempt_at,
                r.height,
                r.code,
                r.delivered_at,
                r.tx_id,
            )
            for r in self.rows.values()
            if r.platform_id == platform_id
        ]


@dataclass
class FakeRelayStore:
    """The relay's view of a FakePlatformRegister's outbox; notices land in `told`."""

    register: FakePlatformRegister
    told: list[Notice] = field(default_factory=list)

    def claim(
        self,
        owner: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        skip: frozenset[int] = frozenset(),
    ) -> list[Delivery]:
        """Lease due rows not in `skip`, each platform's oldest unsettled one only, the least
        tried first, then the longest due."""
        heads: dict[int, OutboxRow] = {}
        for row in sorted(self.register.rows.values(), key=lambda r: r.id):
            if row.state not in SETTLED:
                heads.setdefault(row.platform_id, row)
        taken: list[Delivery] = []
        for row in sorted(
            heads.values(), key=lambda r: (r.attempts, r.next_attempt_at or now, r.id)
        ):
            free = row.lease_until is None or row.lease_until <= now
            due = row.next_attempt_at is not None and row.next_attempt_at <= now
            if row.id not in skip and free and due and len(taken) < limit:
                row.lease_owner, row.lease_until = owner, now + lease
                taken.append(self._delivery(row))
        return taken

    def built(self, delivery_id: int, owner: str, built_at: int | None, tx_id: str) -> None:
        """Remember the transaction of the row."""
        row = self.register.rows[delivery_id]
        if row.lease_owner == owner:
            row.built_at, row.tx_id = built_at, tx_id or None

    def delivered(
        self,
        delivery_id: int,
        owner: str,
        committed: Committed | None,
        code: str,
        at: datetime,
        notice: Notice,
        state: str = DELIVERED,
    ) -> bool:
        """Settle the row in `state`."""
        row = self.register.rows[delivery_id]
        if row.lease_owner != owner or row.state in SETTLED:
            return False
        row.state, row.code, row.delivered_at = state, code, at
        row.height = None if committed is None else committed.height
        row.lease_owner = row.lease_until = None
        self.told.append(notice)
        return True

    def failed(
        self,
        delivery_id: int,
        owner: str,
        error: str,
        next_attempt: datetime,
        at: datetime,
        notice: Notice | None,
    ) -> bool:
        """Count the failed attempt."""
        row = self.register.rows[delivery_id]
        if row.lease_owner != owner or row.state in SETTLED:
            return False
        row.state, row.attempts, row.last_error = "failing", row.attempts + 1, error
        row.next_attempt_at = next_attempt
        row.lease_owner = row.lease_until = None
        if notice is not None:
            self.told.append(notice)
        return True

    def _delivery(self, row: OutboxRow) -> Delivery:
        platform = self.register.platforms[row.platform_id]
        change = self.register.changes[row.change_id]
        ids = sorted(
            i for i, c in self.register.changes.items() if c.permit_number == change.permit_number
        )
        later = tuple(
            change_reference(self.register.changes[i].document) for i in ids if i > row.change_id
        )
        return Delivery(
            row.id,
            change.permit_number,
            platform.name,
            platform.chain_id,
            platform.nodes,
            change.document,
            change.cms,
            row.attempts,
            row.built_at,
            later,
            ACTION_STATUS.get(self.register.changes[ids[-1]].action),
        )


@dataclass
class FakeNodes:
    """A platform's nodes over one chain that keeps the ledger's nonce rule for `permit_status`:
    the "ministry" nonce is a change's signing moment, a change not signed later is refused
    (`stale_nonce` at the door), and a change in a block uses its nonce up even when refused
    there (`in_block_refusal`). Which nodes are down, slow or not nodes at all is set per URL."""

    down: set[str] = field(default_factory=set)
    slow: set[str] = field(default_factory=set)
    hanging: set[str] = field(default_factory=set)
    """Nodes that accept a connection and never answer: each call uses up `hang_seconds`."""
    hang_seconds: float = 5.0
    elapsed: float = 0.0
    """Seconds spent waiting on nodes so far: the relay's timer in tests (`timer`)."""
    refuse: str | None = None
    in_block_refusal: str | None = None
    not_nodes: set[str] = field(default_factory=set)
    liars: set[str] = field(default_factory=set)
    """Servers that say `ok` to anything and apply nothing (no chain behind them)."""
    unreadable: set[str] = field(default_factory=set)
    applied: list[bytes] = field(default_factory=list)
    submitted: list[tuple[str, str]] = field(default_factory=list)
    known: dict[str, Committed] = field(default_factory=dict)
    nonce: int = 0
    status: str = "active"
    reference: str = "genesis"
    height: int = 1

    def submit(self, url: str, envelope: bytes) -> None:
        """Take the envelope unless down or refusing; a node that is not slow commits it."""
        if url in self.down:
            raise NodeUnavailable("connection refused")
        if url in self.hanging:
            self.elapsed += self.hang_seconds
            raise NodeUnavailable("timed out")
        if url in self.not_nodes:
            raise NodeRefusal("not_found", "no such address")
        tx_id, signed_at, document = envelope.split(b"|", 2)
        self.submitted.append((url, tx_id.decode()))
        if url in self.liars:
            return
        if tx_id.decode() in self.known:
            return
        if self.refuse is not None:
            raise NodeRefusal(self.refuse, "refused")
        if int(signed_at) <= self.nonce:
            raise NodeRefusal("stale_nonce", "not newer than the last applied")
        if url in self.slow:
            return
        self.known[tx_id.decode()] = self.block(document, int(signed_at))

    def timer(self) -> float:
        """The time the relay has spent on these nodes."""
        return self.elapsed

    def block(self, document: bytes, signed_at: int) -> Committed:
        """A block with the change: its nonce is used up whether it applies or not."""
        self.height += 1
        self.nonce = signed_at
        if self.in_block_refusal is not None:
            return Committed(self.height, self.in_block_refusal)
        self.applied.append(document)
        self.status = ACTION_STATUS[json.loads(document)["action"]]
        self.reference = change_reference(document)
        return Committed(self.height, "ok")

    def committed(self, url: str, tx_id: str, wait: float) -> Committed | None:
        """The block that holds the transaction, if any."""
        if url in self.down:
            raise NodeUnavailable("connection refused")
        if url in self.liars:
            return Committed(424242, "ok")
        return self.known.get(tx_id)

    def permit(self, url: str) -> ChainPermit:
        """The chain's permit: status and the last applied change's reference."""
        if url in self.down or url in self.unreadable:
            raise NodeUnavailable("connection refused")
        return ChainPermit(self.status, self.reference)


def fake_build(chain_id: str, cms: bytes, document: bytes, now: int) -> BuiltTx:
    """A 'transaction' whose id depends on the files and `now`, as the real one's does; the
    fake CMS is the signing moment in decimal, the nonce the envelope carries."""
    if not cms.isdigit():
        raise ValueError("the fake CMS is a signing moment in decimal")
    tx_id = f"{chain_id}-{now}-{abs(hash((cms, document))) % 10**8}"
    return BuiltTx(tx_id, f"{tx_id}|{int(cms)}|".encode() + document)
