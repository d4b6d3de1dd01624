"""Review finding 3 on PostgreSQL (READ COMMITTED): a platform registered while a status change
of the permit is in flight gets that change; registering waits on the registry entry's row lock
until the change commits, instead of reading around it and losing the delivery."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kepil.bootstrap import Container, bootstrap
from kepil.config import Settings
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.bridge.platforms import Platform
from kepil.services.permits.platform_ports import SignedStatusChange
from kepil.services.permits.platforms import RegisterPlatform

PERMIT, REGISTRY = "PRM-2026-000001", "REG-2026-000001"
NODES = ("https://93.184.216.34:7001",)


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one transaction write at a time: there is no race to lose")
    built = bootstrap(Settings(database_url=database_url, data_dir=tmp_path, relay=False))
    with built.uow() as uow:
        uow.registry.add(
            RegistryEntry(
                REGISTRY, PERMIT, "APP-1", "ТОО «Тест»", "120440056787", "Kepil",
                "secured digital assets", (), date(2026, 4, 1), date(2029, 3, 31),
            )
        )  # fmt: skip
        uow.commit()
    yield built
    built.close()


def test_a_platform_registered_while_a_suspension_is_in_flight_gets_the_suspension(
    container: Container,
) -> None:
    now = datetime.now(UTC)
    registered: list[Platform] = []

    def register() -> None:
        registered.append(container.bus.handle(RegisterPlatform(PERMIT, "", "grain", NODES)))

    with container.uow() as change:  # ChangePermitStatus's transaction, up to its commit
        entry = change.registry.find_by_permit(PERMIT)
        assert entry is not None
        suspended = entry.change_status(RegistryStatus.SUSPENDED, "§11", "head", now)
        change.registry.save_status(suspended, suspended.history[-1])
        change.platforms.record_change(
            SignedStatusChange(
                PERMIT, REGISTRY, "APP-1", "120440056787", "suspend", b"doc", b"cms", now, 1
            )
        )
        registering = threading.Thread(target=register)
        registering.start()
        # Bounded: without the lock the registration finishes here, and misses the change.
        registering.join(1.0)
        waited = registering.is_alive()
        change.commit()
    registering.join(30)

    assert waited
    [platform] = registered
    assert [(d.action, d.state) for d in platform.deliveries] == [("suspend", "pending")]
