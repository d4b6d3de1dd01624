"""For the complaint handlers: the shared fake unit of work, seeded, and a fake CMS verifier."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.applications import stored, submitted
from tests.support.clock import MovableClock
from tests.support.signatures import FakeVerifier, fake_cms, principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Principal
from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import Actor, PermitRole
from kepil.services.permits.context import PermitContext
from kepil.services.permits.ports import StaffMember

BIN = "120440056787"
CALENDAR = kazakhstan_calendar()

GRANTED = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture
def people() -> dict[str, Principal]:
    """The applicant's director, three officials and a stranger."""
    return {
        "applicant": principal("900101300126", BIN),
        "clerk": principal("850315400124"),
        "examiner": principal("781102303459"),
        "head": principal("900101300136"),
        "stranger": principal("800502312347"),
    }


@pytest.fixture
def uow(people: dict[str, Principal]) -> FakeUnitOfWork:
    """Officials with their duties and one application of the applicant, filed 1 April 2026."""
    unit = FakeUnitOfWork(CALENDAR)
    applicant = people["applicant"]
    actor = Actor(PermitRole.APPLICANT, applicant.name, applicant.iin, bin=BIN)
    moment = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
    with unit.given():
        for duty in ("clerk", "examiner", "head"):
            official = StaffMember(
                people[duty].iin, PermitRole(duty), "Official", "", GRANTED, "test"
            )
            unit.staff.grant(official)
        unit.applications.add(stored(submitted("APP-2026-000001", moment, CALENDAR, actor)), [])
    return unit


@pytest.fixture
def context() -> PermitContext:
    """Monday 13 April 2026, 10:00 in Almaty."""
    clock = MovableClock("2026-04-13T10:00")
    return PermitContext(clock, CALENDAR, FakeVerifier(), egov=None)  # type: ignore[arg-type]


@pytest.fixture
def sign() -> Any:
    """Make a fake CMS: `sign(principal, content)`."""
    return fake_cms
