"""One rule says whose cases a person's are: the IIN or the BIN their certificate names."""

from __future__ import annotations

from datetime import datetime

from tests.support.applications import director, standing, stored, submitted
from tests.support.identities import APPLICANT_BIN, APPLICANT_IIN
from tests.support.signatures import principal
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.permits import Complaint, ComplaintSubject, FiledWith
from kepil.services.permits.complaint_ports import StoredComplaint
from kepil.services.permits.ports import Notification
from kepil.services.permits.views.applications import (
    application_page,
    application_view,
    cabinet_items,
)
from kepil.services.permits.views.complaints import complaint_page
from kepil.services.permits.views.viewer import Viewer

CALENDAR = kazakhstan_calendar()
AT = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
# A sole proprietor's certificate names the IIN as the BIN too.
PROPRIETOR_IIN = "850314312344"


def test_a_sole_proprietor_sees_each_cabinet_message_once() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        for kind in ("application_submitted", "application_registered"):
            uow.notifications.add(Notification(PROPRIETOR_IIN, "APP-1", kind, kind, AT))
    proprietor = Viewer(principal(PROPRIETOR_IIN, PROPRIETOR_IIN), frozenset())
    with uow:
        items = cabinet_items(uow, proprietor, 10)
    assert [n.kind for n in items] == ["application_registered", "application_submitted"]


def test_a_director_sees_messages_to_herself_and_to_her_company() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        uow.notifications.add(Notification(APPLICANT_IIN, "APP-1", "own", "own", AT))
        uow.notifications.add(Notification(APPLICANT_BIN, "APP-2", "company", "company", AT))
    viewer = Viewer(principal(APPLICANT_IIN, APPLICANT_BIN), frozenset())
    with uow:
        assert {n.kind for n in cabinet_items(uow, viewer, 10)} == {"own", "company"}


def test_the_list_of_applications_holds_every_case_the_single_view_opens() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        company = submitted("APP-2026-000001", AT, CALENDAR, director())
        own = standing("APP-2026-000002", AT, CALENDAR, applicant_bin=APPLICANT_IIN)
        for application in (company, own):
            uow.applications.add(stored(application), [])
    viewer = Viewer(principal(APPLICANT_IIN, APPLICANT_BIN), frozenset())
    with uow:
        listed = {s.number for s in application_page(uow, viewer, None, 20, 0).items}
        for number in ("APP-2026-000001", "APP-2026-000002"):
            application_view(uow, viewer, number, AT)  # opens: the case is the viewer's
    assert listed == {"APP-2026-000001", "APP-2026-000002"}


def test_the_list_of_complaints_follows_the_same_rule() -> None:
    uow = FakeUnitOfWork(CALENDAR)
    with uow.given():
        for number, complainant in (("CMP-1", APPLICANT_BIN), ("CMP-2", APPLICANT_IIN)):
            complaint = Complaint(
                number, complainant, ComplaintSubject.DECISION, FiledWith.PROVIDER, AT, CALENDAR
            )
            # Each complaint is its own signed act: the store keeps one per signature.
            signed = f"signed {number}".encode()
            uow.complaints.add(StoredComplaint(complaint, APPLICANT_IIN, "", "", "", signed, 1))
    viewer = Viewer(principal(APPLICANT_IIN, APPLICANT_BIN), frozenset())
    with uow:
        page = complaint_page(uow, viewer, None, 20, 0)
    assert {s.number for s in page.items} == {"CMP-1", "CMP-2"}
