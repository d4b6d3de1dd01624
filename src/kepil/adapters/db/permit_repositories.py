"""Small SQL stores of the permit service: documents, numbers, idempotency keys, staff, notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kepil.adapters.db.permit_tables import (
    acting_periods,
    idempotency_keys,
    notifications,
    number_sequences,
    permit_documents,
    staff_roles,
    used_signed_acts,
)
from kepil.domain.permits import PermitRole
from kepil.domain.permits.acting import ActingPeriod
from kepil.services.permits.ports import (
    AlreadyStored,
    IssuedDocument,
    Notification,
    StaffMember,
)


class SqlDocumentRepository:
    """Signed result documents."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, document: IssuedDocument) -> None:
        """Store a signed document."""
        self._connection.execute(
            insert(permit_documents).values(
                number=document.number,
                application_number=document.application_number,
                kind=document.kind,
                issued_at=document.issued_at,
                recipient_id=document.recipient_id,
                content=document.content,
                signature=document.signature,
                signer_iin=document.signer_iin,
                sha256=document.sha256,
            )
        )

    def get(self, number: str) -> IssuedDocument | None:
        """The document, or None."""
        row = self._connection.execute(
            select(permit_documents).where(permit_documents.c.number == number)
        ).first()
        return _document(row) if row is not None else None

    def for_application(self, application_number: str) -> list[IssuedDocument]:
        """Documents of one application, oldest first."""
        rows = self._connection.execute(
            select(permit_documents)
            .where(permit_documents.c.application_number == application_number)
            .order_by(permit_documents.c.issued_at)
        )
        return [_document(row) for row in rows]


def _document(row: Row[Any]) -> IssuedDocument:
    return IssuedDocument(
        number=row.number,
        application_number=row.application_number,
        kind=row.kind,
        issued_at=row.issued_at,
        recipient_id=row.recipient_id,
        content=bytes(row.content),
        signature=bytes(row.signature),
        signer_iin=row.signer_iin,
        sha256=row.sha256,
    )


class SqlNumberSequence:
    """Numbers drawn inside the caller's transaction: a rollback returns the number."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def next(self, name: str) -> int:
        """Create the sequence at 0 if new, then bump it under the row lock."""
        dialect = self._connection.dialect.name
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        self._connection.execute(
            maker(number_sequences).values(name=name, value=0).on_conflict_do_nothing()
        )
        value = self._connection.execute(
            update(number_sequences)
            .where(number_sequences.c.name == name)
            .values(value=number_sequences.c.value + 1)
            .returning(number_sequences.c.value)
        ).scalar_one()
        return int(value)


class SqlIdempotencyStore:
    """Idempotency keys per owner."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, owner: str, key: str) -> tuple[str, str] | None:
        """(request hash, result) or None."""
        row = self._connection.execute(
            select(idempotency_keys.c.request_hash, idempotency_keys.c.result).where(
                and_(idempotency_keys.c.owner == owner, idempotency_keys.c.key == key)
            )
        ).first()
        return (row.request_hash, row.result) if row is not None else None

    def put(self, owner: str, key: str, request_hash: str, result: str, at: datetime) -> None:
        """Remember the key; AlreadyStored if a concurrent twin stored it first."""
        row = {
            "owner": owner,
            "key": key,
            "request_hash": request_hash,
            "result": result,
            "created_at": at,
        }
        if not insert_once(self._connection, idempotency_keys, row):
            raise AlreadyStored(f"idempotency key {key!r} of {owner}")


