"""Challenges and sessions persist the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.auth import Challenge, Principal, Session

NOW = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    migrate.upgrade(engine)
    return SqlUnitOfWork(engine)


def test_a_challenge_is_consumed_once_only(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.challenges.add(Challenge("n1", NOW, NOW + timedelta(minutes=2)))
        uow.commit()
    with uow:
        assert uow.challenges.consume("n1", NOW + timedelta(seconds=5))
        uow.commit()
    with uow:
        assert not uow.challenges.consume("n1", NOW + timedelta(seconds=6))
        stored = uow.challenges.get("n1")
    assert stored is not None
    assert stored.used_at == NOW + timedelta(seconds=5)


def test_an_expired_challenge_cannot_be_consumed(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.challenges.add(Challenge("n2", NOW, NOW + timedelta(minutes=2)))
        uow.commit()
    with uow:
        assert not uow.challenges.consume("n2", NOW + timedelta(minutes=2))


def test_uncommitted_work_is_rolled_back(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.challenges.add(Challenge("n3", NOW, NOW + timedelta(minutes=2)))
    with uow:
        assert uow.challenges.get("n3") is None


def test_moments_come_back_as_the_same_aware_instant(uow: SqlUnitOfWork) -> None:
    almaty_noon = datetime(2026, 4, 10, 12, 0, tzinfo=timezone(timedelta(hours=5)))
    with uow:
        uow.challenges.add(Challenge("n4", almaty_noon, almaty_noon + timedelta(minutes=2)))
        uow.commit()
    with uow:
        stored = uow.challenges.get("n4")
    assert stored is not None
    assert stored.issued_at == almaty_noon
    assert stored.issued_at.tzinfo is not None


def test_a_naive_moment_is_refused_before_it_reaches_the_database(uow: SqlUnitOfWork) -> None:
    with uow, pytest.raises(Exception, match="naive datetime"):
        uow.challenges.add(Challenge("n5", datetime(2026, 4, 10), datetime(2026, 4, 11)))


def test_purge_forgets_only_long_expired_challenges(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.challenges.add(Challenge("old", NOW - timedelta(days=3), NOW - timedelta(days=2)))
        uow.challenges.add(Challenge("new", NOW, NOW + timedelta(minutes=2)))
        assert uow.challenges.purge_expired(before=NOW - timedelta(days=1)) == 1
        uow.commit()
    with uow:
        assert uow.challenges.get("old") is None
        assert uow.challenges.get("new") is not None


def test_a_session_round_trips_and_can_be_revoked(uow: SqlUnitOfWork) -> None:
    principal = Principal(
        "850712300017",
        "990140004654",
        "ИВАНОВ ИВАН",
        "ТОО Кепил",
        "head",
        "1a2b",
        "CN=kepil TEST issuing CA",
    )
    session = Session("h" * 64, principal, NOW, NOW + timedelta(hours=8))
    with uow:
        uow.sessions.add(session)
        uow.commit()
    with uow:
        assert uow.sessions.get("h" * 64) == session
        uow.sessions.revoke("h" * 64, NOW + timedelta(hours=1))
        uow.commit()
    with uow:
        stored = uow.sessions.get("h" * 64)
    assert stored is not None
    assert not stored.active_at(NOW + timedelta(hours=1, seconds=1))
