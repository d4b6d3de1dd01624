"""Registering a platform for a permit, and the outbox the registry's changes write with them."""

from __future__ import annotations

from datetime import date

import pytest
from tests.support.clock import MovableClock
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Principal
from kepil.domain.permits import PermitRole
from kepil.domain.registry import RegistryEntry
from kepil.services.bridge.platforms import PlatformInputError, node_url, node_urls
from kepil.services.errors import ConflictError, ForbiddenError, InvalidInputError
from kepil.services.permits.events import PermitStatusChanged
from kepil.services.permits.platforms import (
    AbandonDelivery,
    ChangePlatform,
    RegisterPlatform,
    RemovePlatform,
    abandon_delivery,
    change_platform,
    register_platform,
    remove_platform,
)
from kepil.services.permits.ports import StaffMember

HOLDER_BIN, PERMIT = "120440056787", "PRM-2026-000001"
NODES = ("http://127.0.0.1:7001",)


def principal(iin: str, bin_: str | None = None, role: str | None = None) -> Principal:
    return Principal(iin, bin_, "ТЕСТОВ", None, role, "01", "TEST CA")


HOLDER = principal("880715310006", HOLDER_BIN, "head")
EMPLOYEE = principal("900101300001", HOLDER_BIN, "employee")
CLERK = "790101300002"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2026-05-04T10:00")


@pytest.fixture
def uow(clock: MovableClock) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    with uow.given():
        uow.registry.add(
            RegistryEntry(
                "REG-2026-000001", PERMIT, "APP-1", "ТОО «Тест»", HOLDER_BIN, "Kepil",
                "assets", (), date(2026, 4, 1), date(2029, 3, 31),
            )
        )  # fmt: skip
        uow.staff.grant(StaffMember("781102303459", PermitRole.EXAMINER, "Э", "", clock.now(), "t"))
        uow.staff.grant(StaffMember(CLERK, PermitRole.CLERK, "К", "", clock.now(), "t"))
    return uow


def changed(uow: FakeUnitOfWork, clock: MovableClock, action: str) -> None:
    entry = uow.registry.rows["REG-2026-000001"]
    uow.emit(PermitStatusChanged(entry, action, "§11", "1", clock.now(), b"doc", b"cms"))


def test_the_holder_registers_a_platform_and_it_gets_every_later_change(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    platform = register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "suspend")
        uow.commit()

    assert platform.name == "grain"  # the chain id, when no name is given
    [row] = uow.platforms.rows.values()
    assert (row.platform_id, row.state) == (platform.id, "pending")
    assert uow.platforms.changes[row.change_id].document == b"doc"


def test_the_outbox_row_is_rolled_back_with_the_change(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "suspend")  # and the change fails before it commits

    assert uow.platforms.rows == {}
    assert uow.platforms.changes == {}


def test_a_platform_registered_after_a_suspension_gets_it_and_after_a_reinstatement_nothing(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    with uow:
        changed(uow, clock, "suspend")
        uow.commit()
    late = register_platform(RegisterPlatform(PERMIT, "", "late", NODES, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "reinstate")
        uow.commit()
    later = register_platform(RegisterPlatform(PERMIT, "", "later", NODES, HOLDER), uow, clock)

    assert [d.action for d in late.deliveries] == ["suspend"]
    assert later.deliveries == ()


def test_only_the_holder_registry_officials_or_the_console_register(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    def register(who: Principal | None, chain: str) -> object:
        return register_platform(RegisterPlatform(PERMIT, "", chain, NODES, who), uow, clock)

    with pytest.raises(ForbiddenError):
        register(principal("781102303459"), "by-examiner")
    with pytest.raises(ForbiddenError):
        register(principal("800502312347"), "by-stranger")
    register(None, "by-console")
    with pytest.raises(ConflictError):
        register(HOLDER, "by-console")


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("ftp://a", "http:// or https://"),
        ("http://u:p@a", "no user or password"),
        ("https://a/?x=1", "no query"),
        ("http://a:99999", "not a URL"),
        ("", "1 to 500 characters"),
    ],
)
def test_a_node_url_that_cannot_be_used_is_refused_naming_why(text: str, fault: str) -> None:
    with pytest.raises(PlatformInputError, match=fault) as refused:
        node_url(text)
    assert ":p@" not in str(refused.value)


def test_node_urls_are_trimmed_and_each_kept_once() -> None:
    assert node_urls(["http://a:1/", " http://a:1", "https://b"]) == ("http://a:1", "https://b")


def test_a_bad_chain_id_is_an_invalid_input_naming_the_field(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        register_platform(RegisterPlatform(PERMIT, "", "Grain Chain", NODES, HOLDER), uow, clock)
    assert refused.value.code == "invalid_chain_id"


def test_an_employee_without_the_right_of_signature_cannot_register_change_or_remove(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    # Review finding 4: an employee's certificate sees the holder's cases but must not point
    # the Ministry's changes at nodes of its choosing.
    with pytest.raises(ForbiddenError) as refused:
        register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, EMPLOYEE), uow, clock)
    assert refused.value.code == "signature_right_required"
    platform = register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, HOLDER), uow, clock)
    with pytest.raises(ForbiddenError):
        change_platform(ChangePlatform(PERMIT, platform.id, "", NODES, EMPLOYEE), uow, clock)
    with pytest.raises(ForbiddenError):
        remove_platform(RemovePlatform(PERMIT, platform.id, EMPLOYEE), uow, clock)


