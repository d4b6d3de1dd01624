"""Changes to the Rules over HTTP, on SQLite and PostgreSQL (Rules §12)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.clock import almaty

from .desk import Desk

CHANGE = {
    "identifier": "130/НҚ-2026-1",
    "adopted_on": "2026-03-19",
    "effective_on": "2026-05-01",
    "summary": "Срок рассмотрения жалобы уточнён",
}


def _record(desk: Desk, who: str = "head", **changes: Any) -> Any:
    return desk.client.post(
        "/api/v1/rule-changes", json={**CHANGE, **changes}, headers=desk.people[who].headers
    )


def test_p12_the_head_records_a_change_and_both_notices_fall_due_in_three_working_days(
    desk: Desk,
) -> None:
    response = _record(desk)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == "RCH-2026-000001"
    assert body["recorded_by"] == desk.people["head"].iin
    assert {task["recipient"] for task in body["tasks"]} == {
        "egov_infrastructure_operator",
        "unified_contact_centre",
    }
    # Adopted Thursday 19 March 2026: 20 March, then 26 and 27 March after Nauryz.
    assert {datetime.fromisoformat(task["due"]) for task in body["tasks"]} == {
        almaty("2026-03-27T18:30")
    }
    assert not any(task["overdue"] or task["sent_at"] for task in body["tasks"])


def test_p12_only_the_head_records_a_change_and_only_once(desk: Desk) -> None:
    assert _record(desk, "clerk").status_code == 403
    refused = _record(desk, "applicant")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "role_required")
    assert _record(desk).status_code == 201
    again = _record(desk)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "rule_version_exists")
    backwards = _record(desk, identifier="130/НҚ-2026-2", effective_on="2026-03-01")
    assert backwards.json()["error"]["code"] == "effective_before_adoption"
    future = _record(desk, identifier="130/НҚ-2026-3", adopted_on="2026-03-21")
    assert (future.status_code, future.json()["error"]["code"]) == (422, "adopted_in_future")


def test_p12_unsent_notices_are_listed_as_overdue_until_marked_sent(desk: Desk) -> None:
    change_id = _record(desk).json()["id"]
    desk.move_to("2026-03-30T09:00")
    clerk = desk.people["clerk"].headers
    page = desk.client.get("/api/v1/rule-changes", headers=clerk).json()
    assert page["total"] == 1
    assert {n["recipient"] for n in page["overdue"]} == {
        "egov_infrastructure_operator",
        "unified_contact_centre",
    }
    sent_url = f"/api/v1/rule-changes/{change_id}/tasks/egov_infrastructure_operator/sent"
    sent = desk.client.post(sent_url, headers=clerk)
    assert sent.status_code == 200, sent.text
    egov = next(t for t in sent.json()["tasks"] if t["recipient"] == "egov_infrastructure_operator")
    assert (egov["sent_late"], egov["overdue"]) == (True, True)
    desk.move_to("2026-03-31T09:00")
    repeated = desk.client.post(sent_url, headers=desk.people["clerk"].headers).json()
    again = next(t for t in repeated["tasks"] if t["recipient"] == "egov_infrastructure_operator")
    assert datetime.fromisoformat(again["sent_at"]) == almaty("2026-03-30T09:00")
    page = desk.client.get("/api/v1/rule-changes", headers=desk.people["head"].headers).json()
    assert [n["recipient"] for n in page["overdue"]] == ["unified_contact_centre"]


def test_p12_notices_are_for_officials_and_unknown_ones_are_refused(desk: Desk) -> None:
    change_id = _record(desk).json()["id"]
    applicant = desk.people["applicant"].headers
    assert desk.client.get("/api/v1/rule-changes", headers=applicant).status_code == 403
    url = f"/api/v1/rule-changes/{change_id}/tasks/unified_contact_centre/sent"
    assert desk.client.post(url, headers=applicant).status_code == 403
    assert desk.client.post(url, headers=desk.people["reviewer"].headers).status_code == 403
    clerk = desk.people["clerk"].headers
    unknown_recipient = desk.client.post(
        f"/api/v1/rule-changes/{change_id}/tasks/the_press/sent", headers=clerk
    )
    assert unknown_recipient.status_code == 422
    missing = desk.client.post(
        "/api/v1/rule-changes/RCH-2026-999999/tasks/unified_contact_centre/sent", headers=clerk
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "rule_change_not_found")
