"""The cabinet's view of a person's cases (the stage each waits on) and the public document
check (is a document genuine and in force, without saying whose a refusal is)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from tests.support.applications import standing, stored
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import PermitRole, Stage, StageDeadline
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.errors import NotFoundError
from kepil.services.permits.ports import IssuedDocument
from kepil.services.permits.views.applications import application_view
from kepil.services.permits.views.cabinet import cabinet_page, current_stage
from kepil.services.permits.views.check import check_document
from kepil.services.permits.views.viewer import Viewer, in_own_cabinet

CALENDAR = kazakhstan_calendar()
# Wednesday 1 April 2026: registration is due that evening, the service term on 8 April.
AT = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
EVENING = datetime(2026, 4, 1, 18, 30, tzinfo=ALMATY)
TERM = datetime(2026, 4, 8, 18, 30, tzinfo=ALMATY)


def _deadlines(*stages: tuple[Stage, datetime]) -> list[StageDeadline]:
    return [StageDeadline(stage, due) for stage, due in stages]


def test_the_current_stage_is_the_open_one_due_first_with_working_days_left() -> None:
    check = datetime(2026, 4, 3, 18, 30, tzinfo=ALMATY)
    running = _deadlines(
        (Stage.SERVICE_TERM, TERM), (Stage.COMPLETENESS_CHECK, check), (Stage.REGISTRATION, EVENING)
    )
    now = current_stage(running, AT, CALENDAR)
    assert now is not None
    assert (now.stage, now.due, now.working_days_left, now.overdue) == (
        "registration",
        EVENING,
        0,
        False,
    )
    settled = [running[0], running[1], running[2].settle(AT)]
    later = current_stage(settled, AT, CALENDAR)
    assert later is not None
    assert (later.stage, later.working_days_left) == ("completeness_check", 2)


def test_a_stage_past_its_due_moment_is_overdue_and_counts_days_below_zero() -> None:
    running = _deadlines((Stage.REGISTRATION, EVENING), (Stage.SERVICE_TERM, TERM))
    that_evening = current_stage(running, EVENING + timedelta(minutes=1), CALENDAR)
    assert that_evening is not None
    assert (that_evening.overdue, that_evening.working_days_left) == (True, 0)
    # Friday 3 April is two working days after the due day.
    friday = current_stage(running, datetime(2026, 4, 3, 9, 0, tzinfo=ALMATY), CALENDAR)
    assert friday is not None
    assert (friday.overdue, friday.working_days_left) == (True, -2)


def test_a_hearing_after_the_service_term_is_still_what_the_case_waits_on() -> None:
    hearing = datetime(2026, 4, 10, 18, 30, tzinfo=ALMATY)
    running = _deadlines((Stage.SERVICE_TERM, TERM), (Stage.HEARING, hearing))
    now = current_stage(running, datetime(2026, 4, 9, 10, 0, tzinfo=ALMATY), CALENDAR)
    assert now is not None
    assert (now.stage, now.overdue, now.working_days_left) == ("hearing", False, 1)


def test_a_case_with_every_stage_settled_waits_on_nothing() -> None:
    settled = [StageDeadline(Stage.SERVICE_TERM, TERM).settle(AT)]
    assert current_stage(settled, AT, CALENDAR) is None
    assert current_stage([], AT, CALENDAR) is None


def test_the_cabinet_lists_only_the_persons_own_cases_even_for_an_official() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        own = standing(
            "APP-2026-000001",
            AT,
            CALENDAR,
            open_stages=[(Stage.REGISTRATION, EVENING), (Stage.SERVICE_TERM, TERM)],
        )
        other = standing("APP-2026-000002", AT, CALENDAR, applicant_bin="040340004486")
        for application in (own, other):
            uow.applications.add(stored(application), [])
    official = Viewer(principal(APPLICANT_IIN, APPLICANT_BIN), frozenset({PermitRole.CLERK}))
    with uow:
        page = cabinet_page(uow, official, 20, 0, AT, CALENDAR)
    assert page.total == 1
    [line] = page.items
    assert (line.number, line.status, line.final) == ("APP-2026-000001", "submitted", False)
    assert line.current is not None
    assert (line.current.stage, line.current.due) == ("registration", EVENING)


def test_in_ones_own_cabinet_an_official_cannot_open_anyone_elses_case() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        other = standing("APP-2026-000002", AT, CALENDAR, applicant_bin="040340004486")
        uow.applications.add(stored(other), [])
    clerk = principal(APPLICANT_IIN, APPLICANT_BIN)
    with uow:
        as_official = Viewer(clerk, frozenset({PermitRole.CLERK}))
        assert application_view(uow, as_official, "APP-2026-000002", AT).number
        with pytest.raises(NotFoundError):
            application_view(uow, in_own_cabinet(clerk), "APP-2026-000002", AT)


ENTRY = RegistryEntry(
    "REG-2026-000001",
    "PRM-2026-000001",
    "APP-2026-000001",
    "ТОО «Тест»",
    APPLICANT_BIN,
    "Kepil Grain Ledger",
    "grain",
    ("Астана",),
    date(2026, 4, 6),
    date(2029, 4, 6),
)


def _registry_and_refusal() -> FakeUnitOfWork:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        uow.registry.add(ENTRY.change_status(RegistryStatus.SUSPENDED, "решение суда", "head", AT))
        uow.documents.add(
            IssuedDocument(
                "REF-2026-000002",
                "APP-2026-000002",
                "permit_refused",
                datetime(2026, 4, 7, 18, 0, tzinfo=ALMATY),
                APPLICANT_BIN,
                b"{}",
                b"cms",
                "900101300136",
                "0" * 64,
            )
        )
    return uow


def test_a_permit_is_found_by_its_own_number_and_by_its_registry_number() -> None:
    uow = _registry_and_refusal()
    for number in ("PRM-2026-000001", "REG-2026-000001"):
        found = check_document(uow, number, date(2026, 5, 1))
        assert found is not None
        assert (found.number, found.kind, found.issued_on) == (
            "PRM-2026-000001",
            "permit_issued",
            date(2026, 4, 6),
        )
        assert found.entry is not None
        assert found.entry.status is RegistryStatus.SUSPENDED


def test_another_document_is_genuine_with_its_kind_and_day_and_nothing_of_its_recipient() -> None:
    found = check_document(_registry_and_refusal(), "REF-2026-000002", date(2026, 5, 1))
    assert found is not None
    assert (found.kind, found.issued_on, found.entry) == ("permit_refused", date(2026, 4, 7), None)
    assert not hasattr(found, "recipient_id")


def test_an_unknown_number_was_not_issued_by_the_service() -> None:
    assert check_document(_registry_and_refusal(), "PRM-2026-999999", date(2026, 5, 1)) is None
