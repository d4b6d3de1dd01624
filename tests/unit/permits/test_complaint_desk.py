"""A complaint on an official's desk: the steps its state allows and to whom (Rules §13, §14),
its terms in working days judged now, and that only officials open it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import (
    Actor,
    Complaint,
    ComplaintSubject,
    FiledWith,
    PermitRole,
)
from kepil.services.errors import ForbiddenError
from kepil.services.permits.complaint_ports import StoredComplaint
from kepil.services.permits.views.complaints import complaint_desk, declared_steps
from kepil.services.permits.views.viewer import Viewer

CALENDAR = kazakhstan_calendar()
# Monday 7 December 2026, office hours.
RECEIVED = datetime(2026, 12, 7, 10, 0, tzinfo=ALMATY)
OFFICIAL_IIN = "781102303459"
CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD
REVIEWER = PermitRole.COMPLAINT_REVIEWER


def stored(filed_with: FiledWith, *, registered: bool) -> StoredComplaint:
    complaint = Complaint(
        "CMP-2026-000001",
        APPLICANT_BIN,
        ComplaintSubject.INACTION,
        filed_with,
        RECEIVED,
        CALENDAR,
    )
    return StoredComplaint(
        complaint,
        APPLICANT_IIN,
        "ТЕСТОВ ТЕСТ",
        "не зарегистрировано",
        "Прошу зарегистрировать",
        b"cms",
        version=1,
        registered_at=RECEIVED if registered else None,
        registered_by=OFFICIAL_IIN if registered else None,
    )


def official(*roles: PermitRole) -> Viewer:
    return Viewer(principal(OFFICIAL_IIN), frozenset(roles))


def test_a_complaint_not_yet_registered_allows_only_registering_by_the_receiving_office() -> None:
    assert declared_steps(stored(FiledWith.PROVIDER, registered=False)) == {
        "register": frozenset({CLERK})
    }
    to_agency = stored(FiledWith.QUALITY_CONTROL_AGENCY, registered=False)
    assert declared_steps(to_agency) == {"register": frozenset({REVIEWER})}


def test_a_registered_complaint_to_the_ministry_is_satisfied_or_forwarded_by_the_ministry() -> None:
    steps = declared_steps(stored(FiledWith.PROVIDER, registered=True))
    assert steps == {
        "satisfy": frozenset({EXAMINER, HEAD}),
        "forward": frozenset({CLERK, EXAMINER, HEAD}),
    }


def test_a_forwarded_complaint_and_one_to_the_agency_are_decided_by_the_reviewer_alone() -> None:
    forwarded = stored(FiledWith.PROVIDER, registered=True)
    forwarded.complaint.forward(Actor(EXAMINER, "ЭКСПЕРТОВ", OFFICIAL_IIN), RECEIVED)
    to_agency = stored(FiledWith.QUALITY_CONTROL_AGENCY, registered=True)
    for complaint in (forwarded, to_agency):
        assert declared_steps(complaint) == {
            "uphold": frozenset({REVIEWER}),
            "reject": frozenset({REVIEWER}),
        }


def test_the_desk_offers_only_the_steps_the_officials_duties_allow() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        uow.complaints.add(stored(FiledWith.PROVIDER, registered=True))
    with uow:
        clerk = complaint_desk(uow, official(CLERK), "CMP-2026-000001", RECEIVED, CALENDAR)
        auditor = complaint_desk(
            uow, official(PermitRole.AUDITOR), "CMP-2026-000001", RECEIVED, CALENDAR
        )
    assert clerk.offered == ["forward"]
    assert auditor.offered == []
    assert set(auditor.declared) == {"satisfy", "forward"}
    assert clerk.case is None


def test_the_terms_count_working_days_and_say_which_is_missed() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        uow.complaints.add(stored(FiledWith.PROVIDER, registered=True))
    # Monday 14 December: the 3 working days of §13 ended on Thursday the 10th at 18:30.
    now = datetime(2026, 12, 14, 10, 0, tzinfo=ALMATY)
    with uow:
        desk = complaint_desk(uow, official(EXAMINER), "CMP-2026-000001", now, CALENDAR)
    terms = {term.term: term for term in desk.terms}
    assert terms["registration"].overdue is False
    assert terms["provider_response"].days == 3
    assert terms["provider_response"].overdue is True
    assert terms["provider_response"].working_days_left == -2
    assert terms["review"].days == 5
    assert terms["review"].overdue is False
    assert terms["review"].working_days_left == 0


def test_the_desk_is_for_officials_and_marks_the_state_it_was_read_in() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    complaint = stored(FiledWith.PROVIDER, registered=False)
    with uow.given():
        uow.complaints.add(complaint)
    applicant = Viewer(principal(APPLICANT_IIN, APPLICANT_BIN), frozenset())
    with uow, pytest.raises(ForbiddenError):
        complaint_desk(uow, applicant, "CMP-2026-000001", RECEIVED, CALENDAR)
    with uow:
        before = complaint_desk(uow, official(CLERK), "CMP-2026-000001", RECEIVED, CALENDAR)
    with uow.given():
        uow.complaints.save(replace(complaint, registered_at=RECEIVED), 1)
    with uow:
        after = complaint_desk(uow, official(CLERK), "CMP-2026-000001", RECEIVED, CALENDAR)
    assert before.registered is False
    assert after.registered is True
    assert before.seen != after.seen
    assert after.offered == ["forward"]
