"""The permit procedure over HTTP with real EDS signatures, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

from httpx2 import Response
from tests.support.pki import Person, applicant_employee, applicant_signatory, b64, person

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.signing.dev_ca import Profile

from .portal import FILES, LETTER, Portal, form_json

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD


def test_p3_a_signed_application_with_its_files_is_accepted_and_numbered(portal: Portal) -> None:
    response = portal.submit()
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["number"].startswith("APP-2026-")
    assert created["status"] == "submitted"
    assert response.headers["Location"] == f"/api/v1/applications/{created['number']}"
    assert [a["file_name"] for a in created["attachments"]] == ["contract.pdf", "letter.pdf"]
    attachment = portal.client.get(
        f"/api/v1/applications/{created['number']}/attachments/"
        f"{created['attachments'][1]['sha256']}",
        headers=portal.applicant.headers,
    )
    assert attachment.content == LETTER


def test_p3_retrying_with_the_same_idempotency_key_returns_the_same_application(
    portal: Portal,
) -> None:
    first = portal.submit(key="retry-1")
    again = portal.submit(key="retry-1")
    assert first.status_code == 201
    assert again.status_code == 409  # a new signature makes a different request
    assert again.json()["error"]["code"] == "idempotency_key_reused"


def test_p4_the_cabinet_shows_accepted_and_state_systems_were_asked(portal: Portal) -> None:
    number = portal.submit().json()["number"]
    notes = portal.client.get("/api/v1/cabinet/notifications", headers=portal.applicant.headers)
    assert notes.json()[0]["message"] == "Заявление принято"
    assert notes.json()[0]["case_number"] == number
    seen_by_examiner = portal.application(number, portal.officials[EXAMINER])
    facts = seen_by_examiner["state_facts"]
    assert facts["business"]["name"] == "ТОО «Тест»"
    assert portal.application(number)["state_facts"] is None  # the applicant does not see them


def test_p5_after_hours_before_nauryz_registration_falls_on_the_next_working_day(
    portal: Portal,
) -> None:
    portal.at("2026-03-20T19:00")  # Friday evening; 21-25 March are Nauryz days off
    created = portal.submit().json()
    assert created["registration_day"] == "2026-03-26"
    assert created["service_term_due"] == "2026-04-02T18:30:00+05:00"
    deadlines = {d["stage"]: d["due"] for d in created["deadlines"]}
    assert deadlines["completeness_check"] == "2026-03-30T18:30:00+05:00"


def test_p5_to_p9_a_complete_package_ends_with_a_head_signed_permit_in_the_registry(
    portal: Portal,
) -> None:
    portal.at("2026-03-20T19:00")
    number = portal.submit().json()["number"]
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").json()["status"] == "registered"
    portal.at("2026-03-27T11:00")
    assert portal.decide(EXAMINER, number, "start_review").json()["status"] == "under_review"
    portal.at("2026-03-30T16:00")
    issued = portal.sign_document(number, "permit")
    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "permit_issued"
    document_number = issued.json()["document_number"]
    document = portal.client.get(
        f"/api/v1/documents/{document_number}", headers=portal.applicant.headers
    ).json()
    assert document["document"]["valid_until"] == "2029-03-30"
    assert document["document"]["signer"]["iin"] == "900101300136"
    signed = base64.b64decode(document["content_b64"])
    assert json.loads(signed) == document["document"]
    registry = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()
    assert [e["permit_number"] for e in registry["items"]] == [document_number]
    history = [e["kind"] for e in portal.application(number)["history"]]
    assert history == [
        "application_submitted",
        "application_registered",
        "review_started",
        "permit_issued",
    ]


def test_p6_an_expired_backing_document_gets_a_refusal_of_further_consideration(
    portal: Portal,
) -> None:
    form = form_json()
    form["attachments"][0]["valid_until"] = "2026-01-31"
    number = portal.submit(form=form).json()["number"]
    portal.decide(CLERK, number, "register")
    refused = portal.sign_document(number, "refusal_of_further_consideration")
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused_further_consideration"
    notice = portal.client.get(
        f"/api/v1/documents/{refused.json()['document_number']}",
        headers=portal.applicant.headers,
    ).json()
    assert [p["code"] for p in notice["document"]["problems"]] == ["document_expired"]


def test_p8_refusal_follows_a_preliminary_decision_and_a_hearing(portal: Portal) -> None:
    portal.at("2026-04-06T10:00")
    number = portal.submit().json()["number"]
    portal.decide(CLERK, number, "register")
    portal.decide(EXAMINER, number, "start_review")
    portal.at("2026-04-07T10:00")
    preliminary = portal.decide(
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=[2],
        motivation="гарантийное письмо не подтверждает 5 узлов",
        hearing_at="2026-04-08T15:00:00+05:00",
        place="онлайн, видеосвязь",
    )
    assert preliminary.json()["status"] == "hearing_scheduled", preliminary.text
    portal.at("2026-04-08T15:30")
    portal.decide(EXAMINER, number, "hold_hearing", applicant_attended=True)
    unheard = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "motivated_refusal", "grounds": [1, 2], "motivation": "..."},
        headers=portal.officials[HEAD].headers,
    )
    assert unheard.status_code == 409
    assert unheard.json()["error"]["code"] == "transition_not_allowed"
    refused = portal.sign_document(
        number, "motivated_refusal", grounds=[2], motivation="не подтверждены 5 узлов"
    )
    assert refused.json()["status"] == "refused", refused.text


def test_p9_a_document_signed_on_another_day_than_drafted_is_refused(portal: Portal) -> None:
    portal.at("2026-04-06T10:00")
    number = portal.submit().json()["number"]
    portal.decide(CLERK, number, "register")
    portal.decide(EXAMINER, number, "start_review")
    head = portal.officials[HEAD]
    draft = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=head.headers,
    ).json()
    portal.at("2026-04-07T10:00")
    cms = portal.sign(head, base64.b64decode(draft["content_b64"]))
    late = portal.client.post(
        f"/api/v1/applications/{number}/decisions",
        json={"cms": base64.b64encode(cms).decode()},
        headers=head.headers,
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "document_mismatch"


def test_an_examiner_cannot_sign_the_permit_and_an_applicant_cannot_register(
    portal: Portal,
) -> None:
    number = portal.submit().json()["number"]
    applicant = portal.decide(PermitRole.APPLICANT, number, "register")
    assert applicant.status_code == 403
    assert applicant.json()["error"]["code"] == "role_required"
    portal.decide(CLERK, number, "register")
    portal.decide(EXAMINER, number, "start_review")
    examiner = portal.officials[EXAMINER]
    own_draft = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=examiner.headers,
    )
    assert own_draft.status_code == 403
    draft = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=portal.officials[HEAD].headers,
    ).json()
    cms = portal.sign(examiner, base64.b64decode(draft["content_b64"]))
    forged = portal.client.post(
        f"/api/v1/applications/{number}/decisions",
        json={"cms": base64.b64encode(cms).decode()},
        headers=examiner.headers,
    )
    assert forged.status_code == 403
    assert portal.application(number)["status"] == "under_review"


def test_a_decision_signed_by_someone_else_than_the_session_is_refused(portal: Portal) -> None:
    number = portal.submit().json()["number"]
    clerk = portal.officials[CLERK]
    cms = portal.sign(
        portal.officials[EXAMINER],
        json.dumps({"action": "register", "application_number": number}).encode(),
    )
    response = portal.client.post(
        f"/api/v1/applications/{number}/decisions",
        json={"cms": base64.b64encode(cms).decode()},
        headers=clerk.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "signer_mismatch"


def test_p3_a_file_not_listed_in_the_signed_form_is_refused_and_nothing_is_stored(
    portal: Portal,
) -> None:
    response = portal.submit(files=[*FILES, ("extra.pdf", b"%PDF extra")])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "attachments_mismatch"
    listing = portal.client.get("/api/v1/applications", headers=portal.applicant.headers)
    assert listing.json()["total"] == 0


def test_p3_a_form_missing_fields_lists_every_problem(portal: Portal) -> None:
    form = form_json(platform_name="", purpose="")
    response = portal.submit(form=form)
    assert response.status_code == 422
    problems = {d["problem"] for d in response.json()["error"]["details"]}
    assert {"platform_name_missing", "purpose_missing"} <= problems


def test_applicants_see_only_their_own_applications(portal: Portal) -> None:
    number = portal.submit().json()["number"]
    stranger = portal.officials[CLERK]
    assert portal.client.get("/api/v1/applications", headers=stranger.headers).json()["total"] == 1
    mine = portal.client.get("/api/v1/applications", headers=portal.applicant.headers).json()
    assert [item["number"] for item in mine["items"]] == [number]


def _issue_permit(portal: Portal) -> str:
    portal.at("2026-04-06T10:00")
    number = portal.submit().json()["number"]
    portal.decide(CLERK, number, "register")
    portal.decide(EXAMINER, number, "start_review")
    assert portal.sign_document(number, "permit").status_code == 200
    found = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()
    return str(found["items"][0]["registry_number"])


def _permit_number(portal: Portal, registry_number: str) -> str:
    return str(portal.client.get(f"/api/v1/registry/{registry_number}").json()["permit_number"])


def _status_change(
    portal: Portal,
    role: PermitRole,
    registry_number: str,
    action: str,
    permit_number: str | None = "",
) -> dict[str, Any]:
    """Post a signed change; `permit_number` "" names the entry's permit, None names none."""
    person = portal.officials[role]
    change = {
        "document_type": "permit_status_change",
        "registry_number": registry_number,
        "permit_number": permit_number or _permit_number(portal, registry_number),
        "action": action,
        "reason": "решение суда № 2-123/2026 от 01.04.2026",
    }
    if permit_number is None:
        del change["permit_number"]
    portal.clock.advance(1)  # each change signed after the last, as the registry requires
    cms = portal.sign(person, json.dumps(change, ensure_ascii=False).encode())
    response = portal.client.post(
        f"/api/v1/registry/{registry_number}/status",
        json={"cms": base64.b64encode(cms).decode()},
        headers=person.headers,
    )
    return {**response.json(), "http": response.status_code}


