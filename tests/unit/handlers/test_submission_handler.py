"""The submission handler on the shared fakes: what it stores, emits and refuses (Rules §3-§4)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from tests.support.applications import application_form
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import FakeEgov, FakeVerifier, fake_cms, principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import kazakhstan_calendar
from kepil.domain.permits import ApplicationForm
from kepil.domain.permits.codec import form_to_dict
from kepil.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    SignatureRefusedError,
)
from kepil.services.permits import submission
from kepil.services.permits.context import PermitContext
from kepil.services.permits.submission import SubmitApplication, UploadedFile, submit_application

CALENDAR = kazakhstan_calendar()
NOW = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)
APPLICANT = principal(APPLICANT_IIN, APPLICANT_BIN)
FILES = {"contract.pdf": b"%PDF-1.7 contract", "title.pdf": b"%PDF-1.7 title deed"}


def _form() -> ApplicationForm:
    # The shared form lists two PDFs; give them the bytes this test uploads.
    form = application_form()
    attachments = tuple(
        replace(
            attachment,
            file_name=name,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        for attachment, (name, content) in zip(form.attachments, FILES.items(), strict=True)
    )
    return replace(form, attachments=attachments)


def _command(key: str = "key-1", form: ApplicationForm | None = None) -> SubmitApplication:
    content = json.dumps(form_to_dict(form or _form()), ensure_ascii=False)
    uploads = tuple(UploadedFile(n, "application/pdf", c) for n, c in FILES.items())
    return SubmitApplication(APPLICANT, fake_cms(APPLICANT, content), uploads, key)


def _fingerprint() -> str:
    return submission._fingerprint(_command("key-1"))


@pytest.fixture
def context() -> PermitContext:
    """Friday 20 March 2026, 19:00 in Almaty: after hours, before Nauryz."""
    clock = MovableClock("2026-03-20T19:00")
    return PermitContext(clock, CALENDAR, FakeVerifier(), FakeEgov())


def test_a_signed_application_is_stored_numbered_and_its_events_reach_the_log_and_cabinet(
    context: PermitContext,
) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    result = submit_application(_command(), uow, context)
    assert (result.number, result.created) == ("APP-2026-000001", True)
    stored = uow.applications.get(result.number)
    assert stored is not None
    assert [record.kind for record in uow.applications.history(result.number)] == [
        "application_submitted"
    ]
    assert [entry.record.stage for entry in list(uow.stage_log.all())] == ["application_submitted"]
    assert [n.message for n in uow.notifications.for_recipient(APPLICANT_BIN, 10)] == [
        "Заявление принято"
    ]
    assert uow.collect_committed_events()[0].application_number == result.number


def test_a_retry_with_the_same_key_is_recognised_without_verifying_or_asking_again(
    context: PermitContext,
) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    first = submit_application(_command(), uow, context)
    verifier, egov = context.verifier, context.egov
    assert isinstance(verifier, FakeVerifier)
    assert isinstance(egov, FakeEgov)
    calls, asked = verifier.calls, list(egov.asked)
    again = submit_application(_command(), uow, context)
    assert (again.number, again.created) == (first.number, False)
    assert (verifier.calls, egov.asked) == (calls, asked)
    assert len(list(uow.stage_log.all())) == 1


def test_the_same_key_for_another_request_is_a_conflict(context: PermitContext) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    submit_application(_command(), uow, context)
    other = replace(_form(), platform_name="Another platform")
    with pytest.raises(ConflictError) as refused:
        submit_application(_command(form=other), uow, context)
    assert refused.value.code == "idempotency_key_reused"


def test_a_form_signed_by_someone_else_than_the_session_is_refused_and_nothing_is_stored(
    context: PermitContext,
) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    command = _command()
    stranger = replace(command, principal=principal("800502312347"))
    with pytest.raises(SignatureRefusedError) as refused:
        submit_application(stranger, uow, context)
    assert refused.value.code == "signer_mismatch"
    assert uow.applications.get("APP-2026-000001") is None
    assert list(uow.stage_log.all()) == []


def test_a_file_not_listed_in_the_form_is_refused_before_the_state_systems_are_asked(
    context: PermitContext,
) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    command = _command()
    extra = (*command.files, UploadedFile("extra.pdf", "application/pdf", b"%PDF extra"))
    with pytest.raises(InvalidInputError) as refused:
        submit_application(replace(command, files=extra), uow, context)
    assert refused.value.code == "attachments_mismatch"
    assert isinstance(context.egov, FakeEgov)
    assert context.egov.asked == []
    assert uow.commits == 0


def test_an_employee_of_the_legal_entity_may_not_file_for_it(context: PermitContext) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    employee = principal(APPLICANT_IIN, APPLICANT_BIN, "employee")
    content = json.dumps(form_to_dict(_form()), ensure_ascii=False)
    command = replace(_command(), principal=employee, signed_form=fake_cms(employee, content))
    with pytest.raises(ForbiddenError) as refused:
        submit_application(command, uow, context)
    assert refused.value.code == "signature_right_required"
    assert uow.commits == 0


def test_one_signed_form_with_a_new_key_is_refused_naming_the_application_it_filed(
    context: PermitContext,
) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    first = submit_application(_command("key-1"), uow, context)
    with pytest.raises(ConflictError) as refused:
        submit_application(_command("key-2"), uow, context)
    assert refused.value.code == "signed_act_used"
    assert first.number in refused.value.message
    assert uow.commits == 1
    assert submit_application(_command("key-1"), uow, context) == replace(first, created=False)


def test_a_twin_with_the_same_key_committed_meanwhile_is_answered_as_a_replay(
    context: PermitContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = FakeUnitOfWork(CALENDAR)
    draw = uow.numbers.next

    def twin_filed_first(name: str) -> int:
        # What the database shows the loser: the twin's key, committed after its own check.
        monkeypatch.setattr(uow.numbers, "next", draw)
        uow.idempotency.rows[APPLICANT.iin, "key-1"] = (_fingerprint(), "APP-2026-000007", NOW)
        return draw(name)

    monkeypatch.setattr(uow.numbers, "next", twin_filed_first)
    answer = submit_application(_command("key-1"), uow, context)
    assert (answer.number, answer.created) == ("APP-2026-000007", False)
    assert uow.commits == 0
