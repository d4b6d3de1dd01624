"""Every value the domain can hold has words on the pages: a new status, stage, kind or ground
without them would show its code to a person."""

from __future__ import annotations

from kepil.domain.permits import ApplicationStatus, ComplaintStatus, PermitRole, Stage
from kepil.domain.permits.application import ApplicantKind, AttachmentKind
from kepil.domain.permits.codec import event_kind
from kepil.domain.permits.complaints import ComplaintSubject, FiledWith
from kepil.domain.permits.events import ApplicationEvent
from kepil.domain.permits.grounds import RefusalGround
from kepil.domain.permits.validation import COMPLETENESS_CODES
from kepil.entrypoints.web import words
from kepil.services.permits.cabinet_messages import CABINET_TEXTS, CABINET_TEXTS_KK
from kepil.services.permits.policies import COMPLAINT_CABINET_TEXTS
from kepil.services.permits.sweeper import SERVICE_TERM_OVERDUE


def test_every_application_status_has_a_name_and_a_next_step() -> None:
    assert set(words.APPLICATION_STATUS_NAMES) == set(ApplicationStatus)
    assert set(words.NEXT_STEPS) == set(ApplicationStatus)


def test_every_stage_role_kind_and_ground_has_a_name() -> None:
    assert set(words.STAGE_NAMES) == set(Stage)
    assert set(PermitRole) <= set(words.ROLE_NAMES)
    assert set(words.ATTACHMENT_KIND_NAMES) == set(AttachmentKind)
    assert set(words.APPLICANT_KIND_NAMES) == set(ApplicantKind)
    assert set(words.GROUND_NAMES) == set(RefusalGround)
    assert set(words.PROBLEM_NAMES) >= set(COMPLETENESS_CODES)
    assert set(words.COMPLAINT_STATUS_NAMES) == set(ComplaintStatus)
    assert set(words.COMPLAINT_SUBJECT_NAMES) == set(ComplaintSubject)
    assert set(words.FILED_WITH_NAMES) == set(FiledWith)


def test_every_event_of_an_application_has_words_in_the_history_and_the_cabinet() -> None:
    kinds = {event_kind(kind.__new__(kind)) for kind in ApplicationEvent.__subclasses__()}
    assert kinds == set(words.EVENT_NAMES)
    assert kinds <= set(words.NOTIFICATION_TEXTS)
    assert {"permit_issued", "permit_refused", "further_consideration_refused"} == set(
        words.DOCUMENT_KIND_NAMES
    )


def test_every_stored_cabinet_message_is_said_again_from_its_kind() -> None:
    # The policies store Russian text by status and complaint step; the pages go by kind.
    assert set(COMPLAINT_CABINET_TEXTS) <= set(words.NOTIFICATION_TEXTS)
    assert set(COMPLAINT_CABINET_TEXTS) == set(words.COMPLAINT_EVENT_NAMES)
    assert len(CABINET_TEXTS) == len(ApplicationStatus)
    assert set(CABINET_TEXTS_KK) == set(CABINET_TEXTS)
    assert SERVICE_TERM_OVERDUE in words.NOTIFICATION_TEXTS
    for action in ("suspend", "reinstate", "revoke"):
        assert f"permit_{action}" in words.NOTIFICATION_TEXTS