def test_p11_the_head_suspends_and_revokes_a_permit_with_a_stated_reason(
    portal: Portal,
) -> None:
    registry_number = _issue_permit(portal)
    assert _status_change(portal, EXAMINER, registry_number, "suspend")["http"] == 403
    suspended = _status_change(portal, HEAD, registry_number, "suspend")
    assert suspended["http"] == 200
    assert suspended["history"][-1]["status"] == "suspended"
    assert _status_change(portal, HEAD, registry_number, "revoke")["http"] == 200
    again = _status_change(portal, HEAD, registry_number, "reinstate")
    assert again["http"] == 409
    assert again["error"]["code"] == "status_change_not_allowed"
    public = portal.client.get(f"/api/v1/registry/{registry_number}").json()
    assert public["status"] == "revoked"
    assert [h["status"] for h in public["history"]] == ["suspended", "revoked"]


def test_p11_a_status_change_must_name_the_entrys_own_permit_for_the_platforms(
    portal: Portal,
) -> None:
    registry_number = _issue_permit(portal)
    other = _status_change(portal, HEAD, registry_number, "suspend", "PRM-1999-999999")
    assert (other["http"], other["error"]["code"]) == (422, "decision_for_another_permit")
    unnamed = _status_change(portal, HEAD, registry_number, "suspend", None)
    assert (unnamed["http"], unnamed["error"]["code"]) == (422, "permit_number_required")
    assert _status_change(portal, HEAD, registry_number, "suspend")["http"] == 200


