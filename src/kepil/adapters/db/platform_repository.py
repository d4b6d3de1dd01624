"""SQL stores of issue 21: the platforms registered for a permit with the outbox of registry
changes (in the permit wing's unit of work), and the relay's view of the same outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    and_,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import aliased

from kepil.adapters.db.permit_repositories import insert_once
from kepil.adapters.db.permit_tables import notifications
from kepil.adapters.db.platform_tables import (
    permit_platforms,
    permit_status_changes,
    platform_deliveries,
)
from kepil.adapters.db.tables import registry_entries
from kepil.services.bridge.platforms import DeliveryState, Platform
from kepil.services.bridge.relay import (
    ABANDONED,
    ACTION_STATUS,
    DELIVERED,
    SETTLED,
    Committed,
    Delivery,
    Notice,
    change_reference,
)
from kepil.services.permits.platform_ports import SignedStatusChange
from kepil.services.permits.ports import AlreadyStored

PENDING, FAILING = "pending", "failing"


class SqlPlatformRegister:
    """Platforms and the outbox, in the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def hold(self, permit_number: str) -> None:
        """Lock the permit's registry entry until the transaction ends (SELECT … FOR UPDATE;
        SQLite has one writer at a time anyway), as a status change does by updating it."""
        self._connection.execute(
            select(registry_entries.c.registry_number)
            .where(registry_entries.c.permit_number == permit_number)
            .with_for_update()
        ).all()

    def add(
        self,
        permit_number: str,
        name: str,
        chain_id: str,
        nodes: tuple[str, ...],
        registered_by: str,
        at: datetime,
    ) -> Platform:
        """Register a platform; AlreadyStored if the permit has that chain already."""
        row = {
            "permit_number": permit_number,
            "name": name,
            "chain_id": chain_id,
            "nodes": json.dumps(list(nodes)),
            "registered_by": registered_by,
            "registered_at": at,
        }
        if not insert_once(self._connection, permit_platforms, row):
            # A platform removed from the permit comes back with its history.
            revived = self._connection.execute(
                update(permit_platforms)
                .where(
                    permit_platforms.c.permit_number == permit_number,
                    permit_platforms.c.chain_id == chain_id,
                    permit_platforms.c.removed_at.is_not(None),
                )
                .values({**row, "removed_at": None})
                .returning(permit_platforms.c.id)
            ).first()
            if revived is None:
                raise AlreadyStored(f"platform {chain_id} of {permit_number}")
        platform_id = self._connection.execute(
            select(permit_platforms.c.id).where(
                permit_platforms.c.permit_number == permit_number,
                permit_platforms.c.chain_id == chain_id,
            )
        ).scalar_one()
        return Platform(int(platform_id), permit_number, name, chain_id, nodes, at)

    def of_permit(self, permit_number: str) -> list[Platform]:
        """The permit's platforms with their deliveries, in registration order."""
        platforms = self._connection.execute(
            select(permit_platforms)
            .where(
                permit_platforms.c.permit_number == permit_number,
                permit_platforms.c.removed_at.is_(None),
            )
            .order_by(permit_platforms.c.id)
        ).all()
        if not platforms:
            return []
        d, c = platform_deliveries, permit_status_changes
        rows = self._connection.execute(
            select(d, c.c.action, c.c.recorded_at)
            .join(c, c.c.id == d.c.change_id)
            .where(d.c.platform_id.in_([p.id for p in platforms]))
            .order_by(d.c.id)
        ).all()
        deliveries: dict[int, list[DeliveryState]] = {}
        for row in rows:
            deliveries.setdefault(int(row.platform_id), []).append(_state(row))
        return [_platform(p, deliveries.get(int(p.id), ())) for p in platforms]

    def record_change(self, change: SignedStatusChange) -> None:
        """Keep the signed files and queue them for every platform of the permit."""
        change_id = self._connection.execute(
            insert(permit_status_changes)
            .values(
                permit_number=change.permit_number,
                registry_number=change.registry_number,
                application_number=change.application_number,
                holder=change.holder,
                action=change.action,
                document=change.document,
                cms=change.cms,
                recorded_at=change.recorded_at,
                signed_at=change.signed_at,
            )
            .returning(permit_status_changes.c.id)
        ).scalar_one()
        platform_ids = self._connection.execute(
            select(permit_platforms.c.id).where(
                permit_platforms.c.permit_number == change.permit_number,
                permit_platforms.c.removed_at.is_(None),
            )
        ).scalars()
        for platform_id in platform_ids:
            self._queue(int(platform_id), int(change_id), change.recorded_at)

    def change(self, platform_id: int, name: str, nodes: tuple[str, ...], at: datetime) -> None:
        """Give the platform these nodes and name; its rows not settled are due at `at`."""
        self._connection.execute(
            update(permit_platforms)
            .where(permit_platforms.c.id == platform_id)
            .values(name=name, nodes=json.dumps(list(nodes)))
        )
        d = platform_deliveries
        self._connection.execute(
            update(d)
            .where(d.c.platform_id == platform_id, d.c.state.not_in(SETTLED))
            .values(next_attempt_at=at)
        )

    def remove(self, platform_id: int, at: datetime) -> None:
        """Remove the platform (kept with its history); its rows not settled are abandoned."""
        self._connection.execute(
            update(permit_platforms)
            .where(permit_platforms.c.id == platform_id)
            .values(removed_at=at)
        )
        d = platform_deliveries
        self._connection.execute(
            update(d)
            .where(d.c.platform_id == platform_id, d.c.state.not_in(SETTLED))
            .values(_abandoned(at))
        )

    def abandon(self, platform_id: int, change_id: int, at: datetime) -> bool:
        """Abandon the change's row for the platform; False if it is settled or not there."""
        d = platform_deliveries
        done = self._connection.execute(
            update(d)
            .where(
                d.c.platform_id == platform_id,
                d.c.change_id == change_id,
                d.c.state.not_in(SETTLED),
            )
            .values(_abandoned(at))
            .returning(d.c.id)
        ).first()
        return done is not None

    def last_signed_at(self, permit_number: str) -> int | None:
        """The signing moment of the permit's last recorded change that has one."""
        c = permit_status_changes
        found = self._connection.execute(
            select(func.max(c.c.signed_at)).where(c.c.permit_number == permit_number)
        ).scalar_one()
        return None if found is None else int(found)

    def queue_latest(self, platform_id: int, permit_number: str, actions: frozenset[str]) -> None:
        """Queue the permit's latest change for the platform if its action is one of these."""
        latest = self._connection.execute(
            select(permit_status_changes.c.id, permit_status_changes.c.action)
            .where(permit_status_changes.c.permit_number == permit_number)
            .order_by(permit_status_changes.c.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.action in actions:
            registered_at = self._connection.execute(
                select(permit_platforms.c.registered_at).where(permit_platforms.c.id == platform_id)
            ).scalar_one()
            self._queue(platform_id, int(latest.id), registered_at)

    def _queue(self, platform_id: int, change_id: int, at: datetime) -> None:
        d = platform_deliveries
        # A platform removed and registered again has its row for the change already: due again
        # if it was abandoned with the removal, left as it is otherwise.
        known = self._connection.execute(
            select(d.c.state).where(d.c.platform_id == platform_id, d.c.change_id == change_id)
        ).first()
        if known is not None and known.state != ABANDONED:
            return
        again = self._connection.execute(
            update(d)
            .where(d.c.platform_id == platform_id, d.c.change_id == change_id)
            .values(
                state=PENDING,
                attempts=0,
                last_error=None,
                next_attempt_at=at,
                built_at=None,
                tx_id=None,
                height=None,
                code=None,
                delivered_at=None,
            )
            .returning(d.c.id)
        ).first()
        if again is not None:
            return
        self._connection.execute(
            insert(platform_deliveries).values(
                platform_id=platform_id,
                change_id=change_id,
                state=PENDING,
                attempts=0,
                next_attempt_at=at,
                created_at=at,
            )
        )


class SqlRelayStore:
    """The relay's side of the outbox: each call is a short transaction of its own."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(
        self,
        owner: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        skip: frozenset[int] = frozenset(),
    ) -> list[Delivery]:
        """Lease up to `limit` due rows not in `skip`, each platform's oldest unsettled change
        only, the least tried first, then the longest due."""
        d = platform_deliveries
        older = aliased(platform_deliveries)
        free = or_(d.c.lease_until.is_(None), d.c.lease_until <= now)
        waiting = (
            select(older.c.id)
            .where(
                older.c.platform_id == d.c.platform_id,
                older.c.state.not_in(SETTLED),
                older.c.id < d.c.id,
            )
            .exists()
        )
        due = (
            select(d.c.id)
            .where(d.c.state.not_in(SETTLED), d.c.next_attempt_at <= now, free, ~waiting)
            .where(d.c.id.not_in(skip) if skip else true())
            .order_by(d.c.attempts, d.c.next_attempt_at, d.c.id)
            .limit(limit)
        )
        with self._engine.begin() as connection:
            claimed = []
            for delivery_id in connection.execute(due).scalars().all():
                # The condition is checked again as the row is written: of two relays that
                # chose the same row, the second finds it leased and leaves it.
                taken = connection.execute(
                    update(d)
                    .where(d.c.id == delivery_id, d.c.state.not_in(SETTLED), free)
                    .values(lease_owner=owner, lease_until=now + lease)
                    .returning(d.c.id)
                ).first()
                if taken is not None:
                    claimed.append(int(delivery_id))
            return _deliveries(connection, claimed)

    def built(self, delivery_id: int, owner: str, built_at: int | None, tx_id: str) -> None:
        """Remember the transaction a row is sent as (None: build afresh next time)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(platform_deliveries)
                .where(_held(delivery_id, owner))
                .values(built_at=built_at, tx_id=tx_id or None)
            )

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
        """Settle the row in `state` (one of SETTLED) and tell the holder; False if the lease
        was lost."""
        if state not in SETTLED:
            raise ValueError(f"{state!r} is not a settled state")
        with self._engine.begin() as connection:
            done = connection.execute(
                update(platform_deliveries)
                .where(_held(delivery_id, owner))
                .values(
                    state=state,
                    height=None if committed is None else committed.height,
                    code=code,
                    delivered_at=at,
                    last_error=None,
                    lease_owner=None,
                    lease_until=None,
                )
                .returning(platform_deliveries.c.id)
            ).first()
            if done is None:
                return False
            _tell(connection, delivery_id, notice, at)
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
        """Count a failed attempt and when to try again; False if the lease was lost."""
        with self._engine.begin() as connection:
            done = connection.execute(
                update(platform_deliveries)
                .where(_held(delivery_id, owner))
                .values(
                    state=FAILING,
                    attempts=platform_deliveries.c.attempts + 1,
                    last_error=error[:2000],
                    next_attempt_at=next_attempt,
                    lease_owner=None,
                    lease_until=None,
                )
                .returning(platform_deliveries.c.id)
            ).first()
            if done is None:
                return False
            if notice is not None:
                _tell(connection, delivery_id, notice, at)
            return True


def _abandoned(at: datetime) -> dict[str, object]:
    return {
        "state": ABANDONED,
        "code": None,
        "delivered_at": at,
        "lease_owner": None,
        "lease_until": None,
    }


def _held(delivery_id: int, owner: str) -> ColumnElement[bool]:
    d = platform_deliveries
    return and_(d.c.id == delivery_id, d.c.lease_owner == owner, d.c.state.not_in(SETTLED))


def _deliveries(connection: Connection, ids: Sequence[int]) -> list[Delivery]:
    if not ids:
        return []
    d, p, c = platform_deliveries, permit_platforms, permit_status_changes
    rows = connection.execute(
        select(d.c.id, d.c.attempts, d.c.built_at, d.c.change_id, p.c.name, p.c.chain_id)
        .add_columns(p.c.nodes, c.c.permit_number, c.c.document, c.c.cms)
        .join(p, p.c.id == d.c.platform_id)
        .join(c, c.c.id == d.c.change_id)
        .where(d.c.id.in_(ids))
        .order_by(d.c.id)
    ).all()
    later = _later_changes(connection, {(row.permit_number, int(row.change_id)) for row in rows})
    return [
        Delivery(
            id=int(row.id),
            permit_number=row.permit_number,
            platform=row.name,
            chain_id=row.chain_id,
            nodes=tuple(json.loads(row.nodes)),
            document=bytes(row.document),
            cms=bytes(row.cms),
            attempts=int(row.attempts),
            built_at=None if row.built_at is None else int(row.built_at),
            later=tuple(
                reference
                for change_id, reference, _ in later[row.permit_number]
                if change_id > int(row.change_id)
            ),
            registry_status=ACTION_STATUS.get(later[row.permit_number][-1][2]),
        )
        for row in rows
    ]


def _later_changes(
    connection: Connection, rows: set[tuple[str, int]]
) -> dict[str, list[tuple[int, str, str]]]:
    """Per permit, its changes from the oldest row's on: (id, reference, action), oldest first
    (what the relay compares a chain's permit with when a node says the change is stale)."""
    c = permit_status_changes
    oldest: dict[str, int] = {}
    for permit_number, change_id in rows:
        oldest[permit_number] = min(change_id, oldest.get(permit_number, change_id))
    found: dict[str, list[tuple[int, str, str]]] = {}
    for permit_number, first in oldest.items():
        changes = connection.execute(
            select(c.c.id, c.c.document, c.c.action)
            .where(c.c.permit_number == permit_number, c.c.id >= first)
            .order_by(c.c.id)
        ).all()
        found[permit_number] = [
            (int(change.id), change_reference(bytes(change.document)), str(change.action))
            for change in changes
        ]
    return found


def _tell(connection: Connection, delivery_id: int, notice: Notice, at: datetime) -> None:
    d, c = platform_deliveries, permit_status_changes
    change = connection.execute(
        select(c.c.holder, c.c.application_number)
        .join(d, d.c.change_id == c.c.id)
        .where(d.c.id == delivery_id)
    ).one()
    connection.execute(
        insert(notifications).values(
            recipient=change.holder,
            case_number=change.application_number,
            kind=notice.kind,
            message=notice.ru,
            message_kk=notice.kk,
            created_at=at,
        )
    )


def _state(row: Row[tuple[object, ...]]) -> DeliveryState:
    m = row._mapping
    return DeliveryState(
        change_id=int(m["change_id"]),
        action=str(m["action"]),
        recorded_at=m["recorded_at"],
        state=str(m["state"]),
        attempts=int(m["attempts"]),
        last_error=m["last_error"],
        next_attempt_at=None if m["state"] in SETTLED else m["next_attempt_at"],
        height=None if m["height"] is None else int(m["height"]),
        code=m["code"],
        delivered_at=m["delivered_at"],
        tx_id=m["tx_id"],
    )


def _platform(row: Row[tuple[object, ...]], deliveries: Sequence[DeliveryState]) -> Platform:
    m = row._mapping
    return Platform(
        id=int(m["id"]),
        permit_number=str(m["permit_number"]),
        name=str(m["name"]),
        chain_id=str(m["chain_id"]),
        nodes=tuple(json.loads(str(m["nodes"]))),
        registered_at=m["registered_at"],
        deliveries=tuple(deliveries),
    )
