"""A complaints desk on each database, everyone signed in, the officials given their duties."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.pki import Person, applicant_director, ministry_official, person, trust_dir

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole
from kepil.signing.dev_ca import Profile

from .desk import Desk

# Who holds which duty; the examiner also heads the department, so it holds two.
DUTIES = {
    "clerk": ("850315400124", "КАНЦЕЛЯРОВА АЙГУЛЬ", (PermitRole.CLERK,)),
    "examiner": ("781102303459", "ЭКСПЕРТОВ АРМАН", (PermitRole.EXAMINER,)),
    "head": ("900101300136", "РУКОВОДИТЕЛЕВ ЕРЛАН", (PermitRole.HEAD,)),
    "reviewer": ("800501312341", "АГЕНТСТВОВ БОЛАТ", (PermitRole.COMPLAINT_REVIEWER,)),
}


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = {
        "applicant": applicant_director(),
        "stranger": person(Profile.INDIVIDUAL, "800502312347", "ЧУЖОЙ ЧУЖАК"),
    }
    for key, (iin, name, _) in DUTIES.items():
        found[key] = ministry_official(iin, name)
    return found


@pytest.fixture
def desk(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Desk]:
    clock = MovableClock("2026-03-20T10:00")
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    container = bootstrap(settings, clock=clock)
    for iin, name, roles in DUTIES.values():
        for role in roles:
            container.bus.handle(GrantRole(iin, role, name, "должностное лицо", "test"))
    with TestClient(create_app(container)) as client:
        result = Desk(client, container, clock, people)
        for person in people.values():
            result.login(person)
        result.store_application()
        yield result