def test_p11_a_status_change_signed_before_the_last_recorded_one_is_refused(
    portal: Portal,
) -> None:
    # The platforms' ledgers apply the Ministry's changes in signing order: one signed earlier
    # than the last would be refused there as a replay, so the registry refuses it first.
    registry_number = _issue_permit(portal)
    head = portal.officials[HEAD]
    change = {
        "document_type": "permit_status_change",
        "registry_number": registry_number,
        "permit_number": _permit_number(portal, registry_number),
        "action": "reinstate",
        "reason": "решение суда № 2-124/2026",
    }
    prepared_first = portal.sign(head, json.dumps(change, ensure_ascii=False).encode())
    assert _status_change(portal, HEAD, registry_number, "suspend")["http"] == 200

    late = portal.client.post(
        f"/api/v1/registry/{registry_number}/status",
        json={"cms": base64.b64encode(prepared_first).decode()},
        headers=head.headers,
    )

    assert late.status_code == 409, late.text
    assert late.json()["error"]["code"] == "decision_signed_before_last_change"
    public = portal.client.get(f"/api/v1/registry/{registry_number}").json()
    assert public["status"] == "suspended"
    assert _status_change(portal, HEAD, registry_number, "reinstate")["http"] == 200


def test_p11_the_public_history_names_the_deciding_role_and_position_never_an_iin(
    portal: Portal,
) -> None:
    registry_number = _issue_permit(portal)
    assert _status_change(portal, HEAD, registry_number, "suspend")["http"] == 200
    public = portal.client.get(f"/api/v1/registry/{registry_number}")
    assert [h["actor"] for h in public.json()["history"]] == ["head: вице-министр"]
    assert portal.officials[HEAD].iin not in public.text
    exported = portal.client.get("/api/v1/registry/export.json")
    assert portal.officials[HEAD].iin not in exported.text


def test_a_stranger_gets_the_same_404_for_reading_deciding_and_drafting(portal: Portal) -> None:
    number = portal.submit().json()["number"]
    stranger = person(Profile.INDIVIDUAL, "800502312347", "ЧУЖОЙ ЧЕЛОВЕК")
    portal.login(stranger)
    read = portal.client.get(f"/api/v1/applications/{number}", headers=stranger.headers)
    decision = {"action": "withdraw", "application_number": number}
    cms = portal.sign(stranger, canonical_bytes(decision))
    decided = portal.client.post(
        f"/api/v1/applications/{number}/decisions",
        json={"cms": base64.b64encode(cms).decode()},
        headers=stranger.headers,
    )
    drafted = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=stranger.headers,
    )
    for response in (read, decided, drafted):
        assert (response.status_code, response.json()) == (404, read.json())
    assert portal.applicant.iin not in decided.text
    assert "120440056787" not in decided.text
    assert "submitted" not in decided.text


