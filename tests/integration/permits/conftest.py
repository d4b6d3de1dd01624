"""A portal on each database, with the applicant and the three officials signed in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole, grant_role
from kepil.signing.dev_ca import Profile
from kepil.signing.dev_pki import DevPki

from .portal import (
    APPLICANT_BIN,
    APPLICANT_IIN,
    MINISTRY_BIN,
    OFFICIALS,
    PKI_EPOCH,
    MovableClock,
    Person,
    Portal,
    make_person,
)


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return DevPki.create(PKI_EPOCH)


@pytest.fixture(scope="module")
def people(pki: DevPki) -> dict[str, Person]:
    found = {
        "applicant": make_person(
            pki, Profile.LEGAL_HEAD, APPLICANT_IIN, "ТЕСТОВ ТЕСТ ТЕСТОВИЧ", APPLICANT_BIN
        )
    }
    for role, (iin, name) in OFFICIALS.items():
        found[str(role)] = make_person(pki, Profile.OFFICIAL, iin, name, MINISTRY_BIN)
    return found


@pytest.fixture
def portal(
    database_url: str, tmp_path: Path, pki: DevPki, people: dict[str, Person]
) -> Iterator[Portal]:
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    clock = MovableClock()
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        grant_role(
            GrantRole(iin, role, name, _position(role), "test"),
            container.uow(),
            datetime.now().astimezone(),
        )
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
