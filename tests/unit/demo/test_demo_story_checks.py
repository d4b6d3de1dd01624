"""`kepil demo`'s checks catch a ledger that misbehaves: holdings are checked whole, the
10 s bound holds for the obeying answer itself, and a delivery counts only when it ended ok."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from kepil.entrypoints.demo import assets, story, suspension
from kepil.entrypoints.demo.assets import ALICE, BOB, Holding
from kepil.entrypoints.demo.steps import StepFailed, Story


class Quiet:
    """A printer that shows nothing."""

    def print(self, *objects: object) -> None:
        """Drop the line."""


class Ledger:
    """Holdings kept in memory; `pledge_locks=False` makes a pledge that mints instead."""

    def __init__(self, pledge_locks: bool = True) -> None:
        self.held: dict[str, Holding] = {}
        self.pledge_locks = pledge_locks

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Stand in for the demo's ledger steps."""
        monkeypatch.setattr(assets, "onboard", lambda platform: ["admitted"])
        monkeypatch.setattr(assets, "define_and_issue", lambda platform, n: self._set(ALICE, n))
        monkeypatch.setattr(assets, "holding", lambda platform, who: self.held[who])
        monkeypatch.setattr(assets, "transfer", lambda platform, n: self._move(n))
        monkeypatch.setattr(assets, "pledge", lambda platform, n: self._pledge(n))
        monkeypatch.setattr(assets, "release", lambda platform, pledge: self._release())
        monkeypatch.setattr(assets, "redeem", lambda platform, n: self._redeem(n))

    def _set(self, who: str, free: int) -> None:
        self.held[who] = Holding(free, 0, 0)

    def _move(self, n: int) -> None:
        self._set(ALICE, self.held[ALICE].free - n)
        self._set(BOB, n)

    def _pledge(self, n: int) -> str:
        alice = self.held[ALICE]
        free = alice.free - n if self.pledge_locks else alice.free
        self.held[ALICE] = Holding(free, n, 0)
        return "p" * 64

    def _release(self) -> None:
        alice = self.held[ALICE]
        self.held[ALICE] = Holding(alice.free + alice.pledged, 0, 0)

    def _redeem(self, n: int) -> None:
        self._set(BOB, self.held[BOB].free - n)


def test_the_asset_steps_pass_on_a_ledger_that_keeps_its_books(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Ledger().install(monkeypatch)
    told = Story(Quiet())
    story._assets(told, platform=_Urls())  # type: ignore[arg-type]
    assert told.ok


def test_a_pledge_that_leaves_the_pledged_units_free_fails_its_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Ledger(pledge_locks=False).install(monkeypatch)
    with pytest.raises(StepFailed) as failed:
        story._assets(Story(Quiet()), platform=_Urls())  # type: ignore[arg-type]
    assert failed.value.step.startswith("Alice pledges")
    assert "after the pledge Alice holds" in failed.value.reason


class _Urls:
    urls: ClassVar[list[str]] = [f"http://127.0.0.1:{port}" for port in range(1, 6)]


class Obeying:
    """A platform whose issues end `code`; the clock jumps `late` seconds at the last try."""

    nodes: ClassVar[list[int]] = [0]

    def __init__(self, clock: list[float], code: str, late: float) -> None:
        self.clock, self.code, self.late = clock, code, late

    def tx(self, payload: Any, *signers: str) -> Any:
        """A transaction with an id."""
        return type("Tx", (), {"tx_id": "t1"})()

    def commit(self, tx: Any) -> dict[str, Any]:
        """Answer after `late` seconds."""
        self.clock[0] += self.late
        return {"state": "committed", "code": self.code}


def _clocked(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [100.0]
    monkeypatch.setattr(suspension.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(suspension, "_everywhere", lambda platform, tx_id: ["permit_suspended"])
    return clock


def test_the_platform_obeying_within_the_bound_is_measured(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _clocked(monkeypatch)
    obeyed = suspension.wait_for_issue(
        Obeying(clock, "permit_suspended", 2.5), "permit_suspended", 100.0
    )
    assert (obeyed.seconds, obeyed.code) == (2.5, "permit_suspended")


def test_the_platform_obeying_after_the_bound_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _clocked(monkeypatch)
    late = suspension.OBEY_SECONDS + 1.5
    with pytest.raises(RuntimeError, match=r"only after 11\.5 s, beyond the bound of 10 s"):
        suspension.wait_for_issue(
            Obeying(clock, "permit_suspended", late), "permit_suspended", 100.0
        )


class Deliveries:
    """The service's platform list, with one delivery of the suspension ending `code`."""

    def __init__(self, code: str) -> None:
        self.code = code

    def get(self, path: str, token: str = "") -> Any:
        """The platforms registered for the permit."""
        delivery = {"action": "suspend", "state": "delivered", "tx_id": "a" * 64, "height": 7}
        return [{"chain_id": "kepil-demo", "deliveries": [{**delivery, "code": self.code}]}]

    def expect(self, answer: Any, status: int, what: str) -> Any:
        """The answer itself."""
        return answer


def _delivered(code: str) -> str:
    cast = type("Cast", (), {"applicant": type("P", (), {"token": "t"})()})()
    permit = type("Permit", (), {"permit_number": "KZ-1"})()
    return suspension.delivered(Deliveries(code), cast, permit, "suspend")  # type: ignore[arg-type]


def test_a_delivery_that_ended_ok_is_reported_with_its_block() -> None:
    assert "block 7, code ok" in _delivered("ok")


def test_a_delivery_the_platform_refused_fails_naming_its_code() -> None:
    with pytest.raises(RuntimeError, match="ended it with 'bad_signature', not 'ok'"):
        _delivered("bad_signature")
