"""A complaints desk on each database, everyone signed in, the officials given their duties."""

from __future__ import annotations

from collections.abc import Iterator
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

from .desk import APPLICANT_BIN, MINISTRY_BIN, PKI_EPOCH, Desk, MovableClock, Person, make_person

# Who holds which duty; the examiner also heads the department, so it holds two.
DUTIES = {
    "clerk": ("850315400124", "КАНЦЕЛЯРОВА АЙГУЛЬ", (PermitRole.CLERK,)),
    "examiner": ("781102303459", "ЭКСПЕРТОВ АРМАН", (PermitRole.EXAMINER,)),
    "head": ("900101300136", "РУКОВОДИТЕЛЕВ ЕРЛАН", (PermitRole.HEAD,)),
    "reviewer": ("800501312341", "АГЕНТСТВОВ БОЛАТ", (PermitRole.COMPLAINT_REVIEWER,)),
}


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return DevPki.create(PKI_EPOCH)


@pytest.fixture(scope="module")
def people(pki: DevPki) -> dict[str, Person]:
    found = {
        "applicant": make_person(
            pki, Profile.LEGAL_HEAD, "900101300126", "ТЕСТОВ ТЕСТ ТЕСТОВИЧ", APPLICANT_BIN
        ),
        "stranger": make_person(pki, Profile.INDIVIDUAL, "800502312347", "ЧУЖОЙ ЧУЖАК", None),
    }
    for key, (iin, name, _) in DUTIES.items():
        found[key] = make_person(pki, Profile.OFFICIAL, iin, name, MINISTRY_BIN)
    return found


@pytest.fixture
def desk(
    database_url: str, tmp_path: Path, pki: DevPki, people: dict[str, Person]
) -> Iterator[Desk]:
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    clock = MovableClock()
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    container = bootstrap(settings, clock=clock)
    for iin, name, roles in DUTIES.values():
        for role in roles:
            grant_role(
                GrantRole(iin, role, name, "должностное лицо", "test"), container.uow(), clock.now()
            )
    with TestClient(create_app(container)) as client:
        result = Desk(client, container, clock, people)
        for person in people.values():
            result.login(person)
        result.store_application()
        yield result