def _file_as(portal: Portal, signer: Person, key: str) -> Response:
    cms = portal.sign(signer, canonical_bytes(form_json()))
    parts = [("signed_form", ("form.p7s", cms, "application/pkcs7-mime"))]
    parts += [("files", (name, content, "application/pdf")) for name, content in FILES]
    return portal.client.post(
        "/api/v1/applications",
        files=parts,
        headers={**signer.headers, "Idempotency-Key": key},
    )


def _signed_post(portal: Portal, signer: Person, path: str, content: dict[str, Any]) -> Response:
    cms = portal.sign(signer, canonical_bytes(content))
    return portal.client.post(
        path, json={"cms": base64.b64encode(cms).decode()}, headers=signer.headers
    )


def test_a_legal_entitys_employee_may_not_file_withdraw_or_complain_for_it(
    portal: Portal,
) -> None:
    employee = applicant_employee()
    portal.login(employee)
    filed = _file_as(portal, employee, "employee-1")
    assert filed.status_code == 403
    assert filed.json()["error"]["code"] == "signature_right_required"
    number = portal.submit().json()["number"]
    # The employee may read the company's case, not act on it.
    seen = portal.client.get(f"/api/v1/applications/{number}", headers=employee.headers)
    assert seen.status_code == 200
    withdraw = {"action": "withdraw", "application_number": number}
    refused = _signed_post(portal, employee, f"/api/v1/applications/{number}/decisions", withdraw)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "signature_right_required"
    complaint = {
        "application_number": number,
        "subject": "inaction",
        "filed_with": "provider",
        "target": "Регистрация заявления",
        "text": "Заявление не зарегистрировано в срок",
    }
    complained = _signed_post(portal, employee, "/api/v1/complaints", complaint)
    assert complained.status_code == 403
    assert complained.json()["error"]["code"] == "signature_right_required"
    assert portal.application(number)["status"] == "submitted"


def test_a_person_with_the_right_of_signature_files_and_withdraws_for_the_entity(
    portal: Portal,
) -> None:
    signatory = applicant_signatory()
    portal.login(signatory)
    filed = _file_as(portal, signatory, "signatory-1")
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    withdraw = {"action": "withdraw", "application_number": number}
    done = _signed_post(portal, signatory, f"/api/v1/applications/{number}/decisions", withdraw)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "withdrawn"


def _post_form(portal: Portal, cms: bytes, key: str) -> Response:
    parts = [("signed_form", ("form.p7s", cms, "application/pkcs7-mime"))]
    parts += [("files", (name, content, "application/pdf")) for name, content in FILES]
    headers = {**portal.applicant.headers, "Idempotency-Key": key}
    return portal.client.post("/api/v1/applications", files=parts, headers=headers)


def test_p3_one_signed_form_files_one_application_whatever_key_it_comes_with(
    portal: Portal,
) -> None:
    cms = portal.sign(portal.applicant, canonical_bytes(form_json()))
    first = _post_form(portal, cms, "form-1")
    assert first.status_code == 201, first.text
    number = first.json()["number"]
    retried = _post_form(portal, cms, "form-1")
    assert (retried.status_code, retried.json()["number"]) == (200, number)
    again = _post_form(portal, cms, "form-2")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "signed_act_used"
    assert number in again.json()["error"]["message"]
    listed = portal.client.get("/api/v1/applications", headers=portal.applicant.headers)
    assert listed.json()["total"] == 1


def test_p11_a_captured_suspension_cannot_suspend_again_after_reinstatement(
    portal: Portal,
) -> None:
    registry_number = _issue_permit(portal)
    head = portal.officials[HEAD]

    def signed(action: str) -> str:
        change = {
            "document_type": "permit_status_change",
            "registry_number": registry_number,
            "permit_number": _permit_number(portal, registry_number),
            "action": action,
            "reason": "решение суда № 2-123/2026 от 01.04.2026",
        }
        portal.clock.advance(1)  # each change signed after the last, as the registry requires
        return b64(portal.sign(head, canonical_bytes(change)))

    def post(cms: str) -> Response:
        return portal.client.post(
            f"/api/v1/registry/{registry_number}/status", json={"cms": cms}, headers=head.headers
        )

    captured = signed("suspend")
    assert post(captured).status_code == 200
    assert post(signed("reinstate")).status_code == 200
    replayed = post(captured)
    assert replayed.status_code == 409
    assert replayed.json()["error"]["code"] == "signed_act_used"
    assert f"suspend of {registry_number}" in replayed.json()["error"]["message"]
    public = portal.client.get(f"/api/v1/registry/{registry_number}").json()
    assert public["status"] == "active"
