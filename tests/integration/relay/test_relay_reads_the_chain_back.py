"""Review finding 1 on a real ledger node and the SQL outbox: a change refused in a block is
refused for good, and a replay code counts as delivery only when the chain's permit shows the
change (the node's GET /api/v1/ledger/permit), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.support.ledger import CHAIN_ID, RELAY_KEY, T0, World, b64, fixture_key

from kepil.adapters.db.platform_repository import SqlRelayStore
from kepil.bootstrap import Container, bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.errors import install_error_handlers
from kepil.entrypoints.api.routers import ledger
from kepil.ledger import Window
from kepil.ledger.build import build_tx
from kepil.ledger.handlers.permit import PermitStatusChange
from kepil.ledger.tx import MINISTRY
from kepil.services.bridge.relay import (
    NOT_APPLIED,
    BuiltTx,
    ChainPermit,
    Committed,
    NodeRefusal,
    Relay,
    RelaySettings,
    change_reference,
)
from kepil.services.ledger import views
from kepil.services.ledger.node import SubmitRefused
from kepil.services.permits.platform_ports import SignedStatusChange

OWN, OTHER = "KZ-PERMIT-0001", "KZ-PERMIT-0002"  # the chain runs under KZ-PERMIT-0001


class InProcessNodes:
    """The relay's port onto one real node in this process (no HTTP: the node is the point)."""

    def __init__(self, world: World) -> None:
        self.node = world.node

    def submit(self, url: str, envelope: bytes) -> None:
        try:
            self.node.submit_bytes(envelope)
        except SubmitRefused as refused:
            if refused.code != "duplicate":
                raise NodeRefusal(refused.code, refused.message) from None

    def committed(self, url: str, tx_id: str, wait: float) -> Committed | None:
        while self.node.produce_block() is not None:
            pass
        status = self.node.status(tx_id)
        return None if status.height is None else Committed(status.height, status.code or "")

    def permit(self, url: str) -> ChainPermit:
        found = views.permit(self.node)
        assert found is not None
        return ChainPermit(str(found[0].status), found[0].reference)


def build(chain_id: str, cms: bytes, document: bytes, now: int) -> BuiltTx:
    """The `permit_status` transaction over the test verifier's stand-in CMS."""
    signed_at = json.loads(cms)["signed_at"]
    payload = PermitStatusChange(RELAY_KEY, b64(cms), b64(document))
    tx = build_tx(chain_id, payload, {MINISTRY: signed_at}, Window(now, now + 3600))
    signed = tx.sign({MINISTRY: fixture_key("relay")})
    return BuiltTx(signed.tx_id, signed.to_bytes())


def signed_change(permit: str, action: str, signed_at: int) -> tuple[bytes, bytes]:
    document = json.dumps({"permit_number": permit, "action": action, "reason": "Order 12"})
    cms = json.dumps({"signed_at": signed_at, "refused_as": None, "signs": document})
    return document.encode(), cms.encode()


@pytest.fixture
def world() -> World:
    world = World.in_memory()
    world.run_setup()
    world.clock.set(T0 + 100)
    return world


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    built = bootstrap(Settings(database_url=database_url, data_dir=tmp_path, relay=False))
    yield built
    built.close()


def queue(container: Container, world: World, permit: str, action: str, signed_at: int) -> None:
    document, cms = signed_change(permit, action, signed_at)
    with container.uow() as uow:
        if not uow.platforms.of_permit(permit):
            uow.platforms.add(
                permit, permit, CHAIN_ID, ("http://n1",), "holder:x", world.clock.now()
            )
        uow.platforms.record_change(
            SignedStatusChange(
                permit, "REG", "APP", "123456789012", action, document, cms, world.clock.now()
            )
        )
        uow.commit()


def rows(container: Container, permit: str) -> list[tuple[str, str | None]]:
    with container.uow() as uow:
        [platform] = uow.platforms.of_permit(permit)
        return [(d.state, d.code) for d in platform.deliveries]


def test_a_change_refused_in_a_block_stays_refused_and_a_later_stale_one_is_not_delivered(
    world: World, container: Container
) -> None:
    relay = Relay(
        SqlRelayStore(container.engine), InProcessNodes(world), build, world.clock, RelaySettings()
    )
    # Another permit registered, by mistake, with this chain's id: its change is refused in a
    # block and uses up the "ministry" nonce up to T0 + 50.
    queue(container, world, OTHER, "suspend", T0 + 50)
    relay.run_once()
    world.clock.advance(2)
    relay.run_once()
    assert rows(container, OTHER) == [("refused", "permit_change_for_another_permit")]

    # The chain's own suspension, signed earlier, now meets stale_nonce: not delivered.
    queue(container, world, OWN, "suspend", T0 + 40)
    report = relay.run_once()

    assert rows(container, OWN) == [("refused", NOT_APPLIED)]
    assert report.delivered == []
    assert world.node.read(lambda view: view.permit()).status == "active"  # type: ignore[union-attr]


def test_a_change_relayed_twice_is_delivered_once_the_chain_shows_it(
    world: World, container: Container
) -> None:
    queue(container, world, OWN, "suspend", T0 + 40)
    first = Relay(
        SqlRelayStore(container.engine), InProcessNodes(world), build, world.clock, owner="r1"
    )
    assert first.run_once().delivered == [1]
    with container.engine.begin() as connection:  # the row is sent again by mistake
        connection.exec_driver_sql(
            "UPDATE platform_deliveries SET state = 'failing', tx_id = NULL, built_at = NULL"
        )
    world.clock.advance(5)

    assert first.run_once().delivered == [1]
    assert rows(container, OWN) == [("delivered", "stale_nonce")]


def test_the_node_answers_its_permit_with_the_reference_of_the_last_change(world: World) -> None:
    document, cms = signed_change(OWN, "suspend", T0 + 40)
    InProcessNodes(world).submit("", build(CHAIN_ID, cms, document, T0 + 60).envelope)
    world.node.produce_block()
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(ledger.router)
    app.state.ledger_node = world.node

    answer = TestClient(app).get("/api/v1/ledger/permit").json()

    assert (answer["number"], answer["status"]) == (OWN, "suspended")
    assert answer["reference"] == change_reference(document)
    assert answer["ministry_nonce"] == T0 + 40
