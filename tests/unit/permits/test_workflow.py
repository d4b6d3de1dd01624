"""The Application aggregate: declared transitions, roles, guards, events (Rules §4-§11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from kepil.domain.permits import (
    TRANSITIONS,
    ActionForbiddenError,
    Application,
    ApplicationAction,
    ApplicationForm,
    ApplicationStatus,
    ApplicationSubmitted,
    FurtherConsiderationRefused,
    InvalidApplicationFormError,
    InvalidRefusalError,
    PermitIssued,
    PermitRefused,
    ProblemCode,
    RefusalGround,
    Stage,
    TransitionNotAllowedError,
)
from kepil.domain.permits.roles import Actor, PermitRole

Submit = Callable[..., Application]
At = Callable[[str], datetime]


def _reviewed(submitted: Submit, clerk: Actor, examiner: Actor, at: At) -> Application:
    application = submitted("2026-04-13T10:00")
    application.register(clerk, at("2026-04-13T11:00"))
    application.start_review(examiner, at("2026-04-14T10:00"))
    return application


def _heard(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At, grounds: tuple[int, ...] = (2,)
) -> Application:
    application = _reviewed(submitted, clerk, examiner, at)
    application.issue_preliminary_refusal(
        examiner,
        at("2026-04-15T10:00"),
        grounds,
        "Узлы не соответствуют",
        at("2026-04-16T15:00"),
        "ВКС",
    )
    application.hold_hearing(examiner, at("2026-04-16T15:00"), True, "Не согласны")
    return application


def test_p3_applicant_submits_own_signed_form(submitted: Submit) -> None:
    application = submitted()
    assert application.status is ApplicationStatus.SUBMITTED
    assert isinstance(application.history[0], ApplicationSubmitted)


def test_p3_malformed_form_is_not_accepted_and_every_problem_is_listed(
    make_form: Callable[..., ApplicationForm], submitted: Submit
) -> None:
    form = make_form(platform_name=" ", purpose="")
    with pytest.raises(InvalidApplicationFormError) as caught:
        submitted(the_form=form)
    codes = {problem.code for problem in caught.value.problems}
    assert codes == {ProblemCode.PLATFORM_NAME_MISSING, ProblemCode.PURPOSE_MISSING}


def test_p3_nobody_submits_for_another_applicant(
    form: ApplicationForm, stranger: Actor, cal: object, at: At
) -> None:
    with pytest.raises(ActionForbiddenError, match="belongs to 150640123452"):
        Application.submit("A-1", form, stranger, at("2026-04-13T10:00"), cal)  # type: ignore[arg-type]


def test_p4_submission_records_the_accepted_status_and_the_identifier_to_look_up(
    submitted: Submit,
) -> None:
    event = submitted().history[0]
    assert isinstance(event, ApplicationSubmitted)
    assert event.status is ApplicationStatus.SUBMITTED
    assert event.actor.role is PermitRole.APPLICANT
    assert event.registration_day == date(2026, 4, 13)


def test_p5_application_after_1830_is_registered_next_working_day(
    submitted: Submit, clerk: Actor, at: At
) -> None:
    application = submitted("2026-03-20T19:00")  # Friday evening before Nauryz
    assert application.schedule.registration_day == date(2026, 3, 26)
    event = application.register(clerk, at("2026-03-26T09:30"))
    assert event.registration_day == date(2026, 3, 26)
    assert not event.late
    assert event.stage_deadline == at("2026-03-30T18:30")


def test_p5_registration_after_the_registration_day_is_flagged_late(
    submitted: Submit, clerk: Actor, at: At
) -> None:
    application = submitted("2026-04-13T10:00")
    assert application.register(clerk, at("2026-04-14T09:00")).late
    assert application.is_overdue(Stage.REGISTRATION, at("2026-04-14T09:00"))


def test_p6_incomplete_package_gets_refusal_of_further_consideration(
    make_form: Callable[..., ApplicationForm],
    submitted: Submit,
    clerk: Actor,
    examiner: Actor,
    head: Actor,
    at: At,
) -> None:
    form = make_form(attachments=make_form().attachments[1:])  # no backing document
    application = submitted(the_form=form)
    application.register(clerk, at("2026-04-13T11:00"))
    with pytest.raises(TransitionNotAllowedError, match="backing_document_missing"):
        application.start_review(examiner, at("2026-04-14T10:00"))
    with pytest.raises(ActionForbiddenError):  # the notice is a result: the head signs it (§9)
        application.refuse_further_consideration(examiner, at("2026-04-14T10:00"), "N-7")
    event = application.refuse_further_consideration(head, at("2026-04-14T10:00"), "N-7")
    assert isinstance(event, FurtherConsiderationRefused)
    assert application.status is ApplicationStatus.REFUSED_FURTHER_CONSIDERATION
    assert [p.code for p in event.notice.problems] == [ProblemCode.BACKING_DOCUMENT_MISSING]
    assert event.notice.to_canonical_dict()["application_number"] == "A-1"


def test_p6_a_complete_package_cannot_be_refused_further_consideration(
    submitted: Submit, clerk: Actor, head: Actor, at: At
) -> None:
    application = submitted()
    application.register(clerk, at("2026-04-13T11:00"))
    with pytest.raises(TransitionNotAllowedError, match="package is complete"):
        application.refuse_further_consideration(head, at("2026-04-14T10:00"), "N-7")


def test_p7_complete_package_is_reviewed_and_the_head_issues_the_permit(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    assert application.deadlines.get(Stage.REVIEW).due == at("2026-04-17T18:30")  # type: ignore[union-attr]
    event = application.issue_permit(head, at("2026-04-16T12:00"), "KZ-OCA-0001")
    assert application.status is ApplicationStatus.PERMIT_ISSUED
    assert not event.late


def test_p8_refusal_needs_a_preliminary_decision_and_a_hearing_first(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    with pytest.raises(TransitionNotAllowedError, match="cannot refuse from under_review"):
        application.refuse(head, at("2026-04-15T10:00"), "R-1", [2], "нет узлов")


def test_p8_after_the_hearing_the_head_refuses_on_heard_grounds_only(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _heard(submitted, clerk, examiner, at)
    with pytest.raises(TransitionNotAllowedError, match=r"ground\(s\) \[1\]"):
        application.refuse(head, at("2026-04-17T10:00"), "R-1", [1, 2], "недостоверно")
    event = application.refuse(head, at("2026-04-17T10:00"), "R-1", [2], "Узлов три, а не пять")
    assert isinstance(event, PermitRefused)
    assert application.status is ApplicationStatus.REFUSED


def test_p8_after_the_hearing_the_head_may_still_issue_the_permit(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _heard(submitted, clerk, examiner, at)
    application.issue_permit(head, at("2026-04-17T10:00"), "KZ-OCA-0002")
    assert application.status is ApplicationStatus.PERMIT_ISSUED


def test_p8_a_late_preliminary_refusal_is_recorded_and_flagged_not_blocked(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    event = application.issue_preliminary_refusal(
        examiner,
        at("2026-04-16T10:00"),
        [2],
        "поздно, но по существу",
        at("2026-04-17T10:00"),
        "ВКС",
    )
    assert application.status is ApplicationStatus.HEARING_SCHEDULED
    assert event.late
    assert event.stage_deadline == at("2026-04-15T18:30")
    assert application.is_overdue(Stage.HEARING_NOTICE, at("2026-04-16T10:00"))


def test_p8_the_hearing_cannot_be_held_before_the_time_notified(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    application.issue_preliminary_refusal(
        examiner, at("2026-04-15T10:00"), [5], "нет согласия", at("2026-04-16T15:00"), "ВКС"
    )
    with pytest.raises(TransitionNotAllowedError, match="hearing was set for"):
        application.hold_hearing(examiner, at("2026-04-16T09:00"), False)


def test_p8_a_refusal_must_cite_a_ground_and_a_motivation(
    submitted: Submit, clerk: Actor, examiner: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    hearing = (at("2026-04-16T15:00"), "ВКС")
    with pytest.raises(InvalidRefusalError):
        application.issue_preliminary_refusal(examiner, at("2026-04-15T10:00"), [], "т", *hearing)
    with pytest.raises(InvalidRefusalError):
        application.issue_preliminary_refusal(examiner, at("2026-04-15T10:00"), [6], "т", *hearing)
    with pytest.raises(InvalidRefusalError):
        application.issue_preliminary_refusal(examiner, at("2026-04-15T10:00"), [2], "  ", *hearing)
    assert application.status is ApplicationStatus.UNDER_REVIEW


def test_p9_the_permit_names_the_head_as_signer(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    with pytest.raises(ActionForbiddenError, match="examiner may not issue_permit"):
        application.issue_permit(examiner, at("2026-04-16T12:00"), "KZ-OCA-0001")
    event = application.issue_permit(head, at("2026-04-16T12:00"), "KZ-OCA-0001")
    assert event.permit.signer.name == "Иванов И.И."
    assert event.permit.signer.position == "Вице-министр"


def test_p10_every_transition_emits_an_event_with_moment_actor_and_status(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _heard(submitted, clerk, examiner, at)
    application.refuse(head, at("2026-04-17T10:00"), "R-1", [2], "Узлов три")
    statuses = [event.status for event in application.history]
    assert statuses == [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.REGISTERED,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.HEARING_SCHEDULED,
        ApplicationStatus.HEARING_HELD,
        ApplicationStatus.REFUSED,
    ]
    assert all(event.at.tzinfo is not None and event.actor.name for event in application.history)
    assert len(application.pull_events()) == 6
    assert application.pull_events() == []


def test_p11_permit_issued_carries_what_the_registry_entry_needs(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    event = application.issue_permit(head, at("2026-04-16T12:00"), "KZ-OCA-0001")
    assert isinstance(event, PermitIssued)
    permit = event.permit
    assert (permit.number, permit.recipient.iin_or_bin) == ("KZ-OCA-0001", "150640123452")
    assert permit.platform_name == "Kepil Ledger"
    assert (permit.valid_from, permit.valid_until) == (date(2026, 4, 16), date(2029, 4, 16))


def test_issue_permit_from_registered_names_the_state_and_the_action(
    submitted: Submit, clerk: Actor, head: Actor, at: At
) -> None:
    application = submitted()
    application.register(clerk, at("2026-04-13T11:00"))
    with pytest.raises(TransitionNotAllowedError, match=r"^cannot issue_permit from registered$"):
        application.issue_permit(head, at("2026-04-13T12:00"), "X")


def test_roles_are_denied_by_default(
    submitted: Submit, applicant: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = submitted()
    for actor in (applicant, examiner, head):
        with pytest.raises(ActionForbiddenError, match=f"{actor.role} may not register"):
            application.register(actor, at("2026-04-13T11:00"))
    assert application.status is ApplicationStatus.SUBMITTED


def test_every_declared_transition_lists_at_least_one_role() -> None:
    assert all(t.roles for t in TRANSITIONS.values())
    withdrawals = {t.source for t in TRANSITIONS.values() if t.action is ApplicationAction.WITHDRAW}
    assert ApplicationStatus.PERMIT_ISSUED not in withdrawals


def test_applicant_withdraws_own_application_before_a_decision_only(
    submitted: Submit, applicant: Actor, stranger: Actor, clerk: Actor, at: At
) -> None:
    application = submitted()
    application.register(clerk, at("2026-04-13T11:00"))
    with pytest.raises(ActionForbiddenError, match="belongs to"):
        application.withdraw(stranger, at("2026-04-13T12:00"))
    application.withdraw(applicant, at("2026-04-13T12:00"), "передумали")
    assert application.status is ApplicationStatus.WITHDRAWN
    assert application.deadlines.overdue(at("2026-05-30T12:00")) == ()
    with pytest.raises(TransitionNotAllowedError, match="cannot withdraw from withdrawn"):
        application.withdraw(applicant, at("2026-04-13T13:00"))


def test_app1_10_ground_5_blocks_the_permit_until_refused(
    make_form: Callable[..., ApplicationForm],
    submitted: Submit,
    clerk: Actor,
    examiner: Actor,
    head: Actor,
    at: At,
) -> None:
    application = submitted(the_form=make_form(consents_to_personal_data_access=False))
    application.register(clerk, at("2026-04-13T11:00"))
    application.start_review(examiner, at("2026-04-14T10:00"))
    with pytest.raises(TransitionNotAllowedError, match="ground 5 applies"):
        application.issue_permit(head, at("2026-04-14T12:00"), "X")
    event = application.issue_preliminary_refusal(
        examiner,
        at("2026-04-14T12:00"),
        [RefusalGround.NO_PERSONAL_DATA_CONSENT],
        "нет согласия",
        at("2026-04-15T11:00"),
        "Астана, ул. Мангилик Ел, 55/14",
    )
    assert event.reasons.grounds == (RefusalGround.NO_PERSONAL_DATA_CONSENT,)


def test_moments_must_be_timezone_aware_and_never_go_back(
    submitted: Submit, clerk: Actor, at: At
) -> None:
    application = submitted()
    with pytest.raises(ValueError, match="timezone-aware"):
        application.register(clerk, datetime(2026, 4, 13, 11, 0))
    with pytest.raises(TransitionNotAllowedError, match="precedes"):
        application.register(clerk, at("2026-04-13T09:00"))
