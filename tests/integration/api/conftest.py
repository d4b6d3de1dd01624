"""The whole API on a database: the applicant and the officials signed in, a movable clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.permits.portal import OFFICIALS, Portal
from tests.support.clock import MovableClock
from tests.support.pki import Person, applicant_director, ministry_official, trust_dir

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    """The applicant's director and the clerk, examiner and head of the Ministry."""
    found = {"applicant": applicant_director()}
    for role, (iin, name) in OFFICIALS.items():
        found[str(role)] = ministry_official(iin, name)
    return found


def open_portal(
    database_url: str, tmp_path: Path, people: dict[str, Person], **client: bool
) -> Iterator[Portal]:
    """The app on `database_url` with the officials given their duties and everyone signed in."""
    clock = MovableClock("2026-03-20T10:00")
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "должностное лицо", "test"))
    with TestClient(create_app(container), **client) as test_client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        portal = Portal(test_client, clock, people["applicant"], officials)
        for person in (portal.applicant, *officials.values()):
            portal.login(person)
        yield portal


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    """The API on each database (SQLite and PostgreSQL)."""
    yield from open_portal(database_url, tmp_path, people)


@pytest.fixture
def sqlite_portal(tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    """The API on a SQLite file; a server error is answered, not raised into the test."""
    url = f"sqlite:///{tmp_path / 'kepil.sqlite3'}"
    yield from open_portal(url, tmp_path, people, raise_server_exceptions=False)
