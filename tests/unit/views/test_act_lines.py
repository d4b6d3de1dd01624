"""Which stored CMS are a case's signed acts (issue 20 review): only one kept with the history
line its step caused, of an official, signed by that very official (and, when configured, of
the state body); never what the signed bytes alone claim to be."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN, MINISTRY_BIN
from tests.support.pki import Person, ministry_official, sign_bytes
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import Complaint, ComplaintSubject, FiledWith
from kepil.services.permits.complaint_ports import ComplaintRecord, StoredComplaint
from kepil.services.permits.views.acts import check_act

CALENDAR = kazakhstan_calendar()
RECEIVED = datetime(2026, 12, 7, 10, 0, tzinfo=ALMATY)
CASE = "CMP-2026-000001"
APPLICATION = "APP-2026-000001"
EXAMINER_IIN = "781102303459"
OTHER_IIN = "870101300111"
DECISION = {"action": "satisfy", "complaint_number": CASE, "decision": "Удовлетворена."}


@pytest.fixture(scope="module")
def examiner() -> Person:
    return ministry_official(EXAMINER_IIN, "ЭКСПЕРТОВ АРМАН")


@pytest.fixture(scope="module")
def other_official() -> Person:
    return ministry_official(OTHER_IIN, "ДРУГОЙ ЧИНОВНИК")


def _uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork(CALENDAR)
    complaint = Complaint(
        CASE, APPLICANT_BIN, ComplaintSubject.INACTION, FiledWith.PROVIDER, RECEIVED, CALENDAR
    )
    with uow.given():
        uow.complaints.add(
            StoredComplaint(complaint, APPLICANT_IIN, "ТЕСТОВ", "x", "y", b"cms", version=1)
        )
    return uow


def _line(kind: str, role: str = "examiner", iin: str = EXAMINER_IIN) -> ComplaintRecord:
    return ComplaintRecord(
        kind, RECEIVED, "satisfied_by_provider", role, "ЭКСПЕРТОВ", iin, None, False
    )


def _record(
    uow: FakeUnitOfWork, line: ComplaintRecord, signer: Person, body: dict[str, object]
) -> str:
    content = canonical_bytes(body)
    with uow.given():
        uow.complaints.record(CASE, [line], sign_bytes(signer.sign, content, RECEIVED))
    return hashlib.sha256(content).hexdigest()


def test_a_decision_on_its_officials_decision_line_is_an_act(examiner: Person) -> None:
    uow = _uow()
    digest = _record(uow, _line("complaint_satisfied_by_provider"), examiner, DECISION)
    found = check_act(uow, CASE, digest)
    assert found is not None
    assert (found.case, found.action) == (CASE, "satisfy")
    assert check_act(uow, CASE, digest, MINISTRY_BIN) is not None


def test_a_decision_that_also_names_the_application_is_found_by_its_complaint(
    examiner: Person,
) -> None:
    uow = _uow()
    body = {**DECISION, "application_number": APPLICATION}
    digest = _record(uow, _line("complaint_satisfied_by_provider"), examiner, body)
    assert check_act(uow, CASE, digest) is not None


def test_signed_bytes_on_another_line_or_by_another_hand_are_no_act(
    examiner: Person, other_official: Person
) -> None:
    uow = _uow()
    refused = [
        # The complainant's own line (their signed complaint) saying it is a decision.
        _record(uow, _line("complaint_filed", "applicant", APPLICANT_IIN), examiner, DECISION),
        # A decision's kind, yet not an official's line.
        _record(
            uow,
            _line("complaint_satisfied_by_provider", "applicant"),
            examiner,
            {**DECISION, "decision": "2"},
        ),
        # The registration step is no decision, whatever its bytes say.
        _record(uow, _line("complaint_registered"), examiner, {**DECISION, "decision": "3"}),
        # The line's official did not sign it.
        _record(
            uow,
            _line("complaint_satisfied_by_provider"),
            other_official,
            {**DECISION, "decision": "4"},
        ),
        # The signed action is not the one the line records.
        _record(uow, _line("complaint_forwarded"), examiner, {**DECISION, "decision": "5"}),
    ]
    for digest in refused:
        assert check_act(uow, CASE, digest) is None, digest


def test_with_the_state_bodys_bin_configured_another_bin_signs_no_act(examiner: Person) -> None:
    uow = _uow()
    digest = _record(uow, _line("complaint_satisfied_by_provider"), examiner, DECISION)
    assert check_act(uow, CASE, digest, "990740000683") is None
