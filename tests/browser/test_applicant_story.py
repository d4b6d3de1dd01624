"""The applicant's whole story through the pages, as a person goes through it.

Sign in with NCALayer (the real `kepil ncalayer` stand-in holding the applicant's AUTH and SIGN
key files), file the application with its documents, follow the case while the Ministry's
officials act through the API, receive the permit, download the signed document, and find the
permit in the state registry and on /check. In Kazakh and Russian, standard and for the
visually impaired, once with the keyboard alone through the form; axe-core on every page the
walk loads, and a screenshot of each step under tests/browser/artifacts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import BrowserContext, FileChooser, Page, expect
from tests.browser.ncalayer import StandIn
from tests.browser.pages import Tour, axe, page_language, page_version, screenshot
from tests.browser.server import KepilServer, document_content, grant_permit
from tests.browser.story import is_focused, pdf, png, tab_to, words
from tests.support.pki import Person
from tests.support.web import sign_in_on_pages

from kepil.adapters.pdf.reading import read_parts
from kepil.adapters.pdf.render import SealedDocument, render_pdf
from kepil.domain.permits import PermitRole


@dataclass(frozen=True)
class Filing:
    """What the person types and attaches; the platform's name is this run's own."""

    platform: str
    contract: Path
    letter: Path
    contract_valid_until: str
    address: str = "Астана қ., Мәңгілік Ел даңғылы, 55/20"
    phone: str = "+7 701 123 45 67"
    email: str = "office@test.kz"
    purpose: str = "Астық қолхаттарын цифрлық активтер ретінде шығару және айналымы"
    postal_code: str = "010000"
    city: str = "Астана"
    street: str = "Мәңгілік Ел даңғылы"
    building: str = "55/20"


@pytest.fixture
def filing(tmp_path: Path, request: pytest.FixtureRequest) -> Filing:
    """A contract (PDF) and a guarantee letter (PNG) of this run, and the form's values."""
    run = secrets.token_hex(3)
    in_force = datetime.now(UTC).date() + timedelta(days=730)
    return Filing(
        platform=f"Story Ledger {run}",
        contract=pdf(tmp_path / "contract.pdf", f"Contracting contract {run}"),
        letter=png(tmp_path / "guarantee-letter.png", int(run, 16) % 251),
        contract_valid_until=in_force.isoformat(),
    )


def _switch(page: Page, tour: Tour, lang: str, version: str) -> None:
    """From the home page, choose the language and the version by clicking, as a person does."""
    if lang != page_language(page):
        page.locator(f'nav.switches a[hreflang="{lang}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        tour.step("language", check_preferences=False)
    if version != page_version(page):
        page.locator("nav.switches li:last-child a").click()
        expect(page.locator("body")).to_have_class(version)
        tour.step("version")


def _fill_with_mouse(page: Page, filing: Filing) -> None:
    page.locator("#address").fill(filing.address)
    page.locator("#phone").fill(filing.phone)
    page.locator("#email").fill(filing.email)
    page.locator("#platform_name").fill(filing.platform)
    page.locator("#purpose").fill(filing.purpose)
    page.locator("#addresses-0-postal_code").fill(filing.postal_code)
    page.locator("#addresses-0-city").fill(filing.city)
    page.locator("#addresses-0-street").fill(filing.street)
    page.locator("#addresses-0-building").fill(filing.building)
    page.locator("#attachments-0-kind").select_option("contracting_contract")
    page.locator("#attachments-0-file").set_input_files(filing.contract)
    page.locator("#attachments-0-valid_until").fill(filing.contract_valid_until)
    expect(page.locator("#attachments-1-kind")).to_have_value("guarantee_letter")
    page.locator("#attachments-1-file").set_input_files(filing.letter)
    for consent in page.locator("input[type=checkbox]").all():
        consent.check()
    page.locator("button[data-sign]").click()


def _type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, page.locator(selector))
    page.keyboard.type(text)


