"""Rules §8 as the law says it: the notice carries the hearing's time and place, the hearing is
within 2 working days of it, one move with a new notice, and the limits a page shows first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import (
    Application,
    ApplicationAction,
    ApplicationStatus,
    HearingMoved,
    HearingScheduled,
    RefusalReasons,
    Stage,
    StageBook,
    TransitionNotAllowedError,
    hearing_due,
    hearing_limits,
)
from kepil.domain.permits.hearing import MoveBlock
from kepil.domain.permits.roles import Actor

Submit = Callable[..., Application]
At = Callable[[str], datetime]
PLACE = "Астана, пр. Мангилик Ел, 55/14, каб. 301"


def _reviewed(submitted: Submit, clerk: Actor, examiner: Actor, at: At) -> Application:
    """Filed Monday 13 April 2026: term ends 20 April 18:30, notice due 15 April 18:30."""
    application = submitted("2026-04-13T10:00")
    application.register(clerk, at("2026-04-13T11:00"))
    application.start_review(examiner, at("2026-04-14T10:00"))
    return application


def _noticed(submitted: Submit, clerk: Actor, examiner: Actor, at: At) -> Application:
    """Notified on time, Wednesday 15 April 10:00, hearing Thursday 16 April 15:00."""
    application = _reviewed(submitted, clerk, examiner, at)
    application.issue_preliminary_refusal(
        examiner, at("2026-04-15T10:00"), [2], "узлов три", at("2026-04-16T15:00"), PLACE
    )
    return application


def _refused(action: Callable[[], object], *words: str) -> str:
    with pytest.raises(TransitionNotAllowedError) as refused:
        action()
    for word in words:
        assert word in str(refused.value)
    return str(refused.value)


def test_the_preliminary_refusal_carries_the_time_and_place_and_schedules_the_hearing(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    event = application.issue_preliminary_refusal(
        examiner, at("2026-04-15T10:00"), [2], "узлов три", at("2026-04-16T15:00"), f" {PLACE} "
    )
    assert application.status is ApplicationStatus.HEARING_SCHEDULED
    assert (event.hearing_at, event.place) == (at("2026-04-16T15:00"), PLACE)
    assert not event.late
    assert event.stage_deadline == at("2026-04-15T18:30")
    assert event.hearing_due == at("2026-04-17T18:30")
    assert application.hearing_at == at("2026-04-16T15:00")
    hearing = application.deadlines.get(Stage.HEARING)
    assert hearing is not None
    assert hearing.due == at("2026-04-17T18:30")


@pytest.mark.parametrize(
    ("hearing_at", "place", "limit"),
    [
        ("2026-04-15T09:59", PLACE, "before its notice (2026-04-15T10:00+05:00)"),
        ("2026-04-17T18:31", PLACE, "2 working days from the notice: by 2026-04-17T18:30+05:00"),
        ("2026-04-16T15:00", "  ", "the place or way of the hearing is required"),
    ],
)
def test_a_notice_whose_hearing_breaks_the_limits_is_refused_naming_the_limit(
    submitted: Submit,
    clerk: Actor,
    examiner: Actor,
    at: At,
    hearing_at: str,
    place: str,
    limit: str,
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    _refused(
        lambda: application.issue_preliminary_refusal(
            examiner, at("2026-04-15T10:00"), [2], "узлов три", at(hearing_at), place
        ),
        "cannot issue_preliminary_refusal from under_review",
        limit,
    )
    assert application.status is ApplicationStatus.UNDER_REVIEW
    assert application.deadlines.get(Stage.HEARING) is None
    assert application.pull_events()[-1].status is ApplicationStatus.UNDER_REVIEW


def test_the_two_working_days_skip_nauryz(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    # Notified Friday 20 March 2026; 21-25 March are days off, so the hearing is by 27 March.
    application = submitted("2026-03-19T10:00")
    application.register(clerk, at("2026-03-19T11:00"))
    application.start_review(examiner, at("2026-03-20T09:30"))
    notice = at("2026-03-20T12:00")
    _refused(
        lambda: application.issue_preliminary_refusal(
            examiner, notice, [2], "м", at("2026-03-30T10:00"), PLACE
        ),
        "by 2026-03-27T18:30+05:00",
    )
    event = application.issue_preliminary_refusal(
        examiner, notice, [2], "м", at("2026-03-27T17:00"), PLACE
    )
    assert event.hearing_due == at("2026-03-27T18:30")


def test_a_late_notice_is_accepted_and_marked_late_on_the_notice_that_carries_the_time(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    event = application.issue_preliminary_refusal(
        examiner, at("2026-04-16T10:00"), [2], "м", at("2026-04-20T10:00"), PLACE
    )
    assert event.late
    notice = application.deadlines.get(Stage.HEARING_NOTICE)
    assert notice is not None
    assert notice.settled_at == at("2026-04-16T10:00")
    assert notice.is_overdue(at("2026-04-16T10:00"))


def test_the_hearing_is_moved_once_with_a_new_notice_and_its_deadline_follows_it(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _noticed(submitted, clerk, examiner, at)
    event = application.schedule_hearing(
        examiner, at("2026-04-16T09:00"), at("2026-04-20T11:00"), "видеосвязь"
    )
    assert isinstance(event, HearingMoved)
    assert event.previous_hearing_at == at("2026-04-16T15:00")
    assert (event.hearing_at, event.place) == (at("2026-04-20T11:00"), "видеосвязь")
    assert event.reasons == RefusalReasons.of([2], "узлов три")
    assert event.hearing_due == at("2026-04-20T18:30")
    assert not event.late  # the notice stage was judged on the first notice, and met
    assert event.stage_deadline == at("2026-04-20T18:30")
    assert application.status is ApplicationStatus.HEARING_SCHEDULED
    assert application.hearing_moves == 1
    hearing = application.deadlines.get(Stage.HEARING)
    assert hearing is not None
    assert hearing.due == at("2026-04-20T18:30")
    _refused(
        lambda: application.schedule_hearing(
            examiner, at("2026-04-17T09:00"), at("2026-04-20T12:00"), "видеосвязь"
        ),
        "moved already (to 2026-04-20T11:00+05:00)",
        "one move",
    )
    _refused(
        lambda: application.hold_hearing(examiner, at("2026-04-16T15:00"), True),
        "set for 2026-04-20T11:00+05:00",
    )
    application.hold_hearing(examiner, at("2026-04-20T11:30"), True, "Не согласны")
    assert application.status is ApplicationStatus.HEARING_HELD


def test_a_hearing_whose_moment_came_can_no_longer_be_moved(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _noticed(submitted, clerk, examiner, at)
    _refused(
        lambda: application.schedule_hearing(
            examiner, at("2026-04-16T15:00"), at("2026-04-17T10:00"), PLACE
        ),
        "moment (2026-04-16T15:00+05:00) came; it cannot be moved",
    )
    assert application.hearing_moves == 0


def test_a_move_is_within_two_working_days_of_its_notice_and_never_after_the_term(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    # Filed 19 March 2026: the term ends Tuesday 31 March 18:30 (Nauryz 21-25 March off).
    application = submitted("2026-03-19T10:00")
    application.register(clerk, at("2026-03-19T11:00"))
    application.start_review(examiner, at("2026-03-20T09:30"))
    late = application.issue_preliminary_refusal(
        examiner, at("2026-03-30T10:00"), [2], "м", at("2026-04-01T10:00"), PLACE
    )
    assert late.late  # a late first notice may still set the hearing past the term
    _refused(
        lambda: application.schedule_hearing(
            examiner, at("2026-03-31T09:00"), at("2026-04-01T12:00"), PLACE
        ),
        "not after the service's term ends: by 2026-03-31T18:30+05:00",
    )
    limits = hearing_limits(application, at("2026-04-01T09:00"))
    assert limits is not None
    assert limits.refusal == (
        "the service's term ended at 2026-03-31T18:30+05:00; the hearing can no longer be moved"
    )
    assert limits.blocked is MoveBlock.TERM_ENDED
    moved = application.schedule_hearing(
        examiner, at("2026-03-31T09:00"), at("2026-03-31T16:00"), PLACE
    )
    assert not moved.late  # a move is bounded by the term, not by the notice deadline
    assert moved.stage_deadline == at("2026-04-02T18:30")


def test_moving_to_the_same_moment_is_no_move(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _noticed(submitted, clerk, examiner, at)
    _refused(
        lambda: application.schedule_hearing(
            examiner, at("2026-04-16T09:00"), at("2026-04-16T15:00"), "видеосвязь"
        ),
        "already set for 2026-04-16T15:00+05:00",
    )


def _old_shape(reviewed: Application, cal: WorkingCalendar, at: At) -> Application:
    """As stored before this change: a preliminary refusal on time, without time and place."""
    notice = at("2026-04-15T10:00")
    schedule = reviewed.schedule
    book = StageBook(reviewed.deadlines.all())
    book.settle(Stage.REVIEW, notice)
    book.open(Stage.HEARING_NOTICE, schedule.hearing_notice_due)
    book.settle(Stage.HEARING_NOTICE, notice)
    book.open(Stage.HEARING, hearing_due(cal, notice))
    return Application.restore(
        reviewed.number,
        reviewed.form,
        schedule,
        cal,
        status=ApplicationStatus.PRELIMINARY_REFUSAL,
        deadlines=book,
        preliminary_reasons=RefusalReasons.of([2], "узлов три"),
        hearing_at=None,
        last_event_at=notice,
    )


def test_a_case_stored_in_the_old_shape_gets_its_notice_with_time_and_place_judged_alike(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At, cal: WorkingCalendar
) -> None:
    application = _old_shape(_reviewed(submitted, clerk, examiner, at), cal, at)
    limits = hearing_limits(application, at("2026-04-16T10:00"))
    assert limits is not None
    assert (limits.action, limits.moving) == (ApplicationAction.SCHEDULE_HEARING, False)
    assert limits.latest == at("2026-04-20T18:30")
    _refused(
        lambda: application.schedule_hearing(
            examiner, at("2026-04-16T10:00"), at("2026-04-21T10:00"), PLACE
        ),
        "cannot schedule_hearing from preliminary_refusal",
        "by 2026-04-20T18:30+05:00",
    )
    event = application.schedule_hearing(
        examiner, at("2026-04-16T10:00"), at("2026-04-17T15:00"), PLACE
    )
    assert isinstance(event, HearingScheduled)
    assert event.reasons == RefusalReasons.of([2], "узлов три")
    # The notice that counts is the one with the time and place: after the deadline, so late.
    assert event.late
    assert event.stage_deadline == at("2026-04-15T18:30")
    notice = application.deadlines.get(Stage.HEARING_NOTICE)
    assert notice is not None
    assert notice.settled_at == at("2026-04-16T10:00")
    hearing = application.deadlines.get(Stage.HEARING)
    assert hearing is not None
    assert hearing.due == at("2026-04-20T18:30")
    # It was a notice, not a move: the one move is still there.
    moved = application.schedule_hearing(
        examiner, at("2026-04-17T09:00"), at("2026-04-20T10:00"), PLACE
    )
    assert isinstance(moved, HearingMoved)


def test_the_limits_a_page_shows_before_the_official_acts(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    first = hearing_limits(application, at("2026-04-15T10:00"))
    assert first is not None
    assert first.action is ApplicationAction.ISSUE_PRELIMINARY_REFUSAL
    assert not first.moving
    assert first.allowed
    assert (first.earliest, first.latest) == (at("2026-04-15T10:00"), at("2026-04-17T18:30"))
    assert first.notice_due == at("2026-04-15T18:30")
    assert not first.notice_late
    assert first.service_term_due == at("2026-04-20T18:30")
    assert first.moves_left == 1
    late = hearing_limits(application, at("2026-04-16T09:00"))
    assert late is not None
    assert late.notice_late
    application.issue_preliminary_refusal(
        examiner, at("2026-04-15T10:00"), [2], "м", at("2026-04-16T15:00"), PLACE
    )
    move = hearing_limits(application, at("2026-04-16T09:00"))
    assert move is not None
    assert (move.action, move.moving, move.allowed) == (
        ApplicationAction.SCHEDULE_HEARING,
        True,
        True,
    )
    assert move.hearing_at == at("2026-04-16T15:00")
    assert move.latest == at("2026-04-20T18:30")
    assert move.problem(at("2026-04-16T08:00"), PLACE) is not None
    assert move.problem(at("2026-04-17T10:00"), PLACE) is None
    application.hold_hearing(examiner, at("2026-04-16T15:10"), False)
    assert hearing_limits(application, at("2026-04-16T16:00")) is None


def test_no_step_sets_a_hearing_before_the_review(submitted: Submit, at: At) -> None:
    assert hearing_limits(submitted(), at("2026-04-13T10:30")) is None


def test_limits_need_an_aware_moment(submitted: Submit) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        hearing_limits(submitted(), datetime(2026, 4, 13, 10, 30))
