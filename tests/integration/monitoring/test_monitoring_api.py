"""`/api/v1/monitoring`: the feed and the SLA summary, for Ministry officials, on both databases."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.support.clock import MovableClock, almaty
from tests.support.pki import bearer, session_pki, sign_in, trust_dir

from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.bootstrap import Container, bootstrap
from kepil.config import Settings
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole
from kepil.services.permits.sweeper import sweep
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

from .conftest import CLERK, Submit

OFFICIAL_IIN = "900101300126"  # the person every DevPki credential names
EVENTS, SLA = "/api/v1/monitoring/events", "/api/v1/monitoring/sla"


@pytest.fixture
def pki() -> DevPki:
    return session_pki()


@pytest.fixture
def container(
    database_url: str, tmp_path: Path, clock: MovableClock, migrated: Engine
) -> Iterator[Container]:
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    built = bootstrap(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


def _sign_in(client: TestClient, pki: DevPki, clock: MovableClock) -> dict[str, str]:
    holder = pki.person(clock.now(), usage=KeyKind.AUTH)
    return bearer(sign_in(client, holder, clock.now()))


def _grant_auditor(container: Container, clock: MovableClock) -> None:
    command = GrantRole(OFFICIAL_IIN, PermitRole.AUDITOR, "Аудитор", "Эксперт", "test")
    container.bus.handle(command)


def _overdue_backlog(container: Container, clock: MovableClock, submit: Submit) -> None:
    # Two applications received before Nauryz; by 31 March registration and completeness are
    # overdue on both, the 5-day term (2 April) not yet.
    submit("APP-2026-000011", "2026-03-20T19:00")
    submit("APP-2026-000012", "2026-03-20T19:30")
    clock.set("2026-03-31T09:00")
    sweep(container.uow(), clock)


@pytest.mark.parametrize("path", [EVENTS, SLA])
def test_p10_monitoring_needs_a_session(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


@pytest.mark.parametrize("path", [EVENTS, SLA])
def test_p10_monitoring_is_refused_to_someone_without_a_ministry_duty(
    client: TestClient, pki: DevPki, clock: MovableClock, path: str
) -> None:
    response = client.get(path, headers=_sign_in(client, pki, clock))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "official_required"


def test_p10_an_auditor_pages_through_the_feed_and_can_check_every_hash(
    client: TestClient,
    container: Container,
    pki: DevPki,
    clock: MovableClock,
    submit: Submit,
) -> None:
    _overdue_backlog(container, clock, submit)
    _grant_auditor(container, clock)
    headers = _sign_in(client, pki, clock)

    first = client.get(EVENTS, params={"limit": 3}, headers=headers).json()
    assert [item["seq"] for item in first["items"]] == [1, 2, 3]
    assert first["next_after"] == 3
    rest = client.get(EVENTS, params={"after": 3}, headers=headers).json()
    assert [item["seq"] for item in rest["items"]] == [4]
    empty = client.get(EVENTS, params={"after": 4}, headers=headers).json()
    assert empty == {"items": [], "next_after": 4}

    items = first["items"] + rest["items"]
    assert {(i["record"]["case"], i["record"]["details"]["stage"]) for i in items} == {
        ("APP-2026-000011", "registration"),
        ("APP-2026-000011", "completeness_check"),
        ("APP-2026-000012", "registration"),
        ("APP-2026-000012", "completeness_check"),
    }
    previous = "0" * 64
    for item in items:
        assert item["prev_hash"] == previous
        assert item["hash"] == _recomputed(item)
        previous = item["hash"]


def test_p10_the_feed_refuses_a_page_size_out_of_bounds(
    client: TestClient, container: Container, pki: DevPki, clock: MovableClock
) -> None:
    _grant_auditor(container, clock)
    response = client.get(EVENTS, params={"limit": 0}, headers=_sign_in(client, pki, clock))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_p10_the_sla_summary_counts_lists_overdue_stages_and_medians(
    client: TestClient,
    container: Container,
    pki: DevPki,
    clock: MovableClock,
    submit: Submit,
) -> None:
    _overdue_backlog(container, clock, submit)
    _grant_auditor(container, clock)
    clock.moment += timedelta(hours=1)  # 31 March 10:00: one working day past the 30th
    body = client.get(SLA, headers=_sign_in(client, pki, clock)).json()
    assert body["at"].startswith("2026-03-31T")
    assert body["total"] == 2
    assert body["counts"] == {"submitted": 2}
    overdue = {(o["application_number"], o["stage"]): o for o in body["overdue"]}
    assert set(overdue) == {
        ("APP-2026-000011", "registration"),
        ("APP-2026-000011", "completeness_check"),
        ("APP-2026-000012", "registration"),
        ("APP-2026-000012", "completeness_check"),
    }
    late = overdue[("APP-2026-000011", "completeness_check")]
    assert late["responsible"] == "examiner"
    assert late["working_days_late"] == 1
    assert late["hours_late"] == 15.5
    assert overdue[("APP-2026-000011", "registration")]["working_days_late"] == 3
    assert body["median_seconds"] == {}  # nobody has left a status yet


def test_p10_the_sla_medians_come_from_settled_statuses(
    client: TestClient,
    container: Container,
    pki: DevPki,
    clock: MovableClock,
    submit: Submit,
) -> None:
    application = submit("APP-2026-000013", "2026-03-26T10:00")
    application.register(CLERK, almaty("2026-03-26T12:00"))
    uow = SqlUnitOfWork(container.engine, container.calendar)
    with uow:
        uow.applications.save(application, 1)
        uow.applications.record_events(application.pull_events(), None)
        uow.commit()
    _grant_auditor(container, clock)
    clock.set("2026-03-26T13:00")
    body = client.get(SLA, headers=_sign_in(client, pki, clock)).json()
    assert body["counts"] == {"registered": 1}
    assert body["median_seconds"] == {"submitted": 7200.0}
    assert body["overdue"] == []


def _recomputed(item: dict[str, Any]) -> str:
    body = {"seq": item["seq"], "prev": item["prev_hash"], "record": item["record"]}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()
