"""Complaints over HTTP with real EDS signatures, on SQLite and PostgreSQL (Rules §13-§15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.clock import almaty
from tests.support.identities import APPLICANT_BIN

from .desk import Desk


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def _filed(desk: Desk, **changes: Any) -> str:
    response = desk.file(**changes)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def _registered(desk: Desk, registrar: str = "clerk", **changes: Any) -> str:
    number = _filed(desk, **changes)
    response = desk.decide(registrar, number, "register")
    assert response.status_code == 200, response.text
    return number


def test_p13_the_applicant_files_a_signed_complaint_and_its_terms_run_from_registration(
    desk: Desk,
) -> None:
    response = desk.file()
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "CMP-2026-000001"
    assert response.headers["location"] == "/api/v1/complaints/CMP-2026-000001"
    assert (body["complainant"], body["filed_by_iin"]) == (APPLICANT_BIN, "900101300126")
    assert (body["status"], body["registered_at"]) == ("registered", None)
    # Friday 20 March 2026; Nauryz and its transferred days off come next.
    assert body["registration_day"] == "2026-03-20"
    assert _moment(body["provider_response_due"]) == almaty("2026-03-30T18:30")
    assert _moment(body["review_due"]) == almaty("2026-04-01T18:30")
    assert [line["kind"] for line in body["history"]] == ["complaint_filed"]


def test_p13_the_same_signed_complaint_sent_twice_is_filed_once(desk: Desk) -> None:
    applicant = desk.people["applicant"]
    body = desk.signed(
        applicant,
        {
            "application_number": "APP-2026-000001",
            "subject": "decision",
            "filed_with": "provider",
            "target": "REF-2026-000001",
            "text": "Отказ не мотивирован",
        },
    )
    first = desk.client.post("/api/v1/complaints", json=body, headers=applicant.headers)
    again = desk.client.post("/api/v1/complaints", json=body, headers=applicant.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    listed = desk.client.get("/api/v1/complaints", headers=applicant.headers).json()
    assert listed["total"] == 1


def test_p13_the_office_registers_the_complaint_and_every_step_reaches_monitoring(
    desk: Desk,
) -> None:
    number = _filed(desk)
    done = desk.decide("clerk", number, "register")
    assert done.status_code == 200, done.text
    assert done.json() == {
        "number": number,
        "status": "registered",
        "event": "complaint_registered",
        "late": False,
    }
    again = desk.decide("clerk", number, "register")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_registered")
    with desk.container.uow() as uow:
        stages = [(e.record.case, e.record.stage) for e in uow.stage_log.all()]
        notices = uow.notifications.for_recipient(APPLICANT_BIN, 10)
    assert (number, "complaint_filed") in stages
    assert (number, "complaint_registered") in stages
    assert {n.kind for n in notices if n.case_number == number} == {
        "complaint_filed",
        "complaint_registered",
    }


def test_p13_the_provider_forwards_the_complaint_within_three_working_days(desk: Desk) -> None:
    desk.move_to("2026-03-20T19:00")  # after hours: registered after the holidays
    number = _registered(desk)
    desk.move_to("2026-03-31T18:00")
    forwarded = desk.decide("examiner", number, "forward")
    assert forwarded.status_code == 200, forwarded.text
    assert (forwarded.json()["status"], forwarded.json()["late"]) == ("forwarded", False)
    view = desk.client.get(
        f"/api/v1/complaints/{number}", headers=desk.people["reviewer"].headers
    ).json()
    assert _moment(view["provider_response_due"]) == almaty("2026-03-31T18:30")
    assert view["overdue"] is False
    with desk.container.uow() as uow:
        reviewers = uow.notifications.for_recipient("role:complaint_reviewer", 10)
    assert [n.kind for n in reviewers] == ["complaint_forwarded"]


def test_p13_the_provider_may_satisfy_the_complaint_itself(desk: Desk) -> None:
    number = _registered(desk)
    done = desk.decide("head", number, "satisfy", "Заявление рассмотрено, разрешение выдано")
    assert done.status_code == 200, done.text
    view = desk.client.get(
        f"/api/v1/complaints/{number}", headers=desk.people["applicant"].headers
    ).json()
    assert view["status"] == "satisfied_by_provider"
    assert view["history"][-1]["decision"] == "Заявление рассмотрено, разрешение выдано"
    assert view["pre_trial_appeal_exhausted"] is False


def test_p13_a_complaint_about_someone_elses_application_is_not_accepted(desk: Desk) -> None:
    stranger = desk.people["stranger"]
    refused = desk.file(person=stranger)
    assert (refused.status_code, refused.json()["error"]["code"]) == (404, "application_not_found")
    unknown = desk.file(application_number="APP-2026-999999")
    assert unknown.status_code == 404


def test_p13_a_complaint_signed_by_someone_else_than_the_signed_in_user_is_refused(
    desk: Desk,
) -> None:
    applicant, stranger = desk.people["applicant"], desk.people["stranger"]
    body = desk.signed(stranger, {"application_number": "APP-2026-000001"})
    refused = desk.client.post("/api/v1/complaints", json=body, headers=applicant.headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "signer_mismatch")
    unsigned = desk.client.post(
        "/api/v1/complaints", json={"cms": "not base64!"}, headers=applicant.headers
    )
    assert unsigned.status_code == 422
    anonymous = desk.client.post("/api/v1/complaints", json=body)
    assert anonymous.status_code == 401


def test_p13_steps_are_denied_by_default_to_anyone_without_the_duty(desk: Desk) -> None:
    number = _filed(desk)
    early = desk.decide("examiner", number, "forward")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "complaint_not_registered")
    by_applicant = desk.decide("applicant", number, "register")
    assert (by_applicant.status_code, by_applicant.json()["error"]["code"]) == (
        403,
        "role_required",
    )
    desk.decide("clerk", number, "register")
    assert desk.decide("clerk", number, "satisfy", "да").status_code == 403
    assert desk.decide("reviewer", number, "forward").status_code == 403
    too_soon = desk.decide("reviewer", number, "uphold", "да")
    assert (too_soon.status_code, too_soon.json()["error"]["code"]) == (
        409,
        "transition_not_allowed",
    )
    unstated = desk.decide("head", number, "satisfy", "  ")
    assert (unstated.status_code, unstated.json()["error"]["code"]) == (422, "decision_required")


def test_p14_the_reviewing_body_decides_in_five_working_days_and_lateness_is_recorded(
    desk: Desk,
) -> None:
    desk.move_to("2026-03-20T19:00")
    number = _registered(desk)
    desk.move_to("2026-03-27T10:00")
    desk.decide("examiner", number, "forward")
    desk.move_to("2026-04-03T10:00")  # the term ended on 2 April at 18:30
    upheld = desk.decide("reviewer", number, "uphold", "Отказ отменить, рассмотреть повторно")
    assert upheld.status_code == 200, upheld.text
    assert (upheld.json()["status"], upheld.json()["late"]) == ("upheld", True)
    view = desk.client.get(
        f"/api/v1/complaints/{number}", headers=desk.people["applicant"].headers
    ).json()
    assert _moment(view["review_due"]) == almaty("2026-04-02T18:30")
    assert view["overdue"] is True
    assert _moment(view["settled_at"]) == almaty("2026-04-03T10:00")


def test_p14_a_complaint_to_the_quality_control_agency_has_fifteen_working_days(
    desk: Desk,
) -> None:
    number = _registered(desk, "reviewer", filed_with="quality_control_agency")
    view = desk.client.get(
        f"/api/v1/complaints/{number}", headers=desk.people["applicant"].headers
    ).json()
    assert view["provider_response_due"] is None
    assert _moment(view["review_due"]) == almaty("2026-04-15T18:30")
    # It is with the reviewing body already: there is nothing to forward.
    not_forwarded = desk.decide("examiner", number, "forward")
    assert (not_forwarded.status_code, not_forwarded.json()["error"]["code"]) == (
        409,
        "transition_not_allowed",
    )
    desk.move_to("2026-04-15T18:00")
    rejected = desk.decide("reviewer", number, "reject", "Отказ законен и обоснован")
    assert (rejected.json()["status"], rejected.json()["late"]) == ("rejected", False)


def test_p15_a_decided_complaint_says_the_pre_trial_appeal_is_exhausted(desk: Desk) -> None:
    number = _registered(desk)
    desk.decide("clerk", number, "forward")
    open_view = desk.client.get(
        f"/api/v1/complaints/{number}", headers=desk.people["applicant"].headers
    ).json()
    assert open_view["pre_trial_appeal_exhausted"] is False
    desk.decide("reviewer", number, "reject", "Нарушений не установлено")
    view = desk.client.get(
        f"/api/v1/complaints/{number}", headers=desk.people["applicant"].headers
    ).json()
    assert view["pre_trial_appeal_exhausted"] is True
    assert view["history"][-1]["pre_trial_appeal_exhausted"] is True
    assert [line["actor_role"] for line in view["history"]] == [
        "applicant",
        "clerk",
        "clerk",
        "complaint_reviewer",
    ]


def test_p13_complainants_see_their_own_complaints_and_officials_see_all(desk: Desk) -> None:
    number = _filed(desk)
    own = desk.client.get("/api/v1/complaints", headers=desk.people["applicant"].headers).json()
    assert [item["number"] for item in own["items"]] == [number]
    stranger = desk.people["stranger"].headers
    assert desk.client.get("/api/v1/complaints", headers=stranger).json()["total"] == 0
    hidden = desk.client.get(f"/api/v1/complaints/{number}", headers=stranger)
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "complaint_not_found")
    official = desk.client.get(
        "/api/v1/complaints?status=registered", headers=desk.people["reviewer"].headers
    ).json()
    assert official["total"] == 1
