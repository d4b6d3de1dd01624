"""Issue 20 items 7-10 for the signed acts held without a number, on each database: the §8
notice as a PDF from the cabinet and the desk, checked by the SHA-256 of its signed bytes on
/check (its QR code's address) and by upload; a changed copy is refused with its reason."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.permits.portal import OFFICIALS, Portal, form_json
from tests.integration.web.cabinet_portal import (
    CLERK,
    EXAMINER,
    HEARING_AT,
    notify_hearing,
    open_portal,
    portal_people,
)
from tests.integration.web.test_desk_complaint_pages import file_complaint, on_pages, take_step
from tests.support.clock import MovableClock
from tests.support.identities import MINISTRY_BIN
from tests.support.pki import Person, b64, ministry_official, person, trust_dir
from tests.support.web import sign_in_on_pages
from typer.testing import CliRunner

from kepil.adapters.pdf.check import Expectations, check_pdf
from kepil.adapters.pdf.reading import read_parts
from kepil.adapters.pdf.render import SealedDocument, act_check_url, render_pdf
from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.canonical import canonical_bytes
from kepil.entrypoints.api.app import create_app
from kepil.entrypoints.cli.main import app
from kepil.services.permits.officials import GrantRole
from kepil.services.permits.views.acts import act_name
from kepil.signing.dev_ca import Profile
from kepil.signing.trust import TrustStore

BASE = "http://testserver"


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        yield found


def _notice_link(portal: Portal, case: str) -> str:
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    page = portal.client.get(f"/cabinet/applications/{case}", params={"lang": "ru"})
    assert page.status_code == 200, page.text
    links = re.findall(
        rf'href="(/cabinet/applications/{case}/acts/[0-9a-f]{{64}}/document.pdf)"', page.text
    )
    assert len(links) == 1, page.text
    assert "Уведомление о предварительном решении и заслушивании" in page.text
    return links[0]


def _upload(portal: Portal, pdf: bytes, status: int = 200) -> str:
    answer = portal.client.post(
        "/check", params={"lang": "ru"}, files={"pdf": ("notice.pdf", pdf, "application/pdf")}
    )
    assert answer.status_code == status, answer.text
    return re.sub(r"\s+", " ", answer.text)


def test_item_10_the_applicant_downloads_the_section_8_notice_as_a_pdf_that_checks(
    portal: Portal, tmp_path: Path
) -> None:
    case = notify_hearing(portal)
    link = _notice_link(portal, case)
    download = portal.client.get(link)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/pdf"
    parts = read_parts(download.content)
    body = json.loads(parts.content)
    assert body["action"] == "issue_preliminary_refusal"
    assert body["application_number"] == case
    digest = hashlib.sha256(parts.content).hexdigest()
    assert link.endswith(f"/acts/{digest}/document.pdf")
    assert parts.parameters["check_url"] == act_check_url(BASE, case, digest)
    assert parts.parameters["check_url"] == f"{BASE}/check?act={digest}&case={case}"
    # Same act, same bytes: a PDF can be re-made and compared, by the service and offline.
    assert portal.client.get(link).content == download.content
    (tmp_path / "act.json").write_bytes(parts.content)
    (tmp_path / "act.p7s").write_bytes(parts.signature)
    offline = tmp_path / "act.pdf"
    made = CliRunner().invoke(
        app,
        ["doc", "render", str(tmp_path / "act.json"), str(tmp_path / "act.p7s"), str(offline),
         "--base-url", BASE],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert offline.read_bytes() == download.content
    store = TrustStore.from_directory(tmp_path / "trust")
    expect = Expectations(MINISTRY_BIN, (BASE,))
    verdict = check_pdf(download.content, store, portal.clock.now(), expect)
    assert verdict.valid, verdict.to_json()
    assert verdict.case == case


def test_item_10_the_desk_serves_the_officials_the_same_notice_pdf(portal: Portal) -> None:
    case = notify_hearing(portal)
    held = portal.client.get(_notice_link(portal, case)).content
    examiner = portal.officials[EXAMINER]
    portal.client.cookies.clear()
    sign_in_on_pages(portal.client, examiner.auth, portal.clock.now())
    page = portal.client.get(f"/desk/applications/{case}", params={"lang": "kk"})
    assert page.status_code == 200, page.text
    link = re.search(
        rf'href="(/desk/applications/{case}/acts/[0-9a-f]{{64}}/document.pdf)"', page.text
    )
    assert link is not None, page.text
    assert portal.client.get(link.group(1)).content == held


def test_item_10_no_one_else_gets_the_notice_and_an_unknown_digest_is_not_found(
    portal: Portal,
) -> None:
    case = notify_hearing(portal)
    link = _notice_link(portal, case)
    unknown = link.replace(link.split("/")[-2], "0" * 64)
    assert portal.client.get(unknown).status_code == 404
    desk = link.replace("/cabinet/", "/desk/")
    # Another applicant, and an official with no duties: neither the cabinet nor the desk.
    for someone in (
        person(Profile.INDIVIDUAL, "900505300123", "ЧУЖОЙ ЧЕЛОВЕК"),
        ministry_official("870101300111", "БЕЗДОЛЖНОСТНЫЙ"),
    ):
        on_pages_as(portal, someone)
        assert portal.client.get(link).status_code == 404, someone.iin
        assert portal.client.get(desk).status_code == 404, someone.iin
    # An official who reads the case on the desk holds no act in their own cabinet.
    on_pages_as(portal, portal.officials[EXAMINER])
    assert portal.client.get(link).status_code == 404
    assert portal.client.get(desk).status_code == 200
    portal.client.cookies.clear()
    assert portal.client.get(link).status_code in {303, 401, 404}


def test_item_9_the_check_page_finds_the_notice_by_the_sha256_of_its_signed_bytes(
    portal: Portal,
) -> None:
    case = notify_hearing(portal)
    parts = read_parts(portal.client.get(_notice_link(portal, case)).content)
    digest = hashlib.sha256(parts.content).hexdigest()
    portal.client.cookies.clear()
    found = portal.client.get("/check", params={"act": digest, "case": case, "lang": "ru"})
    assert found.status_code == 200
    text = re.sub(r"\s+", " ", found.text)
    assert "Подлинный: эта служба выдала этот подписанный акт." in text
    assert "Уведомление о предварительном решении и заслушивании" in text
    assert "Дата выдачи" in text
    assert "27 марта 2026" in text
    # Nothing of whom: not the applicant's name, IIN or platform.
    assert portal.applicant.iin not in text
    assert "Kepil Grain" not in text
    unknown = portal.client.get("/check", params={"act": "0" * 64, "case": case, "lang": "ru"})
    assert "Не найдено: эта служба не выдавала подписанного акта с таким адресом." in re.sub(
        r"\s+", " ", unknown.text
    )
    other_case = portal.client.get("/check", params={"act": digest, "case": "APP-2026-999999"})
    assert "verdict-good" not in other_case.text
    garbage = portal.client.get("/check", params={"act": "<script>", "case": case})
    assert garbage.status_code == 200
    assert "verdict-good" not in garbage.text


def test_item_9_an_uploaded_notice_pdf_checks_and_a_changed_copy_is_refused(
    portal: Portal,
) -> None:
    case = notify_hearing(portal)
    pdf = portal.client.get(_notice_link(portal, case)).content
    page = _upload(portal, pdf)
    assert "verdict-good" in page
    assert "Подлинный: эта служба выдала этот подписанный акт." in _act_section(page)
    parts = read_parts(pdf)
    body = json.loads(parts.content)
    body["place"] = "другое место"
    changed = json.dumps(body, ensure_ascii=False).encode()
    digest = hashlib.sha256(changed).hexdigest()
    forged = render_pdf(
        SealedDocument(parts.number, changed, parts.signature), act_check_url(BASE, case, digest)
    )
    refused = _upload(portal, forged)
    assert "Файл отклонён: это не документ в подписанном виде." in refused
    assert "signature_digest_mismatch" in refused
    assert "not_issued_here" in refused
    assert "verdict-good" not in refused.split("file-heading")[1].split("</section>")[0]
    assert "verdict-good" not in _act_section(refused)
    assert "Не найдено: эта служба не выдавала подписанного акта с таким адресом." in (
        _act_section(refused)
    )
    # The signed bytes are the genuine act's, the QR code sends elsewhere: the file is refused,
    # and what was issued at its address is said, but not as the file's verdict.
    elsewhere = render_pdf(
        SealedDocument(parts.number, parts.content, parts.signature),
        act_check_url("https://evil.example", case, hashlib.sha256(parts.content).hexdigest()),
    )
    misdirected = _upload(portal, elsewhere)
    assert "check_url_mismatch" in misdirected
    assert "verdict-good" not in misdirected
    answer = _act_section(misdirected)
    assert "Подлинный" not in answer
    assert "Что эта служба выдала по адресу, который назван в файле" in answer
    assert "Файл выше — не этот документ в подписанном виде." in answer
    assert "Уведомление о предварительном решении и заслушивании" in answer
    kazakh = _upload_in(portal, elsewhere, "kk")
    assert "Осы қызметтің файлда аталған мекенжай бойынша бергені" in _act_section(kazakh)
    assert "Түпнұсқа" not in _act_section(kazakh)


def _act_section(page: str) -> str:
    return page.split('id="act-heading"')[1].split("</section>", maxsplit=1)[0]


def _upload_in(portal: Portal, pdf: bytes, lang: str) -> str:
    answer = portal.client.post(
        "/check", params={"lang": lang}, files={"pdf": ("notice.pdf", pdf, "application/pdf")}
    )
    assert answer.status_code == 200, answer.text
    return re.sub(r"\s+", " ", answer.text)


def test_item_9_a_signed_notice_the_service_never_issued_is_refused_as_not_issued_here(
    portal: Portal,
) -> None:
    case = notify_hearing(portal)
    pdf = portal.client.get(_notice_link(portal, case)).content
    parts = read_parts(pdf)
    examiner = portal.officials[EXAMINER]
    body = {**json.loads(parts.content), "place": "кабинет 101"}
    content = json.dumps(body, ensure_ascii=False).encode()
    # Genuinely signed by the examiner, but never sent to the service: not one of its acts.
    cms = portal.sign(examiner, content)
    digest = hashlib.sha256(content).hexdigest()
    never = render_pdf(
        SealedDocument(act_name(case, digest), content, cms), act_check_url(BASE, case, digest)
    )
    refused = _upload(portal, never)
    assert [code for code in re.findall(r"<code>(\w+)</code>", refused)] == ["not_issued_here"]
    assert "verdict-good" not in refused


def test_a_notice_planted_in_an_applicants_own_signed_form_is_no_act_anywhere(
    portal: Portal,
) -> None:
    first = portal.submit()
    assert first.status_code == 201, first.text
    serial = int(first.json()["number"].rsplit("-", 1)[1])
    case = f"APP-2026-{serial + 1:06d}"
    # The applicant signs a form that also says it is the §8 notice of the case it will open.
    forged = {
        **form_json(),
        "action": "issue_preliminary_refusal",
        "application_number": case,
        "grounds": [2],
        "motivation": "ОТКАЗ ОТМЕНЁН, РАЗРЕШЕНИЕ БУДЕТ ВЫДАНО",
        "hearing_at": HEARING_AT,
        "place": "не требуется",
    }
    created = portal.submit(forged)
    assert created.status_code == 201, created.text
    assert created.json()["number"] == case
    content = canonical_bytes(forged)
    digest = hashlib.sha256(content).hexdigest()
    on_pages_as(portal, portal.applicant)
    page = portal.client.get(f"/cabinet/applications/{case}", params={"lang": "ru"})
    assert page.status_code == 200
    assert "/document.pdf" not in page.text
    assert (
        portal.client.get(f"/cabinet/applications/{case}/acts/{digest}/document.pdf").status_code
        == 404
    )
    on_pages_as(portal, portal.officials[EXAMINER])
    desk = portal.client.get(f"/desk/applications/{case}", params={"lang": "ru"})
    assert desk.status_code == 200
    assert not re.search(r"/acts/[0-9a-f]{64}/document.pdf", desk.text)
    portal.client.cookies.clear()
    public = portal.client.get("/check", params={"act": digest, "case": case, "lang": "ru"})
    assert "verdict-good" not in public.text
    assert "Не найдено: эта служба не выдавала подписанного акта с таким адресом." in re.sub(
        r"\s+", " ", public.text
    )
    assert (
        portal.client.get(f"/api/v1/acts/{digest}/check", params={"case": case}).status_code == 404
    )
    cms = portal.sign(portal.applicant, content)
    drawn = render_pdf(
        SealedDocument(act_name(case, digest), content, cms), act_check_url(BASE, case, digest)
    )
    refused = _upload(portal, drawn)
    assert "not_issued_here" in refused
    assert "verdict-good" not in refused


@pytest.fixture
def december(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    # Monday 7 December 2026, office hours: a complaint is registered and decided the same day.
    clock = MovableClock("2026-12-07T10:00")
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "главный эксперт", "test"))
    with TestClient(create_app(container), follow_redirects=False) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        found = Portal(client, clock, people["applicant"], officials)
        for someone in (found.applicant, *officials.values()):
            found.login(someone)
        yield found


def test_item_10_the_complainant_downloads_the_decision_on_the_complaint_and_it_checks(
    december: Portal, tmp_path: Path
) -> None:
    portal = december
    _, complaint = file_complaint(portal)
    assert take_step(portal, on_pages(portal, CLERK), complaint, "register").status_code == 200
    decision = "Заявление зарегистрировано 7 декабря 2026 года."
    done = take_step(portal, on_pages(portal, EXAMINER), complaint, "satisfy", decision)
    assert done.status_code == 200, done.text
    desk = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    desk_links = re.findall(
        rf'href="(/desk/complaints/{complaint}/acts/[0-9a-f]{{64}}/document.pdf)"', desk.text
    )
    assert len(desk_links) == 1, "the registration is a step, not a decision"
    held_by_desk = portal.client.get(desk_links[0]).content

    on_pages_as(portal, portal.applicant)
    page = portal.client.get(f"/cabinet/complaints/{complaint}", params={"lang": "kk"})
    links = re.findall(
        rf'href="(/cabinet/complaints/{complaint}/acts/[0-9a-f]{{64}}/document.pdf)"', page.text
    )
    assert len(links) == 1, page.text
    assert "Шағымды қанағаттандыру туралы шешім" in page.text
    pdf = portal.client.get(links[0]).content
    assert pdf == held_by_desk
    parts = read_parts(pdf)
    body = json.loads(parts.content)
    assert (body["complaint_number"], body["action"]) == (complaint, "satisfy")
    digest = hashlib.sha256(parts.content).hexdigest()
    assert parts.parameters["check_url"] == act_check_url(BASE, complaint, digest)
    verdict = check_pdf(
        pdf,
        TrustStore.from_directory(tmp_path / "trust"),
        portal.clock.now(),
        Expectations(MINISTRY_BIN, (BASE,)),
    )
    assert verdict.valid, verdict.to_json()
    portal.client.cookies.clear()
    answer = portal.client.get("/check", params={"act": digest, "case": complaint, "lang": "kk"})
    assert "Шағымды қанағаттандыру туралы шешім" in answer.text
    assert "verdict-good" in answer.text
    assert "verdict-good" in _upload(portal, pdf)


def test_item_10_a_decision_that_also_names_the_application_is_offered_by_its_complaint(
    december: Portal,
) -> None:
    portal = december
    application, complaint = file_complaint(portal)
    for role, body in (
        (CLERK, {"action": "register", "complaint_number": complaint}),
        (
            EXAMINER,
            {
                "action": "satisfy",
                "complaint_number": complaint,
                "application_number": application,
                "decision": "Жалоба удовлетворена.",
            },
        ),
    ):
        official = portal.officials[role]
        cms = portal.sign(official, canonical_bytes(body))
        done = portal.client.post(
            f"/api/v1/complaints/{complaint}/decisions",
            json={"cms": b64(cms)},
            headers=official.headers,
        )
        assert done.status_code == 200, done.text
    on_pages_as(portal, portal.applicant)
    page = portal.client.get(f"/cabinet/complaints/{complaint}", params={"lang": "ru"})
    links = re.findall(
        rf'href="(/cabinet/complaints/{complaint}/acts/[0-9a-f]{{64}}/document.pdf)"', page.text
    )
    assert len(links) == 1, page.text
    pdf = portal.client.get(links[0]).content
    digest = hashlib.sha256(read_parts(pdf).content).hexdigest()
    portal.client.cookies.clear()
    found = portal.client.get(f"/api/v1/acts/{digest}/check", params={"case": complaint})
    assert found.status_code == 200, found.text
    assert found.json()["kind"] == "satisfy"
    assert "verdict-good" in _upload(portal, pdf)


def on_pages_as(portal: Portal, someone: Person) -> None:
    """Someone signed in on the pages in place of whoever was."""
    portal.client.cookies.delete("kepil_session")
    sign_in_on_pages(portal.client, someone.auth, portal.clock.now())


def test_item_9_the_public_json_check_answers_an_act_by_its_case_and_digest(
    portal: Portal,
) -> None:
    case = notify_hearing(portal)
    parts = read_parts(portal.client.get(_notice_link(portal, case)).content)
    digest = hashlib.sha256(parts.content).hexdigest()
    portal.client.cookies.clear()
    found = portal.client.get(f"/api/v1/acts/{digest}/check", params={"case": case})
    assert found.status_code == 200, found.text
    answer = found.json()
    assert answer["case"] == case
    assert answer["kind"] == "issue_preliminary_refusal"
    assert answer["sha256"] == digest
    assert answer["issued_on"] == "2026-03-27"
    assert set(answer) == {"case", "kind", "issued_on", "sha256", "issued_at"}
    unknown = portal.client.get(f"/api/v1/acts/{'0' * 64}/check", params={"case": case})
    assert unknown.status_code == 404
    elsewhere = portal.client.get(
        f"/api/v1/acts/{digest}/check", params={"case": "APP-2026-999999"}
    )
    assert elsewhere.status_code == 404
    malformed = portal.client.get("/api/v1/acts/xyz/check", params={"case": case})
    assert malformed.status_code == 422
