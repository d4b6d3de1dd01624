"""A case on the officials' desk: who may read it there, and which actions it offers to whom."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.support.applications import standing, stored
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Principal
from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import ApplicationAction, ApplicationStatus, PermitRole, Stage
from kepil.domain.permits.grounds import GroundClearance
from kepil.entrypoints.web.desk_action_pages import _grounds_allowed
from kepil.services.errors import ForbiddenError, NotFoundError
from kepil.services.permits.ports import StoredApplication
from kepil.services.permits.views.desk import act_signature, desk, desk_case
from kepil.services.permits.views.viewer import Viewer

CALENDAR = kazakhstan_calendar()
RECEIVED = datetime(2026, 3, 27, 10, 0, tzinfo=ALMATY)
NOW = datetime(2026, 3, 30, 10, 0, tzinfo=ALMATY)
PERSON = Principal("800101300006", None, "ТЕСТОВ ТЕСТ", None, None, "01", "TEST CA")


def _with(status: ApplicationStatus, *stages: tuple[Stage, datetime]) -> FakeUnitOfWork:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        case = standing("APP-2026-000001", RECEIVED, CALENDAR, status=status, open_stages=stages)
        uow.applications.add(stored(case), [])
    return uow


def _as(*roles: PermitRole) -> Viewer:
    return Viewer(PERSON, frozenset(roles))


@pytest.mark.parametrize(
    ("status", "role", "actions"),
    [
        (ApplicationStatus.SUBMITTED, PermitRole.CLERK, ("register",)),
        (ApplicationStatus.SUBMITTED, PermitRole.HEAD, ()),
        (ApplicationStatus.REGISTERED, PermitRole.EXAMINER, ("start_review",)),
        (ApplicationStatus.REGISTERED, PermitRole.HEAD, ("refuse_further_consideration",)),
        # App.1 §10 items 3-4: the examiner may record why a reported court decision does not
        # concern the activity, under review and after the hearing.
        (
            ApplicationStatus.UNDER_REVIEW,
            PermitRole.EXAMINER,
            ("issue_preliminary_refusal", "clear_reported_ground"),
        ),
        (ApplicationStatus.UNDER_REVIEW, PermitRole.HEAD, ("issue_permit",)),
        (ApplicationStatus.HEARING_HELD, PermitRole.HEAD, ("issue_permit", "refuse")),
        (ApplicationStatus.HEARING_HELD, PermitRole.EXAMINER, ("clear_reported_ground",)),
        (ApplicationStatus.PERMIT_ISSUED, PermitRole.HEAD, ()),
        (ApplicationStatus.REGISTERED, PermitRole.AUDITOR, ()),
    ],
)
def test_the_actions_offered_are_the_declared_transitions_of_the_status_for_the_role(
    status: ApplicationStatus, role: PermitRole, actions: tuple[str, ...]
) -> None:
    uow = _with(status, (Stage.SERVICE_TERM, datetime(2026, 4, 3, 18, 30, tzinfo=ALMATY)))
    with uow:
        found = desk_case(uow, _as(role), "APP-2026-000001", NOW, CALENDAR)
    assert found.actions == actions


def test_an_official_with_two_duties_is_offered_the_moves_of_both() -> None:
    uow = _with(ApplicationStatus.REGISTERED)
    with uow:
        found = desk_case(
            uow, _as(PermitRole.EXAMINER, PermitRole.HEAD), "APP-2026-000001", NOW, CALENDAR
        )
    assert found.actions == ("refuse_further_consideration", "start_review")


def test_the_case_says_whose_move_it_is_and_how_many_working_days_are_left() -> None:
    due = datetime(2026, 4, 1, 18, 30, tzinfo=ALMATY)
    uow = _with(ApplicationStatus.REGISTERED, (Stage.COMPLETENESS_CHECK, due))
    with uow:
        found = desk_case(uow, _as(PermitRole.AUDITOR), "APP-2026-000001", NOW, CALENDAR)
    assert found.holder == "examiner"
    assert [(s.stage, s.working_days_left, s.overdue) for s in found.stages] == [
        ("completeness_check", 2, False)
    ]


@pytest.mark.parametrize(
    "roles",
    [frozenset(), frozenset({PermitRole.CONTACT_CENTRE})],
    ids=["applicant", "contact-centre"],
)
def test_only_a_duty_that_reads_cases_opens_the_desk(roles: frozenset[PermitRole]) -> None:
    uow = _with(ApplicationStatus.SUBMITTED)
    who = Viewer(PERSON, roles)
    with uow, pytest.raises(ForbiddenError):
        desk_case(uow, who, "APP-2026-000001", NOW, CALENDAR)
    with uow, pytest.raises(ForbiddenError):
        desk(uow, who, NOW, CALENDAR)
    with uow, pytest.raises(ForbiddenError):
        act_signature(uow, who, "APP-2026-000001", 0)


def test_a_missing_case_or_step_is_not_found() -> None:
    uow = _with(ApplicationStatus.SUBMITTED)
    with uow, pytest.raises(NotFoundError):
        desk_case(uow, _as(PermitRole.CLERK), "APP-2026-999999", NOW, CALENDAR)
    with uow, pytest.raises(NotFoundError):
        act_signature(uow, _as(PermitRole.CLERK), "APP-2026-000001", 0)


def test_the_record_page_offers_the_reported_grounds_the_aggregate_has_not_cleared() -> None:
    # No history line says ground 3 was cleared: only the aggregate's own copy does.
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        case = standing(
            "APP-2026-000001", RECEIVED, CALENDAR, status=ApplicationStatus.UNDER_REVIEW
        )
        case.ground_clearances = (
            GroundClearance.of(3, "Не касается.", "ЭКСПЕРТ", "800101300006", NOW),
        )
        uow.applications.add(
            StoredApplication(case, {"suggested_grounds": [3, 4]}, b"test form", 1), []
        )
    with uow:
        found = desk_case(uow, _as(PermitRole.EXAMINER), "APP-2026-000001", NOW, CALENDAR)
    assert _grounds_allowed(found.case, ApplicationAction.CLEAR_REPORTED_GROUND) == (4,)