def test_new_nodes_make_the_changes_on_their_way_due_at_once(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    platform = register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "suspend")
        uow.commit()
    [row] = uow.platforms.rows.values()
    row.state, row.attempts, row.next_attempt_at = "failing", 7, clock.now().replace(year=2027)
    clock.advance(60)

    new = ("https://node.example.kz",)
    changed_platform = change_platform(
        ChangePlatform(PERMIT, platform.id, "Grain", new, HOLDER), uow, clock
    )

    assert (changed_platform.name, changed_platform.nodes) == ("Grain", new)
    assert row.next_attempt_at == clock.now()
    assert row.state == "failing"


def test_registering_again_with_replace_changes_the_nodes_of_the_platform_on_that_chain(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    first = register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, None), uow, clock)
    new = ("https://node.example.kz",)
    again = register_platform(
        RegisterPlatform(PERMIT, "", "grain", new, None, replace=True), uow, clock
    )
    assert (again.id, again.nodes) == (first.id, new)


def test_a_removed_platform_gets_no_more_changes_and_its_pending_ones_are_abandoned(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    platform = register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "suspend")
        uow.commit()

    remove_platform(RemovePlatform(PERMIT, platform.id, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "reinstate")
        uow.commit()

    assert [row.state for row in uow.platforms.rows.values()] == ["abandoned"]
    with uow:
        assert uow.platforms.of_permit(PERMIT) == []


def test_only_an_official_with_registry_duties_abandons_a_delivery_and_the_next_may_go(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    platform = register_platform(RegisterPlatform(PERMIT, "", "grain", NODES, HOLDER), uow, clock)
    with uow:
        changed(uow, clock, "suspend")
        changed(uow, clock, "reinstate")
        uow.commit()
    first = min(row.change_id for row in uow.platforms.rows.values())
    with pytest.raises(ForbiddenError):
        abandon_delivery(AbandonDelivery(PERMIT, platform.id, first, HOLDER), uow, clock)

    after = abandon_delivery(
        AbandonDelivery(PERMIT, platform.id, first, principal(CLERK)), uow, clock
    )

    assert [d.state for d in after.deliveries] == ["abandoned", "pending"]
    with pytest.raises(ConflictError) as settled:
        abandon_delivery(AbandonDelivery(PERMIT, platform.id, first, None), uow, clock)
    assert settled.value.code == "delivery_settled"


def test_a_permit_has_at_most_eight_platforms(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    for n in range(8):
        register_platform(RegisterPlatform(PERMIT, "", f"chain-{n}", NODES, HOLDER), uow, clock)

    with pytest.raises(ConflictError) as refused:
        register_platform(RegisterPlatform(PERMIT, "", "chain-9", NODES, HOLDER), uow, clock)

    assert refused.value.code == "too_many_platforms"


def test_a_platform_has_at_most_sixteen_nodes() -> None:
    urls = [f"http://node-{n}:7001" for n in range(17)]
    assert len(node_urls(urls[:16])) == 16
    with pytest.raises(PlatformInputError, match="at most 16"):
        node_urls(urls)
