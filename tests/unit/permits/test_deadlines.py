"""Stage deadlines in working days across weekends and holidays (Rules §5-§8, App.1 §4, §8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar, to_almaty
from kepil.domain.permits import (
    ServiceSchedule,
    Stage,
    StageDeadline,
    hearing_due,
    review_due,
)

At = Callable[[str], datetime]
CAL = kazakhstan_calendar()


def test_p5_application_during_nauryz_gets_its_whole_schedule_after_the_holidays(
    cal: WorkingCalendar, at: At
) -> None:
    schedule = ServiceSchedule.compute(cal, at("2026-03-20T19:00"))
    assert schedule.registration_day == date(2026, 3, 26)
    assert schedule.registration_due == at("2026-03-26T18:30")


def test_p6_completeness_check_is_due_two_working_days_after_registration(
    cal: WorkingCalendar, at: At
) -> None:
    # Registered Thursday 26 March 2026: Friday 27 and Monday 30 March.
    schedule = ServiceSchedule.compute(cal, at("2026-03-20T19:00"))
    assert schedule.completeness_check_due == at("2026-03-30T18:30")


def test_p7_review_is_due_three_working_days_after_completeness_is_established(
    cal: WorkingCalendar, at: At
) -> None:
    # Completeness established Friday 27 March: 30, 31 March and 1 April.
    assert review_due(cal, at("2026-03-27T11:00"), date(2026, 3, 26)) == at("2026-04-01T18:30")


def test_p7_a_late_completeness_check_does_not_lengthen_the_service_term(
    cal: WorkingCalendar, at: At
) -> None:
    # Established on 1 April, the review would run to 6 April; the term ends on 2 April.
    assert review_due(cal, at("2026-04-01T11:00"), date(2026, 3, 26)) == at("2026-04-02T18:30")


def test_app1_4_the_service_term_is_five_working_days_after_registration(
    cal: WorkingCalendar, at: At
) -> None:
    schedule = ServiceSchedule.compute(cal, at("2026-03-20T19:00"))
    assert schedule.service_term_due == at("2026-04-02T18:30")


def test_p8_hearing_notice_is_due_three_working_days_before_the_term_ends(
    cal: WorkingCalendar, at: At
) -> None:
    # Term ends Thursday 2 April; 1 April, 31 March and 30 March must remain after the notice.
    schedule = ServiceSchedule.compute(cal, at("2026-03-20T19:00"))
    assert schedule.hearing_notice_due == at("2026-03-30T18:30")


def test_p8_hearing_is_held_within_two_working_days_of_the_notice(
    cal: WorkingCalendar, at: At
) -> None:
    # Notice on Friday 20 March 2026: the next working days are 26 and 27 March.
    assert hearing_due(cal, at("2026-03-20T12:00")) == at("2026-03-27T18:30")


def test_app1_8_the_portal_accepts_at_lunch_time_and_that_counts_the_same_day(
    cal: WorkingCalendar, at: At
) -> None:
    assert ServiceSchedule.compute(cal, at("2026-04-13T13:30")).registration_day == date(
        2026, 4, 13
    )


def test_app1_8_a_moment_given_in_utc_is_judged_in_almaty_time(cal: WorkingCalendar) -> None:
    # 13:45 UTC is 18:45 in Almaty: after hours, so registered on Tuesday.
    moment = datetime(2026, 4, 13, 13, 45, tzinfo=UTC)
    assert ServiceSchedule.compute(cal, moment).registration_day == date(2026, 4, 14)


def test_a_stage_settled_in_time_is_never_overdue_and_an_open_one_becomes_so(at: At) -> None:
    stage = StageDeadline(Stage.REVIEW, at("2026-04-17T18:30"))
    assert not stage.is_overdue(at("2026-04-17T18:30"))
    assert stage.is_overdue(at("2026-04-17T18:31"))
    settled = stage.settle(at("2026-04-16T10:00"))
    assert not settled.is_overdue(at("2027-01-01T00:00"))


received = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(ALMATY)
)


@settings(max_examples=300, deadline=None)
@given(received_at=received, established_after=st.integers(min_value=0, max_value=2))
def test_app1_4_term_ends_on_a_working_day_and_bounds_every_stage(
    received_at: datetime, established_after: int
) -> None:
    schedule = ServiceSchedule.compute(CAL, received_at)
    term_end = schedule.service_term_due
    assert CAL.is_working_day(term_end.date())
    assert CAL.working_days_between(schedule.registration_day, term_end.date()) == 5
    assert to_almaty(term_end).time().isoformat() == "18:30:00"
    established_day = (
        CAL.add_working_days(schedule.registration_day, established_after)
        if established_after
        else schedule.registration_day
    )
    established = datetime.combine(established_day, datetime.min.time(), ALMATY) + timedelta(
        hours=12
    )
    notice_due = schedule.hearing_notice_due
    stage_ends = [
        schedule.registration_due,
        schedule.completeness_check_due,
        review_due(CAL, established, schedule.registration_day),
        notice_due,
        hearing_due(CAL, notice_due),
    ]
    assert all(end <= term_end for end in stage_ends)
    assert CAL.working_days_between(notice_due.date(), term_end.date()) == 3
