"""The relay delivers each registry change to each platform until a node acknowledges the block
that applied it: back-off on failure, a lease against twins, never dropped, never applied twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.clock import MovableClock
from tests.support.platforms import (
    FakeNodes,
    FakePlatformRegister,
    FakeRelayStore,
    fake_build,
)

from kepil.services.bridge.relay import (
    FAILING_NOTICE_AFTER,
    NOT_APPLIED,
    REPLAYED,
    STALE_NONCE,
    Relay,
    RelaySettings,
    backoff,
)
from kepil.services.permits.platform_ports import SignedStatusChange

NODES = ("http://a:8000", "http://b:8000")
SETTINGS = RelaySettings(backoff_base=1.0, backoff_max=60.0, lease=30.0)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2026-05-01T10:00")


@pytest.fixture
def register(clock: MovableClock) -> FakePlatformRegister:
    register = FakePlatformRegister()
    register.add("PRM-1", "Kepil", "chain-a", NODES, "holder", clock.now())
    return register


def change(register: FakePlatformRegister, clock: MovableClock, action: str) -> int:
    """Record a change signed a moment after the last (its fake CMS is that moment)."""
    document = f'{{"action":"{action}","n":{len(register.changes)}}}'.encode()
    signed_at = 100 + len(register.changes)
    register.record_change(
        SignedStatusChange(
            "PRM-1",
            "REG-1",
            "APP-1",
            "123456789012",
            action,
            document,
            str(signed_at).encode(),
            clock.now(),
        )
    )
    return signed_at


def relay_of(
    register: FakePlatformRegister, nodes: FakeNodes, clock: MovableClock, owner: str = "r1"
) -> tuple[Relay, FakeRelayStore]:
    store = FakeRelayStore(register)
    return Relay(store, nodes, fake_build, clock, SETTINGS, owner=owner), store


def test_a_change_is_delivered_when_a_node_acknowledges_its_block(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes()
    relay, store = relay_of(register, nodes, clock)

    report = relay.run_once()

    row = register.rows[1]
    assert report.delivered == [1]
    assert (row.state, row.code, row.height) == ("delivered", "ok", nodes.known[row.tx_id].height)
    assert [notice.kind for notice in store.told] == ["permit_change_delivered"]
    assert relay.run_once().delivered == []  # nothing is sent again


def test_an_unreachable_node_is_passed_over_for_the_next(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(down={NODES[0]})

    relay_of(register, nodes, clock)[0].run_once()

    assert register.rows[1].state == "delivered"
    assert {url for url, _ in nodes.submitted} == {NODES[1]}


def test_a_node_that_refuses_for_its_own_reason_is_passed_over_too(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(not_nodes={NODES[0]})

    relay_of(register, nodes, clock)[0].run_once()

    assert register.rows[1].state == "delivered"


def test_the_relay_retries_with_a_capped_exponential_back_off_until_a_node_acknowledges(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(down=set(NODES))
    relay, store = relay_of(register, nodes, clock)
    waits = []
    for _ in range(9):
        before = clock.now()
        assert relay.run_once().failed == [1]
        row = register.rows[1]
        assert row.next_attempt_at is not None
        waits.append((row.next_attempt_at - before).total_seconds())
        assert relay.run_once().failed == []  # not due before its time
        clock.set(row.next_attempt_at)

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert register.rows[1].state == "failing"
    assert "connection refused" in (register.rows[1].last_error or "")
    assert [n.kind for n in store.told] == ["permit_change_failing"]  # told once
    assert register.rows[1].attempts == 9 > FAILING_NOTICE_AFTER

    nodes.down.clear()
    assert relay.run_once().delivered == [1]
    assert register.rows[1].state == "delivered"


def test_a_retry_sends_the_same_transaction(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(slow=set(NODES))
    relay, _ = relay_of(register, nodes, clock)

    relay.run_once()
    first = register.rows[1].tx_id
    assert register.rows[1].last_error is not None
    assert "not committed" in register.rows[1].last_error
    clock.advance(10)
    nodes.slow.clear()
    relay.run_once()

    assert register.rows[1].tx_id == first
    assert {tx for _, tx in nodes.submitted} == {first}
    assert register.rows[1].state == "delivered"


def test_a_change_another_relay_applied_counts_as_delivered_once_the_chain_shows_it(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    signed_at = change(register, clock, "suspend")
    nodes = FakeNodes()
    nodes.block(register.changes[1].document, signed_at)  # another relay got there first

    relay_of(register, nodes, clock)[0].run_once()

    row = register.rows[1]
    assert (row.state, row.code, row.height) == ("delivered", STALE_NONCE, None)
    assert nodes.applied == [register.changes[1].document]


def test_a_change_is_applied_once_though_two_relays_run(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes()
    first, _ = relay_of(register, nodes, clock, owner="r1")
    second, _ = relay_of(register, nodes, clock, owner="r2")
    store = FakeRelayStore(register)

    claimed = store.claim("r1", clock.now(), timedelta(seconds=30), 10)
    assert [d.id for d in claimed] == [1]
    assert store.claim("r2", clock.now(), timedelta(seconds=30), 10) == []  # leased
    assert second.run_once().delivered == []
    clock.advance(31)  # r1 died holding the lease: it runs out
    assert second.run_once().delivered == [1]
    assert first.run_once().delivered == []
    assert len(nodes.applied) == 1


def test_a_refusal_is_kept_and_retried_never_dropped(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(refuse="permit_signer_untrusted")
    relay, _ = relay_of(register, nodes, clock)

    for _ in range(3):
        relay.run_once()
        clock.advance(3600)

    row = register.rows[1]
    assert (row.state, row.attempts) == ("failing", 3)
    assert "permit_signer_untrusted" in (row.last_error or "")


def test_a_platform_gets_its_changes_in_the_order_the_registry_made_them(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    change(register, clock, "reinstate")
    nodes = FakeNodes(down=set(NODES))
    relay, _ = relay_of(register, nodes, clock)

    relay.run_once()
    assert register.rows[2].attempts == 0  # waits behind the suspension
    nodes.down.clear()
    clock.advance(5)
    relay.run_once()
    relay.run_once()

    assert [register.rows[i].state for i in (1, 2)] == ["delivered", "delivered"]
    assert nodes.applied == [register.changes[1].document, register.changes[2].document]


def test_a_transaction_past_its_window_is_built_anew(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(slow=set(NODES))
    relay, _ = relay_of(register, nodes, clock)
    relay.run_once()
    first = register.rows[1].tx_id

    clock.advance(3600)
    nodes.slow.clear()
    relay.run_once()

    assert register.rows[1].tx_id != first
    assert register.rows[1].state == "delivered"


def test_back_off_doubles_from_the_base_up_to_the_cap() -> None:
    assert [backoff(n, 0.5, 5) for n in range(1, 7)] == [0.5, 1, 2, 4, 5, 5]
    assert backoff(10_000, 1, 300) == 300


@pytest.mark.parametrize("code", [REPLAYED, STALE_NONCE])
def test_a_node_refusing_the_change_as_already_applied_at_the_door_counts_as_delivered(
    register: FakePlatformRegister, clock: MovableClock, code: str
) -> None:
    signed_at = change(register, clock, "suspend")
    nodes = FakeNodes(refuse=code)
    nodes.block(register.changes[1].document, signed_at)

    relay_of(register, nodes, clock)[0].run_once()

    row = register.rows[1]
    assert (row.state, row.code, row.height) == ("delivered", code, None)


@pytest.mark.parametrize("code", [REPLAYED, STALE_NONCE])
def test_a_replay_code_is_not_delivery_when_the_chain_does_not_show_the_change(
    register: FakePlatformRegister, clock: MovableClock, code: str
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(refuse=code)  # the chain is still at genesis

    report = relay_of(register, nodes, clock)[0].run_once()

    row = register.rows[1]
    assert report.refused == [1]
    assert (row.state, row.code) == ("refused", NOT_APPLIED)
    assert nodes.applied == []


def test_a_change_refused_in_a_block_is_refused_for_good_and_never_built_anew(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(in_block_refusal="permit_change_for_another_permit")
    relay, store = relay_of(register, nodes, clock)

    report = relay.run_once()
    clock.advance(3600)
    again = relay.run_once()

    row = register.rows[1]
    assert (report.refused, again.refused, again.failed) == ([1], [], [])
    assert (row.state, row.code) == ("refused", "permit_change_for_another_permit")
    assert row.height == nodes.height
    assert len(nodes.submitted) == 1
    assert [notice.kind for notice in store.told] == ["permit_change_refused"]


def test_a_change_whose_nonce_a_refused_change_used_up_is_not_counted_as_delivered(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    # Review finding 1: another permit's change, refused in a block, moved the chain's nonce
    # past this change; the node answers stale_nonce, yet the chain never applied it.
    signed_at = change(register, clock, "suspend")
    nodes = FakeNodes(in_block_refusal="permit_change_for_another_permit")
    nodes.block(b'{"action":"suspend","permit":"another"}', signed_at + 10)
    nodes.in_block_refusal = None

    relay_of(register, nodes, clock)[0].run_once()

    row = register.rows[1]
    assert (row.state, row.code) == ("refused", NOT_APPLIED)
    assert nodes.status == "active"


def test_a_change_overtaken_by_a_later_one_the_chain_applied_is_superseded(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    later = change(register, clock, "revoke")
    nodes = FakeNodes()
    nodes.block(register.changes[2].document, later)  # the revocation went first elsewhere

    report = relay_of(register, nodes, clock)[0].run_once()

    assert (report.refused, report.delivered) == ([1], [2])
    assert [register.rows[i].state for i in (1, 2)] == ["superseded", "delivered"]
    assert nodes.applied == [register.changes[2].document]


def test_a_replay_code_is_retried_when_the_chain_cannot_be_read_back(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    signed_at = change(register, clock, "suspend")
    nodes = FakeNodes(unreadable=set(NODES))
    nodes.block(register.changes[1].document, signed_at)
    relay = relay_of(register, nodes, clock)[0]

    assert relay.run_once().failed == [1]
    assert "cannot be read" in (register.rows[1].last_error or "")
    nodes.unreadable.clear()
    clock.advance(5)
    assert relay.run_once().delivered == [1]


def test_platforms_that_never_answer_hold_another_permits_change_back_by_one_budget_each(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    # Review finding 7: blackholed nodes used to hold the one relay thread for a minute each.
    hang = tuple(f"http://hang-{n}:8000" for n in range(16))
    for n in range(3):
        register.add("PRM-BAD", f"bad-{n}", f"bad-{n}", hang, "holder", clock.now())
    register.record_change(
        SignedStatusChange(
            "PRM-BAD", "R", "A", "1", "suspend", b'{"action":"suspend"}', b"100", clock.now()
        )
    )
    change(register, clock, "suspend")  # PRM-1's own platform answers
    nodes = FakeNodes(hanging=set(hang))
    relay = Relay(FakeRelayStore(register), nodes, fake_build, clock, SETTINGS, timer=nodes.timer)

    report = relay.run_once()

    assert report.delivered == [4]
    assert sorted(report.failed) == [1, 2, 3]
    assert nodes.elapsed <= 3 * SETTINGS.attempt_budget
    assert "no time left" in (register.rows[1].last_error or "")


def test_a_new_change_goes_before_the_changes_of_platforms_that_keep_failing(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    register.add("PRM-BAD", "bad", "bad", ("http://hang:8000",), "holder", clock.now())
    register.record_change(
        SignedStatusChange(
            "PRM-BAD", "R", "A", "1", "suspend", b'{"action":"suspend"}', b"100", clock.now()
        )
    )
    nodes = FakeNodes(hanging={"http://hang:8000"})
    relay = Relay(FakeRelayStore(register), nodes, fake_build, clock, SETTINGS, timer=nodes.timer)
    relay.run_once()
    clock.advance(3600)  # the failing row is long due again
    change(register, clock, "suspend")

    claimed = FakeRelayStore(register).claim("r9", clock.now(), timedelta(seconds=30), 1)

    assert [d.platform for d in claimed] == ["Kepil"]


def test_a_row_is_tried_once_per_pass_however_short_its_back_off(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(down=set(NODES))
    settings = RelaySettings(backoff_base=0.0, backoff_max=0.0)
    relay = Relay(FakeRelayStore(register), nodes, fake_build, clock, settings)

    report = relay.run_once()

    assert report.failed == [1]
    assert register.rows[1].attempts == 1


def test_an_ok_counts_only_when_the_chains_permit_shows_the_change(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(liars={NODES[0]})

    relay_of(register, nodes, clock)[0].run_once()

    row = register.rows[1]
    assert (row.state, row.height) == ("delivered", nodes.height)  # the second node's block
    assert nodes.applied == [register.changes[1].document]


def test_a_server_that_says_ok_to_anything_delivers_nothing(
    register: FakePlatformRegister, clock: MovableClock
) -> None:
    change(register, clock, "suspend")
    nodes = FakeNodes(liars=set(NODES))

    report = relay_of(register, nodes, clock)[0].run_once()

    assert report.failed == [1]
    assert "does not show the change" in (register.rows[1].last_error or "")
