"""Acting for the head (Rules §9): whole Almaty days, a stated basis, no overlap for one person,
and a deputy who acts as the head only while their period is in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from tests.support.clock import MovableClock, almaty
from tests.support.signatures import FakeVerifier
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Principal
from kepil.domain.calendar import kazakhstan_calendar
from kepil.domain.permits import PermitRole, Signer
from kepil.domain.permits.acting import (
    ACTING_HEAD_POSITION,
    ActingPeriod,
    ActingRuleError,
    ActingState,
    nearest,
    new_acting_period,
)
from kepil.services.errors import ConflictError, ForbiddenError, InvalidInputError
from kepil.services.permits.context import PermitContext
from kepil.services.permits.officials import (
    READING_ROLES,
    EndActingPeriod,
    GrantDuty,
    GrantRole,
    RecordActingPeriod,
    RevokeDuty,
    actor_for,
    duties_at,
    end_acting_period,
    grant_duty,
    grant_role,
    record_acting_period,
    revoke_duty,
)
from kepil.services.permits.rule_changes import RecordRuleChange, record_rule_change
from kepil.services.permits.views.viewer import Viewer

DEPUTY_IIN = "781102303459"
ADMIN_IIN = "850315400124"
DEPUTY = Principal(DEPUTY_IIN, None, "ЗАМЕСТИТЕЛЕВ АРМАН", None, None, "01", "TEST CA")
ADMIN = Principal(ADMIN_IIN, None, "АДМИНОВА АЙГУЛЬ", None, None, "01", "TEST CA")
HEAD_ONLY = frozenset({PermitRole.HEAD})


def _period(first: str, last: str, **changes: object) -> ActingPeriod:
    period = ActingPeriod(
        iin=DEPUTY_IIN,
        name="ЗАМЕСТИТЕЛЕВ АРМАН",
        position="",
        first_day=date.fromisoformat(first),
        last_day=date.fromisoformat(last),
        basis="приказ № 15-к от 01.12.2026",
        recorded_at=almaty("2026-12-01T10:00"),
        recorded_by=ADMIN_IIN,
    )
    return replace(period, **changes)  # type: ignore[arg-type]


def test_a_period_covers_its_first_and_last_almaty_days_whole() -> None:
    period = _period("2026-12-07", "2026-12-11")
    assert not period.covers(almaty("2026-12-06T23:59:59"))
    assert period.covers(almaty("2026-12-07T00:00"))
    assert period.covers(almaty("2026-12-11T23:59:59"))
    assert not period.covers(almaty("2026-12-12T00:00"))
    # 19:30 UTC on the 6th is already 00:30 of the 7th in Almaty (UTC+5).
    assert period.covers(datetime(2026, 12, 6, 19, 30, tzinfo=UTC))
    assert not period.covers(datetime(2026, 12, 6, 18, 30, tzinfo=UTC))
    assert period.state(almaty("2026-12-12T09:00")) is ActingState.OVER
    assert period.state(almaty("2026-12-06T09:00")) is ActingState.UPCOMING


def test_a_new_period_takes_the_usual_acting_position_and_keeps_the_basis() -> None:
    recorded = new_acting_period(
        _period("2026-12-07", "2026-12-11"), [], almaty("2026-12-06T10:00")
    )
    assert recorded.position == ACTING_HEAD_POSITION
    assert recorded.basis == "приказ № 15-к от 01.12.2026"


@pytest.mark.parametrize(
    ("first", "last", "basis", "code"),
    [
        ("2026-12-11", "2026-12-07", "приказ № 1", "acting_ends_before_it_starts"),
        ("2026-12-01", "2026-12-05", "приказ № 1", "acting_in_the_past"),
        ("2026-12-07", "2027-12-31", "приказ № 1", "acting_too_long"),
        ("2026-12-07", "2026-12-11", "  ", "acting_basis_required"),
    ],
)
def test_a_period_the_rules_do_not_allow_is_refused_naming_the_rule(
    first: str, last: str, basis: str, code: str
) -> None:
    with pytest.raises(ActingRuleError) as refused:
        new_acting_period(_period(first, last, basis=basis), [], almaty("2026-12-06T10:00"))
    assert refused.value.code == code


def test_overlapping_periods_of_one_person_are_refused_but_not_of_two() -> None:
    kept = _period("2026-12-07", "2026-12-11", id=1)
    now = almaty("2026-12-06T10:00")
    with pytest.raises(ActingRuleError, match="from 2026-12-07 to 2026-12-11") as refused:
        new_acting_period(_period("2026-12-11", "2026-12-15"), [kept], now)
    assert refused.value.code == "acting_overlaps"
    assert new_acting_period(_period("2026-12-12", "2026-12-15"), [kept], now)
    other = replace(kept, iin="850315400124")
    assert new_acting_period(_period("2026-12-07", "2026-12-11"), [other], now)


def test_an_ended_period_stops_at_the_moment_it_was_ended_and_frees_the_days_after() -> None:
    period = _period("2026-12-07", "2026-12-11", id=1)
    ended = period.ended(almaty("2026-12-08T12:00"), ADMIN_IIN)
    assert ended.covers(almaty("2026-12-08T11:59"))
    assert not ended.covers(almaty("2026-12-08T12:00"))
    assert ended.state(almaty("2026-12-09T09:00")) is ActingState.ENDED_EARLY
    later = new_acting_period(
        _period("2026-12-09", "2026-12-15"), [ended], almaty("2026-12-08T13:00")
    )
    assert later.first_day == date(2026, 12, 9)
    with pytest.raises(ActingRuleError) as twice:
        ended.ended(almaty("2026-12-09T09:00"), ADMIN_IIN)
    assert twice.value.code == "acting_already_ended"


def test_a_period_ended_before_its_first_day_is_cancelled_and_one_over_cannot_be_ended() -> None:
    period = _period("2026-12-07", "2026-12-11", id=1)
    cancelled = period.ended(almaty("2026-12-06T12:00"), ADMIN_IIN)
    assert cancelled.state(almaty("2026-12-09T09:00")) is ActingState.CANCELLED
    assert nearest([cancelled], almaty("2026-12-09T09:00")) is None
    with pytest.raises(ActingRuleError) as over:
        period.ended(almaty("2026-12-12T09:00"), ADMIN_IIN)
    assert over.value.code == "acting_already_over"


def _staffed(at: str = "2026-12-06T10:00") -> tuple[FakeUnitOfWork, MovableClock]:
    uow, clock = FakeUnitOfWork(), MovableClock(at)
    grant_role(GrantRole(ADMIN_IIN, PermitRole.ADMINISTRATOR, "АДМИНОВА", "", "cli"), uow, clock)
    grant_role(GrantRole(DEPUTY_IIN, PermitRole.EXAMINER, "ЗАМЕСТИТЕЛЕВ", "", "cli"), uow, clock)
    return uow, clock


def _record(uow: FakeUnitOfWork, clock: MovableClock, first: str, last: str) -> int:
    command = RecordActingPeriod(
        ADMIN, DEPUTY_IIN, date.fromisoformat(first), date.fromisoformat(last), "приказ № 15-к"
    )
    return record_acting_period(command, uow, clock)


def test_the_deputy_acts_as_head_only_during_the_period_and_documents_say_so() -> None:
    uow, clock = _staffed()
    _record(uow, clock, "2026-12-07", "2026-12-11")
    with uow:
        acting = actor_for(DEPUTY, HEAD_ONLY, uow, almaty("2026-12-09T15:00"))
        assert acting.role is PermitRole.HEAD
        signer = Signer.for_actor(acting)
        assert (signer.position, signer.name) == (ACTING_HEAD_POSITION, "ЗАМЕСТИТЕЛЕВ АРМАН")
        assert PermitRole.HEAD in duties_at(DEPUTY, uow, almaty("2026-12-09T15:00"))
        with pytest.raises(ForbiddenError, match="from 2026-12-07 to 2026-12-11") as outside:
            actor_for(DEPUTY, HEAD_ONLY, uow, almaty("2026-12-12T09:00"))
        assert outside.value.code == "acting_period_not_in_force"
        with pytest.raises(ForbiddenError) as timeless:
            actor_for(DEPUTY, HEAD_ONLY, uow)
        assert timeless.value.code == "role_required"
        examiner = actor_for(DEPUTY, frozenset({PermitRole.EXAMINER, PermitRole.HEAD}), uow)
        assert examiner.role is PermitRole.EXAMINER


def test_only_an_official_who_reads_cases_and_is_not_the_head_may_act_for_the_head() -> None:
    uow, clock = _staffed()
    stranger = RecordActingPeriod(ADMIN, "900101300136", date(2026, 12, 7), date(2026, 12, 8), "x")
    with pytest.raises(InvalidInputError) as unknown:
        record_acting_period(stranger, uow, clock)
    assert unknown.value.code == "acting_not_staff"
    grant_role(GrantRole("900101300136", PermitRole.HEAD, "РУКОВОДИТЕЛЕВ", "", "cli"), uow, clock)
    with pytest.raises(InvalidInputError) as head:
        record_acting_period(stranger, uow, clock)
    assert head.value.code == "acting_holds_head"
    with pytest.raises(ForbiddenError):
        record_acting_period(replace(stranger, administrator=DEPUTY), uow, clock)


def test_ending_a_period_is_the_administrators_and_takes_effect_at_once() -> None:
    uow, clock = _staffed("2026-12-08T10:00")
    number = _record(uow, clock, "2026-12-07", "2026-12-11")
    ended = end_acting_period(EndActingPeriod(ADMIN, number), uow, clock)
    assert ended.ended_by == ADMIN_IIN
    with uow, pytest.raises(ForbiddenError, match="acts for the head only"):
        actor_for(DEPUTY, HEAD_ONLY, uow, almaty("2026-12-08T10:01"))
    with pytest.raises(ConflictError):
        end_acting_period(EndActingPeriod(ADMIN, number), uow, clock)


def test_the_administrator_reads_no_case_and_decides_nothing() -> None:
    admin = Viewer(ADMIN, frozenset({PermitRole.ADMINISTRATOR}))
    assert admin.keeps_staff_table
    assert not admin.is_official
    assert not admin.may_see("120440056787")
    assert PermitRole.ADMINISTRATOR not in READING_ROLES
    assert PermitRole.CONTACT_CENTRE not in READING_ROLES


def test_the_administrator_grants_with_their_own_iin_and_keeps_the_last_duty() -> None:
    uow, clock = _staffed()
    granted = grant_duty(
        GrantDuty(ADMIN, "900101300136", PermitRole.HEAD, " РУКОВОДИТЕЛЕВ ", "Председатель"),
        uow,
        clock,
    )
    assert granted
    [head] = uow.staff.roles_of("900101300136")
    assert (head.name, head.granted_by) == ("РУКОВОДИТЕЛЕВ", ADMIN_IIN)
    with pytest.raises(InvalidInputError) as bad_iin:
        grant_duty(GrantDuty(ADMIN, "900101300137", PermitRole.HEAD, "X", ""), uow, clock)
    assert bad_iin.value.code == "invalid_iin"
    with pytest.raises(ConflictError) as last:
        revoke_duty(RevokeDuty(ADMIN, ADMIN_IIN, PermitRole.ADMINISTRATOR), uow)
    assert last.value.code == "last_administrator"
    grant_duty(GrantDuty(ADMIN, DEPUTY_IIN, PermitRole.ADMINISTRATOR, "З", ""), uow, clock)
    assert revoke_duty(RevokeDuty(ADMIN, ADMIN_IIN, PermitRole.ADMINISTRATOR), uow)
    with pytest.raises(ForbiddenError):
        grant_duty(GrantDuty(ADMIN, DEPUTY_IIN, PermitRole.CLERK, "З", ""), uow, clock)


def test_the_acting_head_also_records_a_rule_change_during_the_period_only() -> None:
    uow, clock = _staffed()
    _record(uow, clock, "2026-12-07", "2026-12-11")
    context = PermitContext(clock, kazakhstan_calendar(), FakeVerifier(), egov=None)  # type: ignore[arg-type]
    command = RecordRuleChange(DEPUTY, "v2", date(2026, 12, 4), date(2026, 12, 20), "Изменения")
    with pytest.raises(ForbiddenError, match="acts for the head only"):
        record_rule_change(command, uow, context)
    clock.set("2026-12-08T10:00")
    assert record_rule_change(command, uow, context).recorded_by == DEPUTY_IIN


def test_an_administrator_cannot_give_themself_a_duty_or_an_acting_period() -> None:
    uow, clock = _staffed()
    with pytest.raises(ForbiddenError) as duty:
        grant_duty(GrantDuty(ADMIN, ADMIN_IIN, PermitRole.AUDITOR, "АДМИНОВА", ""), uow, clock)
    assert duty.value.code == "own_duty"
    assert [m.role for m in uow.staff.roles_of(ADMIN_IIN)] == [PermitRole.ADMINISTRATOR]
    own = RecordActingPeriod(ADMIN, ADMIN_IIN, date(2026, 12, 7), date(2026, 12, 8), "x")
    with pytest.raises(ForbiddenError) as period:
        record_acting_period(own, uow, clock)
    assert period.value.code == "own_duty"


def test_a_period_gives_nothing_once_its_person_no_longer_holds_a_duty_that_reads_cases() -> None:
    uow, clock = _staffed()
    _record(uow, clock, "2026-12-07", "2026-12-11")
    revoke_duty(RevokeDuty(ADMIN, DEPUTY_IIN, PermitRole.EXAMINER), uow)
    with uow:
        with pytest.raises(ForbiddenError) as dismissed:
            actor_for(DEPUTY, HEAD_ONLY, uow, almaty("2026-12-09T15:00"))
        assert dismissed.value.code == "role_required"
        assert duties_at(DEPUTY, uow, almaty("2026-12-09T15:00")) == frozenset()
