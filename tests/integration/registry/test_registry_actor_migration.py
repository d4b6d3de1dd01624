"""Migration 0010 takes the officials' IINs out of the public registry history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, text

from kepil.adapters.db import migrate

AT = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)


def test_history_lines_written_before_0010_name_the_role_and_position(engine: Engine) -> None:
    migrate.upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO registry_entries (registry_number, permit_number, "
                "application_number, holder_name, holder_iin_bin, platform_name, purpose, "
                "addresses, issued_on, valid_until, stored_status, status_reason, search_text, "
                "platform_search) VALUES ('R-1', 'P-1', 'A-1', 'ТОО «Тест»', '120440056787', "
                "'Kepil', 'ОЦА', '[]', :issued, :until, 'suspended', 'суд', 'тоо', 'kepil')"
            ),
            {"issued": date(2026, 1, 15), "until": date(2029, 1, 15)},
        )
        connection.execute(
            text(
                "INSERT INTO staff_roles (iin, role, name, position, granted_at, granted_by) "
                "VALUES ('900101300136', 'head', 'Р. Е.', 'вице-министр', :at, 'test')"
            ),
            {"at": AT},
        )
        for actor in ("head:900101300136", "head:781102303459", "head"):
            connection.execute(
                text(
                    "INSERT INTO registry_history (registry_number, at, status, reason, actor) "
                    "VALUES ('R-1', :at, 'suspended', 'суд', :actor)"
                ),
                {"at": AT, "actor": actor},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        actors = connection.execute(
            text("SELECT actor FROM registry_history ORDER BY id")
        ).scalars()
        assert list(actors) == ["head: вице-министр", "head", "head"]
