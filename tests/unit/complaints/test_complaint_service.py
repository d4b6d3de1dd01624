"""The complaint and rule-change handlers with fakes: numbering, ownership, signatures, roles."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kepil.domain.auth import Principal
from kepil.services.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    SignatureRefusedError,
)
from kepil.services.permits import complaints, rule_changes
from kepil.services.permits.context import PermitContext
from kepil.services.unit_of_work import UnitOfWork

People = dict[str, Principal]


class Desk:
    """Files and decides complaints through the handlers, signing with fake CMS."""

    def __init__(self, uow: UnitOfWork, context: PermitContext, people: People, sign: Any):
        self.uow, self.context, self.people, self.sign = uow, context, people, sign

    def file(self, who: str = "applicant", **changes: Any) -> complaints.Filing:
        signer = self.people[who]
        complaint = {
            "application_number": "APP-2026-000001",
            "subject": "action",
            "filed_with": "provider",
            "target": "Возврат документов",
            "text": "Документы возвращены без причины",
            **changes,
        }
        command = complaints.FileComplaint(signer, self.sign(signer, complaint))
        return complaints.file_complaint(command, self.uow, self.context)

    def decide(self, who: str, number: str, **body: Any) -> complaints.ComplaintDecision:
        signer = self.people[who]
        cms = self.sign(signer, {"complaint_number": number, **body})
        command = complaints.DecideOnComplaint(signer, number, cms)
        return complaints.decide_on_complaint(command, self.uow, self.context)


@pytest.fixture
def desk(uow: UnitOfWork, context: PermitContext, people: People, sign: Any) -> Desk:
    return Desk(uow, context, people, sign)


def test_p13_complaints_are_numbered_per_year_and_each_filing_is_committed_once(
    desk: Desk, uow: Any
) -> None:
    first = desk.file()
    second = desk.file(text="Ещё одна жалоба")
    assert (first.number, second.number) == ("CMP-2026-000001", "CMP-2026-000002")
    assert desk.file() == complaints.Filing("CMP-2026-000001", created=False)
    assert uow.commits == 2


def test_p13_every_step_is_chained_into_the_stage_log_and_told_to_the_complainant(
    desk: Desk, uow: Any
) -> None:
    number = desk.file().number
    desk.decide("clerk", number, action="register")
    done = desk.decide("examiner", number, action="forward")
    assert (done.status, done.event, done.late) == ("forwarded", "complaint_forwarded", False)
    stages = [entry.record.stage for entry in uow.stage_log.entries]
    assert stages == ["complaint_filed", "complaint_registered", "complaint_forwarded"]
    told = [(n.recipient, n.kind) for n in uow.notifications.sent]
    assert ("120440056787", "complaint_forwarded") in told
    assert ("role:complaint_reviewer", "complaint_forwarded") in told


def test_p13_only_the_applicant_of_the_case_may_complain_about_it(
    desk: Desk, people: People, sign: Any
) -> None:
    with pytest.raises(NotFoundError, match="APP-2026-000001"):
        desk.file("stranger")
    forged = complaints.FileComplaint(people["applicant"], sign(people["stranger"], {}))
    with pytest.raises(SignatureRefusedError) as refused:
        complaints.file_complaint(forged, desk.uow, desk.context)
    assert refused.value.code == "signer_mismatch"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "rudeness"}, "subject"),
        ({"filed_with": "the_president"}, "filed_with"),
        ({"text": "   "}, "text"),
        ({"target": 42}, "target"),
    ],
)
def test_p13_a_complaint_with_a_bad_field_is_refused_naming_it(
    desk: Desk, uow: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError, match=field):
        desk.file(**changes)
    assert uow.commits == 0


def test_p13_a_decision_signed_for_another_complaint_or_without_an_action_is_refused(
    desk: Desk, people: People, sign: Any
) -> None:
    number = desk.file().number
    clerk = people["clerk"]
    cms = sign(clerk, {"complaint_number": "CMP-2026-000099", "action": "register"})
    with pytest.raises(InvalidInputError) as wrong:
        complaints.decide_on_complaint(
            complaints.DecideOnComplaint(clerk, number, cms), desk.uow, desk.context
        )
    assert wrong.value.code == "decision_for_another_complaint"
    desk.decide("clerk", number, action="register")
    with pytest.raises(InvalidInputError) as unknown:
        desk.decide("examiner", number, action="ignore")
    assert unknown.value.code == "unknown_action"


def test_p13_an_official_without_the_duty_is_denied_by_default(desk: Desk) -> None:
    number = desk.file().number
    with pytest.raises(ForbiddenError):
        desk.decide("examiner", number, action="register")


def test_a_stranger_deciding_on_a_complaint_learns_no_more_than_of_a_missing_one(
    desk: Desk,
) -> None:
    number = desk.file().number
    with pytest.raises(NotFoundError) as existing:
        desk.decide("stranger", number, action="register")
    missing_number = "CMP-2026-000099"
    with pytest.raises(NotFoundError) as missing:
        desk.decide("stranger", missing_number, action="register")
    assert existing.value.code == missing.value.code == "complaint_not_found"
    assert existing.value.message == missing.value.message.replace(missing_number, number)


def test_p12_a_change_cannot_be_recorded_before_adoption_or_take_effect_before_it(
    desk: Desk, people: People
) -> None:
    def record(adopted: date, effective: date) -> None:
        command = rule_changes.RecordRuleChange(
            people["head"], "v2", adopted, effective, "Изменения"
        )
        rule_changes.record_rule_change(command, desk.uow, desk.context)

    with pytest.raises(InvalidInputError, match="adopted"):
        record(date(2026, 4, 14), date(2026, 5, 1))
    with pytest.raises(InvalidInputError) as backwards:
        record(date(2026, 4, 10), date(2026, 4, 1))
    assert backwards.value.code == "effective_before_adoption"