def _choose_file_with_keyboard(page: Page, selector: str) -> None:
    tab_to(page, page.locator(selector))
    # Space opens the system's file dialog; the page's file chooser handler answers it.
    page.keyboard.press("Space")
    page.wait_for_function("s => document.querySelector(s).files.length === 1", arg=selector)


def _answer_file_dialogs(page: Page, files: dict[str, Path]) -> None:
    """Answer the file dialog of each file input (by id) with its file, as the person would.

    A listener kept for the whole form, rather than expect_file_chooser around each press:
    Playwright turns the interception on when a listener is added, and the press must not
    race that switch (on a busy machine it did: the dialog opened unseen).
    """

    def choose(chooser: FileChooser) -> None:
        chooser.set_files(files[str(chooser.element.get_attribute("id"))])

    page.on("filechooser", choose)


def _fill_with_keyboard(page: Page, filing: Filing) -> None:
    """Tab, typing, Space, arrows and Enter only; each control reached shows its focus."""
    _answer_file_dialogs(
        page, {"attachments-0-file": filing.contract, "attachments-1-file": filing.letter}
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    expect(page.locator("main")).to_be_focused()
    # The certificate filled in who applies: the legal entity, its name and BIN.
    tab_to(page, page.locator("input[name=applicant_kind]:checked"))
    for selector, text in (
        ("#address", filing.address),
        ("#phone", filing.phone),
        ("#email", filing.email),
        ("#platform_name", filing.platform),
        ("#purpose", filing.purpose),
        ("#addresses-0-postal_code", filing.postal_code),
        ("#addresses-0-city", filing.city),
        ("#addresses-0-street", filing.street),
        ("#addresses-0-building", filing.building),
    ):
        _type_into(page, selector, text)
    kind = page.locator("#attachments-0-kind")
    tab_to(page, kind)
    for _ in range(12):  # the contracting contract is among the first backing documents
        if kind.input_value() == "contracting_contract":
            break
        page.keyboard.press("ArrowDown")
    expect(kind).to_have_value("contracting_contract")
    _choose_file_with_keyboard(page, "#attachments-0-file")
    tab_to(page, page.locator("#attachments-0-valid_until"))
    year, month, day = filing.contract_valid_until.split("-")
    page.keyboard.type(f"{month}{day}{year}")  # Chromium's en-US date field: mm/dd/yyyy
    expect(page.locator("#attachments-0-valid_until")).to_have_value(filing.contract_valid_until)
    _choose_file_with_keyboard(page, "#attachments-1-file")
    for consent in page.locator("input[type=checkbox]").all():
        tab_to(page, consent)
        page.keyboard.press("Space")
        expect(consent).to_be_checked()
    sign = page.locator("button[data-sign]")
    tab_to(page, sign)
    assert is_focused(sign)
    page.keyboard.press("Enter")


STORIES = [
    pytest.param("kk", "standard", False, id="kk-standard"),
    pytest.param("ru", "standard", True, id="ru-standard-keyboard"),
    pytest.param("kk", "accessible", False, id="kk-accessible"),
    pytest.param("ru", "accessible", True, id="ru-accessible-keyboard"),
]


@pytest.mark.parametrize(("lang", "version", "keyboard"), STORIES)
def test_the_applicant_signs_in_files_follows_the_case_and_finds_the_permit(
    page: Page,
    server: KepilServer,
    officials: dict[PermitRole, Person],
    applicant: Person,
    ncalayer: StandIn,
    filing: Filing,
    lang: str,
    version: str,
    keyboard: bool,
) -> None:
    tour = Tour(
        page, f"story-{lang}-{version}-{'keyboard' if keyboard else 'mouse'}", lang, version
    )
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")  # the state language first
    tour.step("home", check_preferences=False)
    _switch(page, tour, lang, version)
    _sign_in(page, tour, applicant, ncalayer)
    number = _file(page, tour, filing, ncalayer, keyboard=keyboard)
    # The Ministry acts through the API; the person reloads and sees where the case stands.
    permit = grant_permit(server, officials, number)
    _follow(page, tour, permit)
    _open_the_permit(page, tour, filing, permit, document_content(server, applicant, permit))
    _find_the_permit(page, tour, filing, permit)
    tour.done()


def _sign_in(page: Page, tour: Tour, applicant: Person, ncalayer: StandIn) -> None:
    """NCALayer's stand-in signs the challenge with the key the page's filter lets by."""
    page.locator('.person a[href="/login"]').click()
    expect(page).to_have_url(re.compile(r"/login"))
    tour.step("sign-in")
    page.locator("#sign-in button[type=submit]").click()
    expect(page).to_have_url("/cabinet")
    expect(page.locator(".signed-in")).to_contain_text(applicant.name)
    # Sign out is a link to the eye in both versions, not a block that looks chosen.
    expect(page.locator(".person button.link")).to_have_css("background-color", "rgba(0, 0, 0, 0)")
    tour.step("cabinet")
    assert "AUTH_applicant.p12" in ncalayer.log().splitlines()[-1]


def _file(page: Page, tour: Tour, filing: Filing, ncalayer: StandIn, *, keyboard: bool) -> str:
    """The page hashes the files, the stand-in signs with the SIGN key, the case opens."""
    page.locator('main a.action[href="/cabinet/applications/new"]').click()
    expect(page).to_have_url("/cabinet/applications/new")
    expect(page.locator("#iin_or_bin")).not_to_have_value("")  # from the certificate
    tour.step("filing-form")
    if keyboard:
        _fill_with_keyboard(page, filing)
    else:
        _fill_with_mouse(page, filing)
    expect(page).to_have_url(re.compile(r"/cabinet/applications/(?!new\b)[^/#?]+$"))
    number = page.url.rsplit("/", 1)[1]
    assert "SIGN_applicant.p12" in ncalayer.log().splitlines()[-1]
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator(".case-status")).to_have_text(words(tour.lang)("Accepted"))
    attachments = page.locator("table.attachments")
    expect(attachments).to_contain_text(filing.contract.name)
    expect(attachments).to_contain_text(filing.letter.name)
    tour.step("filed")
    return number


