"""The decision handler on the shared fakes: declared transitions, signed documents, policies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.support.applications import director, stored, submitted
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import FakeEgov, FakeVerifier, fake_cms, principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Principal
from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import Application, PermitRole
from kepil.domain.permits.steps import StepArgumentError
from kepil.services.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kepil.services.permits.context import PermitContext
from kepil.services.permits.decisions import (
    DecideOnApplication,
    DocumentDraft,
    decide,
    draft_document,
)
from kepil.services.permits.ports import StaffMember

CALENDAR = kazakhstan_calendar()
NUMBER = "APP-2026-000001"
CLERK, EXAMINER, HEAD = (
    principal("850315400124"),
    principal("781102303459"),
    principal("900101300136"),
)
APPLICANT_PERSON = principal(APPLICANT_IIN, APPLICANT_BIN)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """Three officials and one application filed on Wednesday 1 April 2026."""
    unit = FakeUnitOfWork(CALENDAR)
    granted = datetime(2026, 1, 5, tzinfo=UTC)
    with unit.given():
        for person, role in ((CLERK, "clerk"), (EXAMINER, "examiner"), (HEAD, "head")):
            unit.staff.grant(
                StaffMember(person.iin, PermitRole(role), "Official", "", granted, "t")
            )
        moment = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
        unit.applications.add(stored(submitted(NUMBER, moment, CALENDAR, director())), [])
    return unit


@pytest.fixture
def context() -> PermitContext:
    """Wednesday 1 April 2026, 11:00 in Almaty."""
    return PermitContext(MovableClock("2026-04-01T11:00"), CALENDAR, FakeVerifier(), FakeEgov())


def _step(who: Principal, action: str, **extra: object) -> DecideOnApplication:
    content = {"application_number": NUMBER, "action": action, **extra}
    return DecideOnApplication(who, NUMBER, fake_cms(who, content))


def test_a_clerk_registers_and_the_step_reaches_history_stage_log_and_cabinet(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    done = decide(_step(CLERK, "register"), uow, context)
    assert (done.status, done.event, done.document_number) == (
        "registered",
        "application_registered",
        None,
    )
    assert [r.kind for r in uow.applications.history(NUMBER)][-1] == "application_registered"
    assert [e.record.stage for e in uow.stage_log.all()] == ["application_registered"]
    messages = [n.message for n in uow.notifications.for_recipient(APPLICANT_BIN, 10)]
    assert messages == ["Заявление зарегистрировано"]


def test_an_examiner_may_not_take_the_clerks_step(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    with pytest.raises(ForbiddenError):
        decide(_step(EXAMINER, "register"), uow, context)
    assert uow.commits == 0


def test_a_result_action_must_be_decided_by_signing_its_document(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        decide(_step(HEAD, "issue_permit"), uow, context)
    assert refused.value.code == "document_required"


def test_a_decision_about_another_application_is_refused(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    command = DecideOnApplication(
        CLERK, NUMBER, fake_cms(CLERK, {"application_number": "APP-2026-000002", "action": "x"})
    )
    with pytest.raises(InvalidInputError):
        decide(command, uow, context)


def test_the_head_signs_the_drafted_permit_and_it_enters_the_registry(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    draft = draft_document(DocumentDraft(HEAD, NUMBER, "permit"), uow, context)
    signed = DecideOnApplication(HEAD, NUMBER, fake_cms(HEAD, draft.decode()))
    done = decide(signed, uow, context)
    assert (done.status, done.document_number) == ("permit_issued", "PRM-2026-000001")
    document = uow.documents.get("PRM-2026-000001")
    assert document is not None
    assert document.content == draft
    entry = uow.registry.get("REG-2026-000001")
    assert entry is not None
    assert (entry.permit_number, entry.holder_iin_bin) == ("PRM-2026-000001", APPLICANT_BIN)


def test_a_document_that_differs_from_the_draft_is_refused_and_nothing_is_issued(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    draft = draft_document(DocumentDraft(HEAD, NUMBER, "permit"), uow, context)
    forged = draft.replace(b"Kepil Grain Ledger", b"Other Ledger")
    with pytest.raises(ConflictError) as refused:
        decide(DecideOnApplication(HEAD, NUMBER, fake_cms(HEAD, forged.decode())), uow, context)
    assert refused.value.code == "document_mismatch"
    assert uow.documents.get("PRM-2026-000001") is None
    assert uow.registry.get("REG-2026-000001") is None


def test_a_decision_on_an_unknown_application_is_not_found_whatever_it_asks(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    content = {"application_number": "APP-2026-999999", "action": "fly"}
    command = DecideOnApplication(CLERK, "APP-2026-999999", fake_cms(CLERK, content))
    with pytest.raises(NotFoundError):
        decide(command, uow, context)


def test_arguments_an_action_does_not_take_are_ignored(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    done = decide(_step(CLERK, "register", grounds="x", motivation=5), uow, context)
    assert done.status == "registered"


def test_the_role_is_checked_before_the_actions_arguments(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    with pytest.raises(ForbiddenError):
        decide(_step(APPLICANT_PERSON, "register", hearing_at="soon"), uow, context)


# Rules §8: the preliminary refusal's notice carries the hearing's time and place; within 2
# working days of a notice given on Wednesday 1 April 2026 (so by Friday 3 April, 18:30).
HEARING = {"hearing_at": "2026-04-03T05:00:00+00:00", "place": "Астана"}


@pytest.mark.parametrize(
    ("action", "arguments", "problem"),
    [
        ("issue_preliminary_refusal", {"grounds": [3], **HEARING}, "motivation"),
        ("issue_preliminary_refusal", {"motivation": "m", **HEARING}, "grounds"),
        ("issue_preliminary_refusal", {"grounds": [3], "motivation": "m"}, "hearing_at"),
        (
            "issue_preliminary_refusal",
            {"grounds": [3], "motivation": "m", "hearing_at": HEARING["hearing_at"]},
            "place",
        ),
        ("schedule_hearing", {"hearing_at": "2026-04-02T10:00:00+05:00"}, "place"),
        ("schedule_hearing", {"place": "Астана"}, "hearing_at"),
    ],
)
def test_an_action_missing_an_argument_it_needs_is_invalid_and_names_it(
    uow: FakeUnitOfWork,
    context: PermitContext,
    action: str,
    arguments: dict[str, object],
    problem: str,
) -> None:
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    if action == "schedule_hearing":  # a move of the hearing the notice set
        notice = _step(
            EXAMINER, "issue_preliminary_refusal", grounds=[3], motivation="m", **HEARING
        )
        decide(notice, uow, context)
    with pytest.raises(InvalidInputError) as refused:
        decide(_step(EXAMINER, action, **arguments), uow, context)
    assert refused.value.code == "invalid_decision"
    assert problem in refused.value.message


def test_a_step_missing_its_argument_is_refused_as_an_invalid_decision(
    uow: FakeUnitOfWork, context: PermitContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object) -> None:
        raise StepArgumentError("hearing_at: an ISO moment with its UTC offset")

    monkeypatch.setattr(Application, "register", refuse)
    with pytest.raises(InvalidInputError) as refused:
        decide(_step(CLERK, "register"), uow, context)
    assert refused.value.code == "invalid_decision"


def test_a_bug_inside_the_aggregate_is_not_reported_as_the_callers_mistake(
    uow: FakeUnitOfWork, context: PermitContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise TypeError("unsupported operand type(s) for +: 'NoneType' and 'int'")

    monkeypatch.setattr(Application, "register", broken)
    with pytest.raises(TypeError):
        decide(_step(CLERK, "register"), uow, context)
    assert uow.commits == 0


STRANGER = principal("800502312347", "990340001234")


@pytest.mark.parametrize("action", ["withdraw", "register", "start_review", "schedule_hearing"])
def test_a_stranger_deciding_on_a_case_learns_no_more_than_of_a_missing_one(
    uow: FakeUnitOfWork, context: PermitContext, action: str
) -> None:
    missing = "APP-2026-000099"
    with pytest.raises(NotFoundError) as existing:
        decide(_step(STRANGER, action), uow, context)
    absent = DecideOnApplication(
        STRANGER,
        missing,
        fake_cms(STRANGER, {"application_number": missing, "action": action}),
    )
    with pytest.raises(NotFoundError) as nowhere:
        decide(absent, uow, context)
    assert existing.value.code == nowhere.value.code == "application_not_found"
    assert existing.value.message == nowhere.value.message.replace(missing, NUMBER)
    assert uow.commits == 0


def test_a_stranger_asking_for_a_draft_gets_the_same_404(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    with pytest.raises(NotFoundError) as refused:
        draft_document(DocumentDraft(STRANGER, NUMBER, "permit"), uow, context)
    assert refused.value.code == "application_not_found"


def test_the_applicant_may_see_its_case_and_is_told_why_it_may_not_register_it(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    with pytest.raises(ForbiddenError) as refused:
        decide(_step(APPLICANT_PERSON, "register"), uow, context)
    assert refused.value.code == "role_required"


def test_holding_a_hearing_before_its_time_is_refused_naming_the_time_in_almaty(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    notice = _step(EXAMINER, "issue_preliminary_refusal", grounds=[3], motivation="m", **HEARING)
    decide(notice, uow, context)
    with pytest.raises(Exception, match=r"set for 2026-04-03T10:00\+05:00"):
        decide(_step(EXAMINER, "hold_hearing", applicant_attended=True), uow, context)


def test_the_notice_tells_the_cabinet_the_decision_time_and_place_in_both_languages(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    notice = _step(
        EXAMINER, "issue_preliminary_refusal", grounds=[2], motivation="узлов три", **HEARING
    )
    assert decide(notice, uow, context).status == "hearing_scheduled"
    told = uow.notifications.for_recipient(APPLICANT_BIN, 1)[0]
    assert told.kind == "preliminary_refusal_issued"
    for words in ("Предварительное решение об отказе", "2) несоответствие", "узлов три"):
        assert words in told.message
    assert "03.04.2026 10:00 (время Алматы), место (способ): Астана" in told.message
    for words in ("алдын ала шешім", "2) өтініш берушінің", "узлов три"):
        assert words in told.message_kk
    assert "03.04.2026 10:00 (Алматы уақытымен), орны (тәсілі): Астана" in told.message_kk


def test_a_move_sends_a_new_message_with_the_new_time_and_place(
    uow: FakeUnitOfWork, context: PermitContext
) -> None:
    decide(_step(CLERK, "register"), uow, context)
    decide(_step(EXAMINER, "start_review"), uow, context)
    notice = _step(EXAMINER, "issue_preliminary_refusal", grounds=[2], motivation="m", **HEARING)
    decide(notice, uow, context)
    moved = {"hearing_at": "2026-04-03T16:00:00+05:00", "place": "видеосвязь"}
    done = decide(_step(EXAMINER, "schedule_hearing", **moved), uow, context)
    assert (done.status, done.event) == ("hearing_scheduled", "hearing_moved")
    told = uow.notifications.for_recipient(APPLICANT_BIN, 1)[0]
    assert told.kind == "hearing_moved"
    assert "назначенное на 03.04.2026 10:00, перенесено" in told.message
    assert "03.04.2026 16:00 (время Алматы), место (способ): видеосвязь" in told.message
    assert "03.04.2026 16:00 (Алматы уақытымен), орны (тәсілі): видеосвязь" in told.message_kk
    again = {"hearing_at": "2026-04-03T17:00:00+05:00", "place": "видеосвязь"}
    with pytest.raises(Exception, match="moved already"):
        decide(_step(EXAMINER, "schedule_hearing", **again), uow, context)
