"""One page of a filtered table and the count of every match, as the list endpoints show them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Table, and_, func, select


def page(
    connection: Connection,
    table: Table,
    conditions: Sequence[ColumnElement[bool]],
    order_by: Sequence[ColumnElement[Any]],
    limit: int,
    offset: int,
) -> tuple[list[Row[Any]], int]:
    """Rows `offset` to `offset + limit` in the given order, and how many match in all."""
    where = and_(True, *conditions)
    total = connection.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    rows = connection.execute(
        select(table).where(where).order_by(*order_by).limit(limit).offset(offset)
    )
    return list(rows), int(total)
