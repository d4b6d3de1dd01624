"""Issue 21: platforms registered for a permit, and the outbox written with each registry change
(`/api/v1/permits/{permit_number}/platforms`), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.integration.api.conftest import open_portal
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, applicant_employee, person

from kepil.adapters.db.platform_repository import SqlRelayStore
from kepil.adapters.db.platform_tables import permit_status_changes, platform_deliveries
from kepil.bootstrap import Container
from kepil.domain.permits import PermitRole
from kepil.services.bridge.relay import Committed, Notice
from kepil.services.permits.events import PermitStatusChanged
from kepil.signing.dev_ca import Profile

from .portal import Portal
from .test_permit_api import _issue_permit, _permit_number, _status_change

HEAD, EXAMINER = PermitRole.HEAD, PermitRole.EXAMINER
NODES = ["http://127.0.0.1:7001", "https://node-2.example.kz/"]


@pytest.fixture
def quiet_portal(
    database_url: str,
    tmp_path: Path,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Portal]:
    """The API with its relay off: the outbox stays as the registry wrote it."""
    monkeypatch.setenv("KEPIL_RELAY", "off")
    yield from open_portal(database_url, tmp_path, people)


def container(portal: Portal) -> Container:
    app_container: Container = portal.client.app.state.container  # type: ignore[attr-defined]
    return app_container


def register(portal: Portal, permit: str, who: Person, **body: object) -> dict[str, object]:
    payload = {"name": "Kepil Grain", "chain_id": "kepil-grain", "nodes": NODES, **body}
    response = portal.client.post(
        f"/api/v1/permits/{permit}/platforms", json=payload, headers=who.headers
    )
    return {**response.json(), "http": response.status_code}


def platforms(portal: Portal, permit: str, who: Person) -> list[dict[str, object]]:
    response = portal.client.get(f"/api/v1/permits/{permit}/platforms", headers=who.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()
    return found


def test_the_holder_registers_a_platform_and_reads_it_back(quiet_portal: Portal) -> None:
    portal = quiet_portal
    permit = _permit_number(portal, _issue_permit(portal))

    created = register(portal, permit, portal.applicant)

    assert created["http"] == 201, created
    assert {k: created[k] for k in ("name", "chain_id", "nodes", "deliveries")} == {
        "name": "Kepil Grain",
        "chain_id": "kepil-grain",
        "nodes": ["http://127.0.0.1:7001", "https://node-2.example.kz"],
        "deliveries": [],
    }
    assert isinstance(created["id"], int)
    listed = platforms(portal, permit, portal.officials[HEAD])
    assert [p["id"] for p in listed] == [created["id"]]
    again = register(portal, permit, portal.officials[HEAD])
    assert (again["http"], again["error"]["code"]) == (409, "platform_registered")  # type: ignore[index]


def test_only_the_holder_or_an_official_with_registry_duties_registers(
    quiet_portal: Portal,
) -> None:
    portal = quiet_portal
    permit = _permit_number(portal, _issue_permit(portal))
    stranger = person(Profile.INDIVIDUAL, "800502312347", "ЧУЖОЙ ЧЕЛОВЕК")
    portal.login(stranger)

    assert register(portal, permit, portal.officials[EXAMINER])["http"] == 403
    assert register(portal, permit, stranger)["http"] == 403
    listed = portal.client.get(f"/api/v1/permits/{permit}/platforms", headers=stranger.headers)
    assert listed.status_code == 404
    assert register(portal, "PRM-1999-999999", portal.applicant)["http"] == 404
    assert register(portal, permit, portal.officials[HEAD], chain_id="by-head")["http"] == 201


def test_a_node_inside_the_servers_networks_is_refused_when_the_operator_does_not_allow_it(
    database_url: str,
    tmp_path: Path,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEPIL_RELAY", "off")
    monkeypatch.setenv("KEPIL_RELAY_ALLOW_PRIVATE", "false")
    for portal in open_portal(database_url, tmp_path, people):
        permit = _permit_number(portal, _issue_permit(portal))

        refused = register(portal, permit, portal.applicant, nodes=["http://169.254.169.254"])

        assert (refused["http"], refused["error"]["code"]) == (422, "invalid_nodes")  # type: ignore[index]
        assert "KEPIL_RELAY_ALLOW_PRIVATE" in refused["error"]["message"]  # type: ignore[index]
        public = register(portal, permit, portal.applicant, nodes=["https://93.184.216.34"])
        assert public["http"] == 201


def test_an_employee_without_the_right_of_signature_cannot_register_a_platform(
    quiet_portal: Portal,
) -> None:
    # Review finding 4: the employee's certificate must not claim the chain for nodes of its
    # choosing ahead of the holder.
    portal = quiet_portal
    permit = _permit_number(portal, _issue_permit(portal))
    employee = applicant_employee()
    portal.login(employee)

    squat = register(portal, permit, employee)

    assert (squat["http"], squat["error"]["code"]) == (403, "signature_right_required")  # type: ignore[index]
    assert register(portal, permit, portal.applicant)["http"] == 201


def test_the_holder_changes_a_platforms_nodes_and_removes_it(quiet_portal: Portal) -> None:
    portal = quiet_portal
    registry_number = _issue_permit(portal)
    permit = _permit_number(portal, registry_number)
    platform_id = register(portal, permit, portal.applicant)["id"]
    assert _status_change(portal, HEAD, registry_number, "suspend")["http"] == 200
    address = f"/api/v1/permits/{permit}/platforms/{platform_id}"
    headers = portal.applicant.headers

    changed = portal.client.put(address, json={"nodes": ["https://n9.example.kz"]}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["nodes"] == ["https://n9.example.kz"]
    assert changed.json()["name"] == "Kepil Grain"
    bad = portal.client.put(address, json={"nodes": ["ftp://x"]}, headers=headers)
    assert bad.status_code == 422
    elsewhere = portal.client.put(
        f"/api/v1/permits/{permit}/platforms/999", json={"nodes": NODES}, headers=headers
    )
    assert elsewhere.status_code == 404

    removed = portal.client.delete(address, headers=headers)
    assert removed.status_code == 204
    assert platforms(portal, permit, portal.applicant) == []
    with container(portal).engine.connect() as connection:
        states = connection.execute(select(platform_deliveries.c.state)).scalars().all()
    assert states == ["abandoned"]
    again = register(portal, permit, portal.applicant)
    assert again["id"] == platform_id
    assert [d["state"] for d in again["deliveries"]] == ["pending"]  # type: ignore[union-attr]


def test_an_official_abandons_a_delivery_that_holds_the_platform_back(
    quiet_portal: Portal,
) -> None:
    portal = quiet_portal
    registry_number = _issue_permit(portal)
    permit = _permit_number(portal, registry_number)
    platform_id = register(portal, permit, portal.applicant)["id"]
    assert _status_change(portal, HEAD, registry_number, "suspend")["http"] == 200
    change_id = platforms(portal, permit, portal.applicant)[0]["deliveries"][0]["change_id"]  # type: ignore[index]
    address = f"/api/v1/permits/{permit}/platforms/{platform_id}/deliveries/{change_id}/abandon"

    by_holder = portal.client.post(address, headers=portal.applicant.headers)
    assert by_holder.status_code == 403
    clerk = portal.officials[PermitRole.CLERK]
    abandoned = portal.client.post(address, headers=clerk.headers)
    assert abandoned.status_code == 200, abandoned.text
    assert abandoned.json()["deliveries"][0]["state"] == "abandoned"
    twice = portal.client.post(address, headers=clerk.headers)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "delivery_settled")


@pytest.mark.parametrize(
    ("node", "fault"),
    [
        ("ftp://node:21", "http:// or https://"),
        ("http://admin:secret@node:7001", "no user or password"),
        ("http://", "names a host"),
        ("http://node:port", "not a URL"),
    ],
)
def test_a_node_url_that_cannot_be_used_is_refused_naming_why(
    quiet_portal: Portal, node: str, fault: str
) -> None:
    portal = quiet_portal
    permit = _permit_number(portal, _issue_permit(portal))

    refused = register(portal, permit, portal.applicant, nodes=[NODES[0], node])

    assert refused["http"] == 422
    assert refused["error"]["code"] == "invalid_nodes"  # type: ignore[index]
    assert fault in refused["error"]["message"]  # type: ignore[index]
    assert "secret" not in str(refused)
    assert platforms(portal, permit, portal.applicant) == []


def test_a_status_change_queues_its_signed_files_for_every_platform(quiet_portal: Portal) -> None:
    portal = quiet_portal
    registry_number = _issue_permit(portal)
    permit = _permit_number(portal, registry_number)
    register(portal, permit, portal.applicant)
    register(portal, permit, portal.applicant, chain_id="second", nodes=[NODES[0]])

    assert _status_change(portal, HEAD, registry_number, "suspend")["http"] == 200

    listed = platforms(portal, permit, portal.applicant)
    for platform in listed:
        [delivery] = platform["deliveries"]  # type: ignore[misc]
        assert (delivery["action"], delivery["state"], delivery["attempts"]) == (
            "suspend",
            "pending",
            0,
        )
    with container(portal).engine.connect() as connection:
        change = connection.execute(select(permit_status_changes)).one()
    assert b'"suspend"' in change.document
    assert change.cms[:1] == b"\x30"  # the head's CMS, DER


def test_a_platform_registered_later_gets_the_latest_suspension_only(
    quiet_portal: Portal,
) -> None:
    portal = quiet_portal
    registry_number = _issue_permit(portal)
    permit = _permit_number(portal, registry_number)
    _status_change(portal, HEAD, registry_number, "suspend")

    first = register(portal, permit, portal.applicant)
    assert [d["action"] for d in first["deliveries"]] == ["suspend"]  # type: ignore[attr-defined]

    _status_change(portal, HEAD, registry_number, "reinstate")
    second = register(portal, permit, portal.applicant, chain_id="later")
    assert second["deliveries"] == []  # it starts active, as the permit is now
    listed = {p["chain_id"]: p for p in platforms(portal, permit, portal.applicant)}
    actions = [d["action"] for d in listed["kepil-grain"]["deliveries"]]  # type: ignore[attr-defined]
    assert actions == ["suspend", "reinstate"]


def test_the_outbox_row_is_rolled_back_with_the_change(quiet_portal: Portal) -> None:
    portal = quiet_portal
    registry_number = _issue_permit(portal)
    permit = _permit_number(portal, registry_number)
    register(portal, permit, portal.applicant)
    app = container(portal)
    uow = app.uow()
    with uow:
        entry = uow.registry.get(registry_number)
        assert entry is not None
        uow.emit(PermitStatusChanged(entry, "suspend", "x", "1", app.clock.now(), b"{}", b"0"))
        assert [d.action for d in uow.platforms.of_permit(permit)[0].deliveries] == ["suspend"]
        # the change fails after its policies ran: nothing of it may remain

    with app.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(platform_deliveries)).scalar() == 0
        )
        assert (
            connection.execute(select(func.count()).select_from(permit_status_changes)).scalar()
            == 0
        )


def test_the_relay_store_leases_a_row_to_one_relay_and_tells_the_holder(
    quiet_portal: Portal,
) -> None:
    portal = quiet_portal
    registry_number = _issue_permit(portal)
    permit = _permit_number(portal, registry_number)
    register(portal, permit, portal.applicant)
    _status_change(portal, HEAD, registry_number, "suspend")
    _status_change(portal, HEAD, registry_number, "reinstate")
    app = container(portal)
    store, now, lease = SqlRelayStore(app.engine), app.clock.now(), timedelta(seconds=60)

    [first] = store.claim("r1", now, lease, 10)  # the reinstatement waits behind it
    assert store.claim("r2", now, lease, 10) == []
    assert first.nodes == tuple(n.rstrip("/") for n in NODES)
    assert b'"suspend"' in first.document
    notice = Notice("permit_change_failing", "не доставлено", "жеткізілмеді")
    assert store.failed(first.id, "r1", "refused", now + timedelta(seconds=5), now, notice)
    assert store.claim("r2", now, lease, 10) == []  # not due yet
    [again] = store.claim("r2", now + timedelta(seconds=5), lease, 10)
    assert (again.id, again.attempts) == (first.id, 1)
    store.built(again.id, "r2", 1_780_000_000, "ab" * 32)
    assert not store.delivered(again.id, "r1", None, "ok", now, notice)  # r1 lost the lease
    done = Notice("permit_change_delivered", "применено", "қолданылды")
    assert store.delivered(again.id, "r2", Committed(7, "ok"), "ok", now, done)

    [delivery, waiting] = platforms(portal, permit, portal.applicant)[0]["deliveries"]  # type: ignore[misc]
    assert (delivery["state"], delivery["height"], delivery["code"]) == ("delivered", 7, "ok")
    assert (delivery["attempts"], delivery["tx_id"]) == (1, "ab" * 32)
    assert (waiting["action"], waiting["state"]) == ("reinstate", "pending")
    with app.uow() as uow:
        told = uow.notifications.for_recipient(APPLICANT_BIN, 50)
    relayed = [(n.kind, n.message_kk) for n in told if n.kind.startswith("permit_change")]
    assert relayed == [
        ("permit_change_delivered", "қолданылды"),
        ("permit_change_failing", "жеткізілмеді"),
    ]
