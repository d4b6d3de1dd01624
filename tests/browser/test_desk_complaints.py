"""A complaint on the officials' pages in the browser: the clerk registers it in Kazakh, the
examiner sends it with the case file in Russian and the version for the visually impaired, each
signed in and signing through the NCALayer stand-in holding their own keys, each in a browser of
their own; axe-core on every page."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.ncalayer import NCALayerPort, write_p12
from tests.browser.pages import Tour
from tests.browser.server import KepilServer
from tests.browser.story import sign_in_with_ncalayer, words
from tests.integration.permits.portal import Portal, form_json
from tests.support.pki import Person, b64

from kepil.adapters.clock import SystemClock
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.entrypoints.web import desk_complaint_words as desk_words


def _complaint(server: KepilServer, applicant: Person) -> str:
    """An application of ТОО «Тест» and its director's signed complaint, over HTTP."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        portal = Portal(client, SystemClock(), applicant, {})
        portal.login(applicant)
        form = form_json()
        in_force = datetime.now(UTC).date() + timedelta(days=730)
        form["attachments"][0]["valid_until"] = in_force.isoformat()
        # The session's server is shared: a key of this test's own, never another test's.
        submitted = portal.submit(form=form, key=f"desk-complaint-{secrets.token_hex(6)}")
        assert submitted.status_code == 201, submitted.text
        text = {
            "application_number": submitted.json()["number"],
            "subject": "inaction",
            "filed_with": "provider",
            "target": "Өтініш тіркелмеді",
            "text": "Өтінішімді белгіленген мерзімде тіркеуді сұраймын.",
        }
        cms = portal.sign(applicant, canonical_bytes(text))
        filed = client.post("/api/v1/complaints", json={"cms": b64(cms)}, headers=applicant.headers)
        assert filed.status_code == 201, filed.text
        return str(filed.json()["number"])


def _official_page(browser: Browser, server: KepilServer) -> Page:
    context = browser.new_context(
        base_url=server.base_url, ignore_https_errors=True, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def _keys(official: Person, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return (
        write_p12(official.auth, folder / f"AUTH_{official.iin}.p12"),
        write_p12(official.sign, folder / f"SIGN_{official.iin}.p12"),
    )


def _take_step(page: Page, tour: Tour, number: str, step: str, lang: str) -> None:
    """From the complaint's page: the step's link, its act, NCALayer's signature, the result."""
    said = words(lang)
    page.goto(f"/desk/complaints/{number}?lang={lang}")
    tour.step(f"complaint-before-{step}")
    page.get_by_role("link", name=said(desk_words.STEP_NAMES[step])).click()
    expect(page.locator("h1")).to_have_text(said(desk_words.STEP_NAMES[step]))
    tour.step(step)
    page.get_by_role("button", name=said(desk_words.STEP_BUTTONS[step])).click()
    page.wait_for_url(f"**/desk/complaints/{number}?done={step}")
    expect(page.locator("p.notice[role=status]")).to_be_visible()
    tour.step(f"{step}-done")


@pytest.mark.usefixtures("officials")
def test_the_office_registers_and_the_examiner_forwards_a_complaint_in_their_browsers(
    browser: Browser,
    server: KepilServer,
    officials: dict[PermitRole, Person],
    applicant: Person,
    ncalayer_port: NCALayerPort,
    tmp_path: Path,
) -> None:
    number = _complaint(server, applicant)
    clerk, examiner = officials[PermitRole.CLERK], officials[PermitRole.EXAMINER]

    ncalayer_port.offer(_keys(clerk, tmp_path / "clerk"))
    at_the_office = _official_page(browser, server)
    sign_in_with_ncalayer(at_the_office, "kk")
    office_tour = Tour(at_the_office, "desk-complaint-clerk", "kk", "standard")
    _take_step(at_the_office, office_tour, number, "register", "kk")
    expect(at_the_office.locator("main")).to_contain_text(clerk.name)

    ncalayer_port.offer(_keys(examiner, tmp_path / "examiner"))
    at_the_desk = _official_page(browser, server)
    sign_in_with_ncalayer(at_the_desk, "ru", "accessible")
    examiner_tour = Tour(at_the_desk, "desk-complaint-examiner", "ru", "accessible")
    _take_step(at_the_desk, examiner_tour, number, "forward", "ru")
    said = words("ru")
    expect(at_the_desk.locator("main")).to_contain_text(
        said("Sent to the body reviewing the complaint")
    )
    expect(at_the_desk.locator("main")).to_contain_text(examiner.name)

    # Asked for a step afterwards, the office is told the status it cannot be taken in.
    at_the_office.goto(f"/desk/complaints/{number}/actions/forward?lang=kk")
    office_tour.step("forward-after-examiner")
    expect(at_the_office.locator("main")).to_contain_text(
        words("kk")("Sent to the body reviewing the complaint")
    )
    office_tour.done()
    examiner_tour.done()