class SqlUsedSignedActs:
    """Digests of the signed acts that took effect."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def result_of(self, digest: str) -> str | None:
        """What the act did, or None if it was never used."""
        found = self._connection.execute(
            select(used_signed_acts.c.result).where(used_signed_acts.c.digest == digest)
        ).scalar_one_or_none()
        return str(found) if found is not None else None

    def use(self, digest: str, kind: str, result: str, at: datetime) -> None:
        """Record the act; AlreadyStored if it was used, even by a transaction still running."""
        row = {"digest": digest, "kind": kind, "result": result, "used_at": at}
        if not insert_once(self._connection, used_signed_acts, row):
            raise AlreadyStored(f"signed act {digest}")


def insert_once(connection: Connection, table: Table, row: dict[str, Any]) -> bool:
    """Insert the row unless its key is taken; False then. A twin still in flight is waited
    for, not failed on: the statement neither raises nor spoils the transaction (PostgreSQL
    aborts a transaction on a unique violation; ON CONFLICT DO NOTHING does not)."""
    maker = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = maker(table).values(**row).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports -1 for this statement; a skipped row returns none.
    key = next(iter(table.primary_key.columns))
    return connection.execute(statement.returning(key)).first() is not None


class SqlStaffDirectory:
    """Ministry officials' duties."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def roles_of(self, iin: str) -> list[StaffMember]:
        """Duties of one official."""
        rows = self._connection.execute(
            select(staff_roles).where(staff_roles.c.iin == iin).order_by(staff_roles.c.role)
        )
        return [_member(row) for row in rows]

    def grant(self, member: StaffMember) -> bool:
        """Give a duty unless already held."""
        held = self._connection.execute(
            select(staff_roles.c.iin).where(
                and_(staff_roles.c.iin == member.iin, staff_roles.c.role == str(member.role))
            )
        ).first()
        if held is not None:
            return False
        self._connection.execute(
            insert(staff_roles).values(
                iin=member.iin,
                role=str(member.role),
                name=member.name,
                position=member.position,
                granted_at=member.granted_at,
                granted_by=member.granted_by,
            )
        )
        return True

    def revoke(self, iin: str, role: PermitRole) -> bool:
        """Take a duty away."""
        removed = self._connection.execute(
            delete(staff_roles).where(
                and_(staff_roles.c.iin == iin, staff_roles.c.role == str(role))
            )
        ).rowcount
        return removed == 1

    def all(self) -> list[StaffMember]:
        """Every duty, by IIN then role."""
        rows = self._connection.execute(
            select(staff_roles).order_by(staff_roles.c.iin, staff_roles.c.role)
        )
        return [_member(row) for row in rows]

    def acting_periods(self, iin: str | None = None) -> list[ActingPeriod]:
        """Acting periods of one person or of all, by first day, IIN and number."""
        query = select(acting_periods)
        if iin is not None:
            query = query.where(acting_periods.c.iin == iin)
        columns = acting_periods.c
        query = query.order_by(columns.first_day, columns.iin, columns.id)
        return [_acting(row) for row in self._connection.execute(query)]

    def acting_period(self, period_id: int) -> ActingPeriod | None:
        """One acting period by number."""
        row = self._connection.execute(
            select(acting_periods).where(acting_periods.c.id == period_id)
        ).first()
        return None if row is None else _acting(row)

    def record_acting(self, period: ActingPeriod) -> int:
        """Insert the period; its number."""
        inserted = self._connection.execute(
            insert(acting_periods)
            .values(
                iin=period.iin,
                role=str(period.role),
                name=period.name,
                position=period.position,
                first_day=period.first_day,
                last_day=period.last_day,
                basis=period.basis,
                recorded_at=period.recorded_at,
                recorded_by=period.recorded_by,
            )
            .returning(acting_periods.c.id)
        )
        return int(inserted.scalar_one())

    def end_acting(self, period: ActingPeriod) -> None:
        """Store when and by whom the period was ended."""
        self._connection.execute(
            update(acting_periods)
            .where(acting_periods.c.id == period.id)
            .values(ended_at=period.ended_at, ended_by=period.ended_by)
        )


def _acting(row: Row[Any]) -> ActingPeriod:
    return ActingPeriod(
        iin=row.iin,
        name=row.name,
        position=row.position,
        first_day=row.first_day,
        last_day=row.last_day,
        basis=row.basis,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        role=PermitRole(row.role),
        id=int(row.id),
        ended_at=row.ended_at,
        ended_by=row.ended_by,
    )


def _member(row: Row[Any]) -> StaffMember:
    return StaffMember(
        iin=row.iin,
        role=PermitRole(row.role),
        name=row.name,
        position=row.position,
        granted_at=row.granted_at,
        granted_by=row.granted_by,
    )


class SqlNotificationRepository:
    """Messages to cabinets and officials."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, notification: Notification) -> None:
        """Queue a message."""
        self._connection.execute(
            insert(notifications).values(
                recipient=notification.recipient,
                case_number=notification.case_number,
                kind=notification.kind,
                message=notification.message,
                message_kk=notification.message_kk,
                created_at=notification.created_at,
            )
        )

    def for_recipient(self, recipient: str, limit: int) -> list[Notification]:
        """Newest first."""
        rows = self._connection.execute(
            select(notifications)
            .where(notifications.c.recipient == recipient)
            .order_by(notifications.c.id.desc())
            .limit(limit)
        )
        return [
            Notification(
                recipient=row.recipient,
                case_number=row.case_number,
                kind=row.kind,
                message=row.message,
                created_at=row.created_at,
                id=row.id,
                read_at=row.read_at,
                message_kk=row.message_kk,
            )
            for row in rows
        ]
