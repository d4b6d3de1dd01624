"""Twin requests that race: the loser gets the winner's answer or a 409, never a 500.

The race is forced, not hoped for: the loser's unit of work runs the twin to its commit at the
moment the loser draws its number, after it checked for the twin and before it writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Self

import pytest
from sqlalchemy import Engine, func, select
from tests.support.applications import application_form
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import FakeEgov, FakeVerifier, fake_cms, principal

from kepil.adapters.db import migrate
from kepil.adapters.db.permit_tables import permit_applications
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.calendar import kazakhstan_calendar
from kepil.domain.permits import PermitRole
from kepil.domain.permits.codec import form_to_dict
from kepil.services.errors import ConflictError
from kepil.services.permits.complaints import FileComplaint, Filing, file_complaint
from kepil.services.permits.context import PermitContext
from kepil.services.permits.policies import POLICIES
from kepil.services.permits.ports import StaffMember
from kepil.services.permits.rule_changes import RecordRuleChange, record_rule_change
from kepil.services.permits.submission import SubmitApplication, UploadedFile, submit_application
from kepil.services.unit_of_work import EventPolicies

CALENDAR = kazakhstan_calendar()
APPLICANT = principal(APPLICANT_IIN, APPLICANT_BIN)
HEAD = principal("900101300136")
CONTRACT, LETTER = b"%PDF-1.7 contract", b"%PDF-1.7 letter"


class TwinCommitsMeanwhile(SqlUnitOfWork):
    """A unit of work that, when its handler first draws a number, lets a twin run and commit."""

    def __init__(self, engine: Engine, twin: Callable[[], object]) -> None:
        super().__init__(engine, CALENDAR, _policies())
        self._twin: Callable[[], object] | None = twin
        self.twin_answer: object = None

    def __enter__(self) -> Self:
        entered = super().__enter__()
        numbers, outer = self.numbers, self

        class Hooked:
            def next(self, name: str) -> int:
                if outer._twin is not None:
                    twin, outer._twin = outer._twin, None
                    outer.twin_answer = twin()
                return numbers.next(name)

        self.numbers = Hooked()
        return entered


def _policies() -> EventPolicies:
    return EventPolicies(POLICIES)


def _uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine, CALENDAR, _policies())


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    migrate.upgrade(engine)
    return engine


@pytest.fixture
def context() -> PermitContext:
    return PermitContext(MovableClock("2026-04-01T11:00"), CALENDAR, FakeVerifier(), FakeEgov())


FILES = {"contract.pdf": CONTRACT, "letter.pdf": LETTER}


def _form_cms() -> bytes:
    """The applicant's signed form, listing the two files the submissions upload."""
    form = application_form()
    attachments = tuple(
        replace(a, file_name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        for a, (name, data) in zip(form.attachments, FILES.items(), strict=True)
    )
    content = form_to_dict(replace(form, attachments=attachments))
    return fake_cms(APPLICANT, json.dumps(content, ensure_ascii=False))


def _submission(cms: bytes, key: str) -> SubmitApplication:
    uploads = tuple(UploadedFile(n, "application/pdf", c) for n, c in FILES.items())
    return SubmitApplication(APPLICANT, cms, uploads, key)


def _applications(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(permit_applications)).scalar_one()
        )


def test_the_loser_of_two_submissions_with_one_key_gets_the_winners_application(
    migrated: Engine, context: PermitContext
) -> None:
    command = _submission(_form_cms(), "key-1")
    loser = TwinCommitsMeanwhile(
        migrated, lambda: submit_application(command, _uow(migrated), context)
    )
    answer = submit_application(command, loser, context)
    assert loser.twin_answer is not None
    assert (answer.number, answer.created) == ("APP-2026-000001", False)
    assert _applications(migrated) == 1


def test_the_loser_of_one_signed_form_sent_with_two_keys_is_told_it_was_filed(
    migrated: Engine, context: PermitContext
) -> None:
    cms = _form_cms()
    loser = TwinCommitsMeanwhile(
        migrated,
        lambda: submit_application(_submission(cms, "key-1"), _uow(migrated), context),
    )
    with pytest.raises(ConflictError) as refused:
        submit_application(_submission(cms, "key-2"), loser, context)
    assert refused.value.code == "signed_act_used"
    assert "APP-2026-000001" in refused.value.message
    assert _applications(migrated) == 1


def test_the_loser_of_two_heads_recording_one_rule_version_gets_a_409(
    migrated: Engine, context: PermitContext
) -> None:
    with _uow(migrated) as uow:
        granted = datetime(2026, 1, 5, tzinfo=UTC)
        uow.staff.grant(StaffMember(HEAD.iin, PermitRole.HEAD, "Head", "", granted, "test"))
        uow.commit()
    command = RecordRuleChange(HEAD, "130/НҚ-2026-1", date(2026, 3, 30), date(2026, 4, 10), "ред.")
    loser = TwinCommitsMeanwhile(
        migrated, lambda: record_rule_change(command, _uow(migrated), context)
    )
    with pytest.raises(ConflictError) as refused:
        record_rule_change(command, loser, context)
    assert loser.twin_answer is not None
    assert refused.value.code == "rule_version_exists"


def test_the_loser_of_one_signed_complaint_sent_twice_at_once_gets_the_same_complaint(
    migrated: Engine, context: PermitContext
) -> None:
    filed = submit_application(_submission(_form_cms(), "key-1"), _uow(migrated), context)
    text = {
        "application_number": filed.number,
        "subject": "decision",
        "filed_with": "provider",
        "target": "the provider's decision",
        "text": "please review it",
    }
    command = FileComplaint(APPLICANT, fake_cms(APPLICANT, json.dumps(text)))
    loser = TwinCommitsMeanwhile(migrated, lambda: file_complaint(command, _uow(migrated), context))
    answer = file_complaint(command, loser, context)
    assert isinstance(loser.twin_answer, Filing)
    assert loser.twin_answer.created
    assert (answer.number, answer.created) == (loser.twin_answer.number, False)
