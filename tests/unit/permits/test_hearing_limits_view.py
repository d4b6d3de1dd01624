"""The read model of the §8 limits (`PermitViews.hearing_limits`) that the desk's action page
shows before the examiner sets or moves a hearing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.support.applications import director, stored, submitted
from tests.support.clock import MovableClock, almaty
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import FakeEgov, FakeVerifier, fake_cms, principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Principal
from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import PermitRole
from kepil.services.errors import NotFoundError
from kepil.services.permits.context import PermitContext
from kepil.services.permits.decisions import DecideOnApplication, decide
from kepil.services.permits.ports import StaffMember
from kepil.services.permits.views.reader import PermitViews

CALENDAR = kazakhstan_calendar()
NUMBER = "APP-2026-000001"
CLERK, EXAMINER = principal("850315400124"), principal("781102303459")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A clerk, an examiner and one application filed on Wednesday 1 April 2026."""
    unit = FakeUnitOfWork(CALENDAR)
    granted = datetime(2026, 1, 5, tzinfo=UTC)
    with unit.given():
        for person, role in ((CLERK, "clerk"), (EXAMINER, "examiner")):
            unit.staff.grant(
                StaffMember(person.iin, PermitRole(role), "Official", "", granted, "t")
            )
        moment = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
        unit.applications.add(stored(submitted(NUMBER, moment, CALENDAR, director())), [])
    return unit


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2026-04-01T11:00")


@pytest.fixture
def views(uow: FakeUnitOfWork, clock: MovableClock) -> PermitViews:
    context = PermitContext(clock, CALENDAR, FakeVerifier(), FakeEgov())
    return PermitViews(lambda: uow, clock, context)


def _step(who: Principal, action: str, **extra: object) -> DecideOnApplication:
    content = {"application_number": NUMBER, "action": action, **extra}
    return DecideOnApplication(who, NUMBER, fake_cms(who, content))


def test_the_limits_are_there_before_the_notice_and_before_the_move(
    uow: FakeUnitOfWork, views: PermitViews, clock: MovableClock
) -> None:
    context = views.context
    assert views.hearing_limits(EXAMINER, NUMBER) is None  # submitted: no step sets a hearing
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    first = views.hearing_limits(EXAMINER, NUMBER)
    assert first is not None
    assert (first.action, first.moving, first.allowed) == ("issue_preliminary_refusal", False, True)
    assert first.earliest == almaty("2026-04-01T11:00")
    assert first.latest == almaty("2026-04-03T18:30")
    assert first.latest.utcoffset() == almaty("2026-04-03T18:30").utcoffset()
    assert "2 working days from the notice" in first.latest_rule
    assert first.notice_due == almaty("2026-04-03T18:30")  # the term ends 8 April (App.1 §4)
    assert not first.notice_late
    assert (first.hearing_at, first.place, first.moves_left) == (None, None, 1)
    hearing = {"hearing_at": "2026-04-03T10:00:00+05:00", "place": "Астана, каб. 301"}
    notice = _step(EXAMINER, "issue_preliminary_refusal", grounds=[2], motivation="м", **hearing)
    decide(notice, uow, context)
    clock.set("2026-04-02T09:00")
    move = views.hearing_limits(EXAMINER, NUMBER)
    assert move is not None
    assert (move.action, move.moving, move.allowed) == ("schedule_hearing", True, True)
    assert (move.hearing_at, move.place) == (almaty("2026-04-03T10:00"), "Астана, каб. 301")
    assert move.latest == almaty("2026-04-06T18:30")
    moved = {"hearing_at": "2026-04-06T10:00:00+05:00", "place": "видеосвязь"}
    decide(_step(EXAMINER, "schedule_hearing", **moved), uow, context)
    after = views.hearing_limits(EXAMINER, NUMBER)
    assert after is not None
    assert after.place == "видеосвязь"
    assert after.moves_left == 0
    assert after.refusal is not None
    assert "moved already" in after.refusal
    assert after.blocked == "moved_already"


def test_a_stranger_learns_nothing_of_the_limits(views: PermitViews) -> None:
    stranger = principal("800502312347", "990340001234")
    with pytest.raises(NotFoundError):
        views.hearing_limits(stranger, NUMBER)
    owner = principal(APPLICANT_IIN, APPLICANT_BIN)
    assert views.hearing_limits(owner, NUMBER) is None