def _follow(page: Page, tour: Tour, permit: str) -> None:
    """The case page, reloaded, shows the new status, the timeline and the permit."""
    _ = words(tour.lang)
    page.reload()
    expect(page.locator(".case-status")).to_have_text(_("Permit issued"))
    timeline = page.locator("ol.timeline")
    for event in (
        "Application accepted",
        "Application registered",
        "Documents found complete; review started",
        "Permit issued",
    ):
        expect(timeline).to_contain_text(_(event))
    expect(page.locator(f'a[href="/cabinet/documents/{permit}"]')).to_contain_text(permit)
    tour.step("permit-issued")


def _open_the_permit(page: Page, tour: Tour, filing: Filing, permit: str, signed: bytes) -> None:
    """The permit's page in the person's language, and the signed bytes the API gives too."""
    page.locator(f'a[href="/cabinet/documents/{permit}"]').click()
    expect(page).to_have_url(f"/cabinet/documents/{permit}")
    expect(page.locator("h1 .number")).to_have_text(permit)
    expect(page.locator("h1 .number")).to_have_css("white-space", "nowrap")  # read as one word
    expect(page.locator("main")).to_contain_text(filing.platform)
    tour.step("document")
    with page.expect_download() as download:
        page.locator(f'a[href="/cabinet/documents/{permit}/content"]').click()
    assert Path(download.value.path()).read_bytes() == signed


