"""What the sign-in page says when NCALayer cannot give the service a sign-in signature: it is
not running, the person cancelled (or had no authentication key to choose), or the key chosen
is a signing key. Each in words of the page's language, kept in the page, checked with axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.ncalayer import NCALayerPort, signing_key_posing_as_auth, write_p12
from tests.browser.pages import axe, screenshot
from tests.browser.story import words
from tests.support.pki import Person

NOT_RUNNING = (
    "NCALayer is not running on this computer. Start NCALayer (after installation it is in the "
    "notification area), wait until it is ready and press the button again. If it is not "
    "installed, download it from pki.gov.kz."
)
CANCELLED = (
    "NCALayer returned no signature: the signing was cancelled, or the chosen storage holds no "
    "key that signs in. Press the button again and choose your GOST 2015 key (an NCA kit since "
    "2022) or, in an older kit, the key whose file name begins with AUTH."
)
NOT_AN_AUTHENTICATION_KEY = (
    "This key is for signing documents, not for signing in. In NCALayer choose your GOST "
    "2015 key (an NCA kit since 2022 signs and signs in with one key) or, in an older kit, "
    "the authentication key whose file name begins with AUTH."
)
LANGUAGES = ("kk", "ru")


@pytest.fixture(scope="module")
def posing_key(applicant: Person, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The applicant's signing key, its certificate also claiming clientAuth."""
    key = signing_key_posing_as_auth(applicant.sign)
    return write_p12(key, tmp_path_factory.mktemp("posing") / "AUTH_not_really.p12")


def _press_sign_in(page: Page, lang: str) -> None:
    page.goto(f"/login?lang={lang}")
    page.locator("#sign-in button[type=submit]").click()


def _says_in_the_status(page: Page, lang: str, message: str, name: str) -> None:
    status = page.locator("#sign-in-status")
    expect(status).to_have_text(words(lang)(message))
    expect(status).to_have_class("error")
    # The button is given back, with the focus, for the next try.
    expect(page.locator("#sign-in button[type=submit]")).to_be_focused()
    expect(page).to_have_url(f"/login?lang={lang}")
    screenshot(page, name)
    axe(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_says_so_when_ncalayer_is_not_running(
    page: Page, ncalayer_port: NCALayerPort, lang: str
) -> None:
    ncalayer_port.close()
    _press_sign_in(page, lang)
    _says_in_the_status(page, lang, NOT_RUNNING, "sign-in-ncalayer-not-running")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_says_so_when_the_person_cancels_in_ncalayer(
    page: Page, ncalayer_port: NCALayerPort, applicant_keys: tuple[Path, Path], lang: str
) -> None:
    stand_in = ncalayer_port.offer(applicant_keys, choose="cancel")
    _press_sign_in(page, lang)
    _says_in_the_status(page, lang, CANCELLED, "sign-in-cancelled")
    assert "pressed Cancel" in stand_in.log()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_with_only_the_signing_key_the_service_refuses_it_and_the_page_says_choose_auth(
    page: Page, ncalayer_port: NCALayerPort, applicant_keys: tuple[Path, Path], lang: str
) -> None:
    # The sign-in page asks with no EKU filter (NCA GOST 2015 keys carry no clientAuth), so
    # NCALayer signs with the one key there is and the service refuses it by its kind.
    ncalayer_port.offer(applicant_keys[1:])
    _press_sign_in(page, lang)
    refusal = page.locator("main p.error[role=alert]")
    expect(refusal).to_have_text(words(lang)(NOT_AN_AUTHENTICATION_KEY))
    assert "kepil_session" not in {cookie["name"] for cookie in page.context.cookies()}
    screenshot(page, "sign-in-no-auth-key")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_signing_key_that_passes_the_filter_is_refused_by_the_service_in_words(
    page: Page, ncalayer_port: NCALayerPort, posing_key: Path, lang: str
) -> None:
    stand_in = ncalayer_port.offer((posing_key,))
    _press_sign_in(page, lang)
    refusal = page.locator("main p.error[role=alert]")
    expect(refusal).to_have_text(words(lang)(NOT_AN_AUTHENTICATION_KEY))
    assert "chose AUTH_not_really.p12" in stand_in.log()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator('.person a[href="/login"]')).to_be_visible()  # still signed out
    assert "kepil_session" not in {cookie["name"] for cookie in page.context.cookies()}
    screenshot(page, "sign-in-signing-key-refused")
    axe(page)
