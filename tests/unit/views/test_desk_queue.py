"""The officials' queues: which cases each duty sees, soonest deadline first, overdue in front."""

from __future__ import annotations

from datetime import date, datetime

from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import PermitRole, Stage, StageDeadline
from kepil.services.permits.complaint_ports import OpenComplaint
from kepil.services.permits.ports import OpenCase
from kepil.services.permits.views.desk import (
    COMPLAINT_REGISTRATION,
    COMPLAINT_RESPONSE,
    COMPLAINT_REVIEW,
    QUEUE_STATUSES,
    queue_rows,
)

CALENDAR = kazakhstan_calendar()
# Thursday 2 April 2026, mid-morning.
NOW = datetime(2026, 4, 2, 10, 0, tzinfo=ALMATY)


def _at(day: int, hour: int = 18, minute: int = 30) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=ALMATY)


def _case(number: str, status: str, *stages: tuple[Stage, datetime]) -> OpenCase:
    return OpenCase(
        number=number,
        applicant_id="150640123452",
        applicant_name=f"ТОО «{number}»",
        platform_name="Kepil",
        status=status,
        received_at=_at(1, 10, 0),
        deadlines=tuple(StageDeadline(stage, due) for stage, due in stages),
    )


def _complaint(
    number: str,
    *,
    filed_with: str = "provider",
    status: str = "registered",
    registered: bool = True,
    response_due: datetime | None = None,
    review_due: datetime | None = None,
) -> OpenComplaint:
    return OpenComplaint(
        number=number,
        application_number="APP-2026-000001",
        complainant="150640123452",
        filed_by_name="ИВАНОВ ИВАН",
        filed_with=filed_with,
        status=status,
        received_at=_at(1, 11, 0),
        registration_day=date(2026, 4, 1),
        registered_at=_at(1, 12, 0) if registered else None,
        provider_response_due=response_due,
        review_due=review_due or _at(8),
    )


def test_each_duty_works_on_the_statuses_where_the_domain_gives_it_a_transition() -> None:
    assert QUEUE_STATUSES[PermitRole.CLERK] == {"submitted"}
    assert QUEUE_STATUSES[PermitRole.HEAD] == {"registered", "under_review", "hearing_held"}
    assert QUEUE_STATUSES[PermitRole.EXAMINER] == {
        "registered",
        "under_review",
        "preliminary_refusal",
        "hearing_scheduled",
        "hearing_held",
    }


def test_the_examiners_queue_puts_the_overdue_first_then_the_soonest_deadline() -> None:
    cases = [
        _case("APP-3", "under_review", (Stage.REVIEW, _at(6)), (Stage.SERVICE_TERM, _at(7))),
        _case(
            "APP-1",
            "registered",
            (Stage.COMPLETENESS_CHECK, _at(1)),
            (Stage.SERVICE_TERM, _at(7)),
        ),
        _case("APP-2", "hearing_scheduled", (Stage.HEARING, _at(2)), (Stage.SERVICE_TERM, _at(1))),
        _case("APP-4", "submitted", (Stage.REGISTRATION, _at(1))),
    ]
    rows = queue_rows(PermitRole.EXAMINER, cases, [], NOW, CALENDAR)
    assert [row.number for row in rows] == ["APP-1", "APP-2", "APP-3"]
    first, second, third = rows
    assert (first.stage, first.overdue, first.working_days_left) == (
        "completeness_check",
        True,
        -1,
    )
    # The hearing is not capped by the term (§8): the stage the case waits on is the hearing.
    assert (second.stage, second.overdue, second.working_days_left) == ("hearing", False, 0)
    assert (third.stage, third.working_days_left, third.holder) == ("review", 2, "examiner")


def test_the_clerk_registers_applications_and_complaints_filed_with_the_ministry() -> None:
    cases = [_case("APP-9", "submitted", (Stage.REGISTRATION, _at(2)))]
    complaints = [
        _complaint("CMP-1", registered=False),
        _complaint("CMP-2", registered=False, filed_with="quality_control_agency"),
        _complaint("CMP-3", response_due=_at(3)),
    ]
    rows = queue_rows(PermitRole.CLERK, cases, complaints, NOW, CALENDAR)
    assert [(row.kind, row.number, row.stage) for row in rows] == [
        ("complaint", "CMP-1", COMPLAINT_REGISTRATION),
        ("application", "APP-9", "registration"),
    ]
    assert (rows[0].overdue, rows[0].registered, rows[0].holder) == (True, False, "clerk")


def test_the_head_answers_complaints_within_three_days_and_signs_cases() -> None:
    cases = [
        _case("APP-5", "hearing_held", (Stage.SERVICE_TERM, _at(3))),
        _case("APP-6", "preliminary_refusal", (Stage.HEARING, _at(2))),
    ]
    complaints = [_complaint("CMP-4", response_due=_at(2, 18, 0))]
    rows = queue_rows(PermitRole.HEAD, cases, complaints, NOW, CALENDAR)
    assert [(row.number, row.stage, row.holder) for row in rows] == [
        ("CMP-4", COMPLAINT_RESPONSE, "examiner"),
        ("APP-5", "service_term", "head"),
    ]


def test_the_complaint_reviewer_sees_forwarded_complaints_and_those_filed_with_the_agency() -> None:
    complaints = [
        _complaint("CMP-5", status="forwarded", review_due=_at(9)),
        _complaint("CMP-6", filed_with="quality_control_agency", review_due=_at(22)),
        _complaint("CMP-7", filed_with="quality_control_agency", registered=False),
        _complaint("CMP-8", response_due=_at(3)),
    ]
    rows = queue_rows(PermitRole.COMPLAINT_REVIEWER, [], complaints, NOW, CALENDAR)
    assert [(row.number, row.stage) for row in rows] == [
        ("CMP-7", COMPLAINT_REGISTRATION),
        ("CMP-5", COMPLAINT_REVIEW),
        ("CMP-6", COMPLAINT_REVIEW),
    ]
    assert rows[1].working_days_left == 5


def test_the_auditor_has_no_queue_of_cases() -> None:
    cases = [_case("APP-1", "registered", (Stage.COMPLETENESS_CHECK, _at(1)))]
    assert queue_rows(PermitRole.AUDITOR, cases, [_complaint("CMP-1")], NOW, CALENDAR) == ()