def _find_the_permit(page: Page, tour: Tour, filing: Filing, permit: str) -> None:
    """Anyone finds it: the registry by the platform's name, /check by the permit number."""
    page.locator('.main-nav a[href="/registry"]').click()
    expect(page).to_have_url("/registry")
    tour.step("registry")
    page.locator("#q").fill(filing.platform)
    page.locator("main form button[type=submit]").click()
    found = page.locator("main table tbody tr", has_text=filing.platform)
    expect(found).to_have_count(1)
    tour.step("registry-found")
    found.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/registry/[^/?]+$"))
    expect(page.locator("main")).to_contain_text(permit)
    tour.step("registry-entry")
    page.goto("/check")
    tour.step("check")
    page.locator("#number").fill(permit)
    page.locator("main form[method=get] button[type=submit]").click()
    verdict = words(tour.lang)("Genuine and in force: permit %(number)s is in the state registry.")
    expect(page.locator(".verdict-good")).to_have_text(verdict % {"number": permit})
    tour.step("check-answer")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_permit_pdf_from_the_cabinet_checks_on_the_check_page_and_a_changed_copy_is_refused(
    context: BrowserContext,
    server: KepilServer,
    applicant: Person,
    registry_number: str,
    tmp_path: Path,
    lang: str,
) -> None:
    """Issue 20 items 9-10: the holder downloads the permit's PDF, anyone uploads it to /check
    and reads "valid"; a copy whose attached document differs by one byte is refused, saying
    why. axe-core on both answers, screenshots kept."""
    _ = words(lang)
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        permit = client.get(f"/api/v1/registry/{registry_number}").json()["permit_number"]
    _signed_in(context, server, applicant)
    page = context.new_page()
    page.goto(f"/cabinet/documents/{permit}?lang={lang}")
    with page.expect_download() as download:
        page.locator(f'a[href="/cabinet/documents/{permit}/document.pdf"]').click()
    held = Path(download.value.path())
    assert held.read_bytes().startswith(b"%PDF-")

    page.goto(f"/check?lang={lang}")
    page.locator("#pdf").set_input_files(str(held))
    page.locator("main form[method=post] button[type=submit]").click()
    good = _(
        "The file is intact: the signature holds and the pages show the signed document %(number)s."
    )
    expect(page.locator(".verdict-good").first).to_have_text(good % {"number": permit})
    expect(page.locator("code.hash").first).to_have_text(
        hashlib.sha256(read_parts(held.read_bytes()).content).hexdigest()
    )
    axe(page)
    screenshot(page, "check-pdf-valid")

    # One byte of the attached document changed, the rest drawn from it as kepil would.
    parts = read_parts(held.read_bytes())
    changed = parts.content.replace(b'"platform_name":"K', b'"platform_name":"X', 1)
    assert changed != parts.content
    forged = tmp_path / f"{permit}.pdf"
    forged.write_bytes(
        render_pdf(
            SealedDocument(parts.number, changed, parts.signature),
            str(parts.parameters["check_url"]),
        )
    )
    page.locator("#pdf").set_input_files(str(forged))
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".verdict-bad").first).to_have_text(
        _("The file is refused: it is not the document as signed.")
    )
    expect(page.locator("main")).to_contain_text(
        _("The signature does not hold for the attached document.")
    )
    expect(page.locator("main")).to_contain_text("not_issued_here")
    expect(page.locator("#answer-heading")).to_have_text(
        _("What this service issued under the number the file names")
    )
    axe(page)
    screenshot(page, "check-pdf-refused")


def _signed_in(context: BrowserContext, server: KepilServer, person: Person) -> None:
    # Signed in over HTTP as the login page does it; the browser takes the session's cookies.
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        sign_in_on_pages(client, person.auth, datetime.now(UTC))  # type: ignore[arg-type]
        found = {cookie.name: cookie.value for cookie in client.cookies.jar}
    cookies = [
        {"name": name, "value": value, "url": server.base_url} for name, value in found.items()
    ]
    context.add_cookies(cookies)  # type: ignore[arg-type]
