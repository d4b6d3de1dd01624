"""Complaints (Rules §13-§15) and notices of changes to the Rules (§12)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import (
    ActionForbiddenError,
    Complaint,
    ComplaintStatus,
    ComplaintSubject,
    FiledWith,
    NotificationRecipient,
    RuleVersion,
    TransitionNotAllowedError,
    notification_tasks,
)
from kepil.domain.permits.roles import Actor

At = Callable[[str], datetime]


def _complaint(cal: WorkingCalendar, at: At, filed_with: FiledWith, when: str) -> Complaint:
    return Complaint(
        "C-1", "150640123452", ComplaintSubject.DECISION, filed_with, at(when), cal, "A-1"
    )


def test_p12_a_rule_change_owes_two_notices_due_in_three_working_days(
    cal: WorkingCalendar, at: At
) -> None:
    version = RuleVersion("130/НҚ-2026-1", date(2026, 3, 19), date(2026, 5, 1), "Новый срок")
    tasks = notification_tasks(version, cal)
    assert {task.recipient for task in tasks} == set(NotificationRecipient)
    # Adopted Thursday 19 March 2026: 20 March, then 26 and 27 March after Nauryz.
    assert all(task.due == at("2026-03-27T18:30") for task in tasks)
    sent = tasks[0].mark_sent(at("2026-03-26T10:00"))
    assert not sent.is_overdue(at("2026-04-30T00:00"))
    assert tasks[1].is_overdue(at("2026-03-27T18:31"))
    assert tasks[1].mark_sent(at("2026-03-30T09:00")).sent_late


def test_p13_provider_must_satisfy_or_forward_within_three_working_days(
    cal: WorkingCalendar, at: At, examiner: Actor
) -> None:
    complaint = _complaint(cal, at, FiledWith.PROVIDER, "2026-03-20T19:00")
    assert complaint.registration_day == date(2026, 3, 26)
    assert complaint.provider_response_due == at("2026-03-31T18:30")
    assert not complaint.is_overdue(at("2026-03-31T18:00"))
    assert complaint.is_overdue(at("2026-03-31T18:31"))
    event = complaint.forward(examiner, at("2026-03-27T10:00"))
    assert (event.status, event.late) == (ComplaintStatus.FORWARDED, False)


def test_p13_provider_may_satisfy_the_complaint_itself(
    cal: WorkingCalendar, at: At, head: Actor
) -> None:
    complaint = _complaint(cal, at, FiledWith.PROVIDER, "2026-04-13T10:00")
    event = complaint.satisfy(head, at("2026-04-14T10:00"), "Разрешение выдано")
    assert complaint.status is ComplaintStatus.SATISFIED_BY_PROVIDER
    assert not event.pre_trial_appeal_exhausted


def test_p13_only_the_complaint_reviewer_decides(
    cal: WorkingCalendar, at: At, head: Actor, examiner: Actor
) -> None:
    complaint = _complaint(cal, at, FiledWith.PROVIDER, "2026-04-13T10:00")
    with pytest.raises(TransitionNotAllowedError, match="cannot uphold from registered"):
        complaint.uphold(head, at("2026-04-14T10:00"), "да")
    complaint.forward(examiner, at("2026-04-14T10:00"))
    with pytest.raises(ActionForbiddenError, match="head may not reject from forwarded"):
        complaint.reject(head, at("2026-04-15T10:00"), "нет")


def test_p14_review_takes_five_working_days_at_the_provider(
    cal: WorkingCalendar, at: At, examiner: Actor, reviewer: Actor
) -> None:
    complaint = _complaint(cal, at, FiledWith.PROVIDER, "2026-03-20T19:00")
    # Registered 26 March: 27, 30, 31 March, 1 and 2 April.
    assert complaint.review_due == at("2026-04-02T18:30")
    complaint.forward(examiner, at("2026-03-27T10:00"))
    event = complaint.uphold(reviewer, at("2026-04-03T10:00"), "Отказ отменить")
    assert event.late
    assert complaint.is_overdue(at("2026-04-03T10:00"))


def test_p14_review_takes_fifteen_working_days_at_the_quality_control_agency(
    cal: WorkingCalendar, at: At, examiner: Actor, reviewer: Actor
) -> None:
    complaint = _complaint(cal, at, FiledWith.QUALITY_CONTROL_AGENCY, "2026-04-13T10:00")
    assert complaint.provider_response_due is None
    assert complaint.review_due == at("2026-05-05T18:30")
    with pytest.raises(TransitionNotAllowedError, match="quality_control_agency"):
        complaint.forward(examiner, at("2026-04-14T10:00"))
    complaint.reject(reviewer, at("2026-04-20T10:00"), "Отказ законен")
    assert complaint.status is ComplaintStatus.REJECTED


def test_p15_a_decided_complaint_records_that_the_pre_trial_appeal_is_exhausted(
    cal: WorkingCalendar, at: At, examiner: Actor, reviewer: Actor
) -> None:
    complaint = _complaint(cal, at, FiledWith.PROVIDER, "2026-04-13T10:00")
    assert not complaint.pre_trial_appeal_exhausted
    complaint.forward(examiner, at("2026-04-14T10:00"))
    assert not complaint.pre_trial_appeal_exhausted
    event = complaint.reject(reviewer, at("2026-04-16T10:00"), "Отказ законен")
    assert event.pre_trial_appeal_exhausted
    assert complaint.pre_trial_appeal_exhausted
