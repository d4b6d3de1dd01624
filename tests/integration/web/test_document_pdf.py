"""Issue 20 items 9 and 10 on each database: the permit's PDF from the API, the cabinet and the
registry entry, checked as `kepil doc verify` checks it; the public check answers as JSON and
takes an uploaded PDF."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from tests.integration.permits.portal import Portal
from tests.integration.web.cabinet_portal import issue_permit, open_portal, portal_people
from tests.support.identities import MINISTRY_BIN
from tests.support.pki import Person
from tests.support.web import sign_in_on_pages

from kepil.adapters.pdf import render
from kepil.adapters.pdf.check import Expectations, check_pdf, signing_moment
from kepil.adapters.pdf.fonts import FontMissingError
from kepil.adapters.pdf.render import SealedDocument, check_url, render_pdf
from kepil.signing.trust import TrustStore

PDF_ACCEPT = {"accept": "application/pdf"}


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        yield found


def test_item_10_the_api_answers_the_permit_as_pdf_when_asked_for_pdf(
    portal: Portal, tmp_path: Path
) -> None:
    _, permit = issue_permit(portal)
    headers = {**portal.applicant.headers, **PDF_ACCEPT}
    answer = portal.client.get(f"/api/v1/documents/{permit}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert f'filename="{permit}.pdf"' in answer.headers["content-disposition"]
    as_json = portal.client.get(f"/api/v1/documents/{permit}", headers=portal.applicant.headers)
    assert as_json.headers["content-type"] == "application/json"
    attached = PdfReader(io.BytesIO(answer.content)).attachments
    assert attached[f"{permit}.json"][0] == base64.b64decode(as_json.json()["content_b64"])
    assert attached[f"{permit}.p7s"][0] == base64.b64decode(as_json.json()["signature_b64"])
    parameters = json.loads(attached["kepil-render.json"][0])
    assert parameters["check_url"] == f"http://testserver/check?number={permit}"
    moment = signing_moment(attached[f"{permit}.p7s"][0])
    assert moment is not None
    store = TrustStore.from_directory(tmp_path / "trust")
    expect = Expectations(MINISTRY_BIN, ("http://testserver",))
    verdict = check_pdf(answer.content, store, moment, expect)
    assert verdict.valid, verdict.to_json()
    assert verdict.identical


def test_item_10_a_stranger_and_an_anonymous_caller_get_no_pdf(portal: Portal) -> None:
    _, permit = issue_permit(portal)
    anonymous = portal.client.get(f"/api/v1/documents/{permit}", headers=PDF_ACCEPT)
    assert anonymous.status_code == 401
    assert portal.client.get(f"/cabinet/documents/{permit}/document.pdf").status_code in {
        303,
        401,
        404,
    }


def test_item_10_the_cabinet_and_the_registry_entry_link_the_same_pdf(portal: Portal) -> None:
    _, permit = issue_permit(portal)
    api = portal.client.get(
        f"/api/v1/documents/{permit}", headers={**portal.applicant.headers, **PDF_ACCEPT}
    )
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    page = portal.client.get(f"/cabinet/documents/{permit}", params={"lang": "kk"})
    link = f'href="/cabinet/documents/{permit}/document.pdf"'
    assert link in page.text
    download = portal.client.get(f"/cabinet/documents/{permit}/document.pdf")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    # Same document, same bytes: whoever serves it, the PDF can be re-made and compared.
    assert download.content == api.content
    registry = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()
    entry = registry["items"][0]["registry_number"]
    assert link in portal.client.get(f"/registry/{entry}").text


def test_item_9_the_public_check_answers_the_permit_in_force_as_json(portal: Portal) -> None:
    _, permit = issue_permit(portal)
    found = portal.client.get(f"/api/v1/documents/{permit.lower()}/check")
    assert found.status_code == 200, found.text
    answer = found.json()
    assert answer["number"] == permit
    assert answer["kind"] == "permit_issued"
    assert answer["in_force"] is True
    assert answer["status"] == "active"
    assert answer["valid_until"] == "2029-03-30"
    issued = portal.client.get(f"/api/v1/documents/{permit}", headers=portal.applicant.headers)
    content = base64.b64decode(issued.json()["content_b64"])
    assert answer["sha256"] == hashlib.sha256(content).hexdigest()
    assert portal.client.get("/api/v1/documents/PRM-1999-000001/check").status_code == 404


def _upload(portal: Portal, pdf: bytes, status: int = 200) -> str:
    answer = portal.client.post(
        "/check",
        params={"lang": "ru"},
        files={"pdf": ("document.pdf", pdf, "application/pdf")},
    )
    assert answer.status_code == status, answer.text
    return re.sub(r"\s+", " ", answer.text)


def test_item_9_the_check_page_takes_the_pdf_and_says_it_is_intact_and_in_force(
    portal: Portal,
) -> None:
    _, permit = issue_permit(portal)
    pdf = portal.client.get(
        f"/api/v1/documents/{permit}", headers={**portal.applicant.headers, **PDF_ACCEPT}
    ).content
    page = _upload(portal, pdf)
    assert f"Файл цел: подпись верна, и страницы показывают подписанный документ {permit}" in page
    assert "verdict-good" in page
    assert "/registry/REG-" in page  # the registry's answer about the permit, as /check gives


def test_item_9_the_check_page_refuses_a_pdf_whose_attachment_was_changed(
    portal: Portal,
) -> None:
    _, permit = issue_permit(portal)
    found = portal.client.get(f"/api/v1/documents/{permit}", headers=portal.applicant.headers)
    body = found.json()["document"]
    body["platform_name"] = "Другая платформа"
    forged = SealedDocument(
        permit,
        json.dumps(body, ensure_ascii=False).encode(),
        base64.b64decode(found.json()["signature_b64"]),
    )
    page = _upload(portal, render_pdf(forged, check_url("http://testserver", permit)))
    assert "Файл отклонён: это не документ в подписанном виде." in page
    assert "Подпись не подтверждает вложенный документ." in page
    assert "signature_digest_mismatch" in page
    # The number the forgery names is genuine; that is said, but not as the file's verdict.
    assert "Что эта служба выдала под номером, который назван в файле" in page
    assert "Файл выше — не этот документ в подписанном виде." in page


def test_item_9_the_check_page_says_when_a_file_is_not_a_document_pdf(portal: Portal) -> None:
    page = _upload(portal, b"%PDF-1.7 nothing here", 422)
    assert "Этот файл не PDF документа этой службы" in page
    assert 'aria-invalid="true"' in page


def test_item_10_without_the_pdf_font_the_api_says_so_and_json_still_answers(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, permit = issue_permit(portal)

    def missing() -> None:
        raise FontMissingError("the PDF font package is not installed: pip install it")

    monkeypatch.setattr(render, "font_files", missing)
    answer = portal.client.get(
        f"/api/v1/documents/{permit}", headers={**portal.applicant.headers, **PDF_ACCEPT}
    )
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "pdf_font_missing"
    assert "not installed" in answer.json()["error"]["message"]
    as_json = portal.client.get(f"/api/v1/documents/{permit}", headers=portal.applicant.headers)
    assert as_json.status_code == 200


def test_item_9_the_check_page_refuses_an_oversized_upload_before_reading_it(
    portal: Portal,
) -> None:
    answer = portal.client.post(
        "/check",
        params={"lang": "ru"},
        content=b"x" * 16,
        headers={
            "content-type": "multipart/form-data; boundary=b",
            "content-length": str(64 * 1024 * 1024),
        },
    )
    assert answer.status_code == 413
    assert "Файл больше, чем может быть PDF документа (16 МБ)." in answer.text


def test_item_9_a_chunked_upload_without_a_length_is_cut_off_at_16_mib_with_413(
    portal: Portal,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="pdf"; filename="a.pdf"\r\n\r\n'
        for _ in range(20):
            yield b"0" * (1024 * 1024)
        yield b"\r\n--b--\r\n"

    answer = portal.client.post(
        "/check",
        params={"lang": "ru"},
        content=chunks(),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413
    assert "Файл больше, чем может быть PDF документа (16 МБ)." in answer.text


def _crafted(body: dict[str, object]) -> bytes:
    made = FPDF()
    made.add_page()
    made.embed_file(bytes=json.dumps(body).encode(), basename="X-1.json")
    made.embed_file(bytes=b"junk", basename="X-1.p7s")
    address = json.dumps({"check_url": "http://testserver/check?number=X-1"}).encode()
    made.embed_file(bytes=address, basename="kepil-render.json")
    return bytes(made.output())


def test_item_9_a_crafted_or_garbage_upload_is_refused_with_a_reason_never_a_500(
    portal: Portal,
) -> None:
    crafted = _upload(portal, _crafted({"document_type": "permit", "recipient": "x"}), 422)
    assert "Этот файл не PDF документа этой службы" in crafted
    garbage = _upload(portal, b"%PDF-1.7\n" + b"x" * 100, 422)
    assert "Этот файл не PDF документа этой службы" in garbage


def test_item_9_a_genuinely_signed_pdf_of_a_document_not_issued_here_is_refused_on_the_page(
    portal: Portal,
) -> None:
    _, permit = issue_permit(portal)
    found = portal.client.get(f"/api/v1/documents/{permit}", headers=portal.applicant.headers)
    content = base64.b64decode(found.json()["content_b64"])
    signature = base64.b64decode(found.json()["signature_b64"])
    # The same signed bytes under another number: the signature holds, the issue does not.
    other = permit[:-1] + ("2" if permit[-1] != "2" else "3")
    moved = render_pdf(
        SealedDocument(other, content, signature), check_url("http://testserver", other)
    )
    page = _upload(portal, moved)
    assert "not_issued_here" in page
    assert "verdict-good" not in page
