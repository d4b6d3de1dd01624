"""The officials' workspace in Chromium: the queue and a case page, in Kazakh and Russian, standard
and for the visually impaired, pass axe-core (WCAG 2.1 AA); an attached PDF opens in the browser.

The official's session is made over HTTP as the sign-in page makes it (a challenge signed with
the AUTH key); the browser then carries its cookie, so these tests look at the pages only.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from playwright.sync_api import Page, expect
from tests.browser.pages import axe, page_language, page_version, screenshot
from tests.browser.server import KepilServer
from tests.integration.permits.portal import Portal, form_json
from tests.support.pki import Person, applicant_director, sign_bytes
from tests.support.web import csrf

from kepil.adapters.clock import SystemClock
from kepil.domain.permits import PermitRole

LANGUAGES = ["kk", "ru"]
VERSIONS = ["standard", "accessible"]


@pytest.fixture(scope="module")
def case_number(server: KepilServer, officials: dict[PermitRole, Person]) -> str:
    """An application filed over HTTP and registered by the clerk: the examiner's to check."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        portal = Portal(client, SystemClock(), applicant_director(), officials)
        for someone in (portal.applicant, *officials.values()):
            portal.login(someone)
        form = form_json()
        in_force = datetime.now(UTC).date() + timedelta(days=730)
        form["attachments"][0]["valid_until"] = in_force.isoformat()
        # A key of its own: the session's server outlives every Portal, whose keys start at 1.
        submitted = portal.submit(form=form, key=f"desk-pages-{secrets.token_hex(8)}")
        assert submitted.status_code == 201, submitted.text
        number = str(submitted.json()["number"])
        assert portal.decide(PermitRole.CLERK, number, "register").status_code == 200
    return number


def _session(server: KepilServer, official: Person) -> str:
    """A page session of the official, signed in as the sign-in page does it."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        token = csrf(client.get("/login").text)
        challenge = client.post("/login/challenge", headers={"X-CSRF-Token": token}).json()
        data = base64.b64decode(challenge["data_b64"])
        cms = sign_bytes(official.auth, data, datetime.now(UTC) - timedelta(seconds=1))
        answer = client.post(
            "/login",
            data={"cms": base64.b64encode(cms).decode(), "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return str(answer.cookies["kepil_session"])


def _sign_in(page: Page, server: KepilServer, official: Person) -> None:
    page.context.add_cookies(
        [{"name": "kepil_session", "value": _session(server, official), "url": server.base_url}]
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_queue_and_the_case_page_pass_axe_in_each_language_and_version(
    page: Page,
    server: KepilServer,
    officials: dict[PermitRole, Person],
    case_number: str,
    lang: str,
    version: str,
) -> None:
    _sign_in(page, server, officials[PermitRole.EXAMINER])
    for name, address, shows in (
        ("desk", "/desk", f'table.queue a[href="/desk/applications/{case_number}"]'),
        ("desk-case", f"/desk/applications/{case_number}", 'a[href$="/actions/start_review"]'),
    ):
        response = page.goto(f"{address}?lang={lang}&version={version}")
        assert response is not None
        assert response.status == 200
        screenshot(page, name)
        assert page_language(page) == lang
        assert page_version(page) == version
        expect(page.locator("main").locator(shows).first).to_be_visible()
        axe(page)


def test_the_head_sees_a_case_without_an_action_of_theirs_said_in_words(
    page: Page, server: KepilServer, officials: dict[PermitRole, Person], case_number: str
) -> None:
    _sign_in(page, server, officials[PermitRole.HEAD])
    page.goto(f"/desk/applications/{case_number}?lang=ru")
    expect(page.locator('a[href$="/actions/refuse_further_consideration"]')).to_be_visible()
    expect(page.locator('a[href$="/actions/start_review"]')).to_have_count(0)
    axe(page)


def test_an_attached_pdf_opens_in_the_browser(
    page: Page, server: KepilServer, officials: dict[PermitRole, Person], case_number: str
) -> None:
    _sign_in(page, server, officials[PermitRole.EXAMINER])
    page.goto(f"/desk/applications/{case_number}?lang=kk")
    link = page.locator("table.attachments a", has_text="contract.pdf")
    href = link.get_attribute("href")
    assert href is not None
    assert link.get_attribute("download") is None
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["content-type"] == "application/pdf"
