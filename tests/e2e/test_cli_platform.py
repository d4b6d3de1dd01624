"""`kepil platform register` and `kepil relay run --once` from a terminal (issue 21)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from subprocess import CompletedProcess

from kepil.bootstrap import database
from kepil.config import Settings
from kepil.domain.registry import RegistryEntry
from kepil.services.permits.events import PermitStatusChanged

Kepil = Callable[..., CompletedProcess[str]]
PERMIT = "PRM-2026-000001"


def _with_a_permit(data_dir: Path) -> Settings:
    settings = Settings(data_dir=data_dir)
    db = database(settings)
    with db.unit_of_work() as uow:
        uow.registry.add(
            RegistryEntry(
                "REG-2026-000001", PERMIT, "APP-1", "ТОО «Тест»", "120440056787", "Kepil",
                "secured digital assets", (), date(2026, 4, 1), date(2029, 3, 31),
            )
        )  # fmt: skip
        uow.commit()
    db.engine.dispose()
    return settings


def test_an_operator_registers_a_platform_and_the_relay_keeps_a_change_it_cannot_send(
    kepil: Kepil, tmp_path: Path
) -> None:
    assert kepil("db", "upgrade").returncode == 0
    settings = _with_a_permit(tmp_path / "data")

    registered = kepil(
        "platform", "register", "--permit", PERMIT, "--chain-id", "kepil-grain",
        "--node", "http://127.0.0.1:9", "--node", "http://127.0.0.1:10/", "--name", "Grain",
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    assert "«Grain» (kepil-grain, 2 node(s)) registered for PRM-2026-000001" in registered.stdout

    db = database(settings)
    with db.unit_of_work() as uow:
        entry = uow.registry.find_by_permit(PERMIT)
        assert entry is not None
        now = datetime.now(UTC)
        uow.emit(PermitStatusChanged(entry, "suspend", "§11", "1", now, b"{}", b"not a CMS"))
        uow.commit()
    db.engine.dispose()

    ran = kepil("relay", "run", "--once")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "delivered 0, failed 1, refused or superseded 0"
    db = database(settings)
    with db.unit_of_work() as uow:
        [platform] = uow.platforms.of_permit(PERMIT)
    db.engine.dispose()
    [delivery] = platform.deliveries
    assert (delivery.state, delivery.attempts) == ("failing", 1)
    assert "cannot be relayed" in (delivery.last_error or "")


def test_a_node_url_with_a_password_is_one_error_line_that_does_not_repeat_it(
    kepil: Kepil, tmp_path: Path
) -> None:
    assert kepil("db", "upgrade").returncode == 0
    _with_a_permit(tmp_path / "data")

    refused = kepil(
        "platform", "register", "--permit", PERMIT, "--chain-id", "kepil-grain",
        "--node", "http://admin:s3cret@127.0.0.1:9",
    )  # fmt: skip

    assert refused.returncode == 2
    assert refused.stderr.startswith("kepil: error:")
    assert "no user or password" in refused.stderr
    assert "s3cret" not in refused.stderr
    unknown = kepil(
        "platform", "register", "--permit", "PRM-X", "--chain-id", "c", "--node", "http://a"
    )
    assert unknown.returncode == 2
    assert "no permit PRM-X" in unknown.stderr


def test_the_operator_gives_a_registered_platform_other_nodes_with_replace(
    kepil: Kepil, tmp_path: Path
) -> None:
    assert kepil("db", "upgrade").returncode == 0
    settings = _with_a_permit(tmp_path / "data")
    first = ("platform", "register", "--permit", PERMIT, "--chain-id", "kepil-grain")
    assert kepil(*first, "--node", "http://127.0.0.1:9").returncode == 0

    twice = kepil(*first, "--node", "http://127.0.0.1:10")
    assert twice.returncode == 2
    assert "--replace" in twice.stderr
    replaced = kepil(*first, "--node", "https://node.example.kz", "--replace")

    assert replaced.returncode == 0, replaced.stderr
    db = database(settings)
    with db.unit_of_work() as uow:
        [platform] = uow.platforms.of_permit(PERMIT)
    db.engine.dispose()
    assert platform.nodes == ("https://node.example.kz",)
