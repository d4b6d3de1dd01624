"""A portal on each database, with the applicant and the three officials signed in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.pki import Person, applicant_director, ministry_official, trust_dir

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

from .portal import OFFICIALS, Portal


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = {"applicant": applicant_director()}
    for role, (iin, name) in OFFICIALS.items():
        found[str(role)] = ministry_official(iin, name)
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    clock = MovableClock("2026-03-20T10:00")
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, _position(role), "test"))
    with TestClient(create_app(container)) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        result = Portal(client, clock, people["applicant"], officials)
        for person in (result.applicant, *officials.values()):
            result.login(person)
        yield result


def _position(role: PermitRole) -> str:
    return {
        PermitRole.CLERK: "специалист канцелярии",
        PermitRole.EXAMINER: "главный эксперт",
        PermitRole.HEAD: "вице-министр",
    }[role]
