"""Officials sign on the action pages through the NCALayer stand-in holding their own keys: the
examiner's preliminary refusal with its hearing (a problem said beside its control first, then
signed), and the head's permit read as the applicant will read it and signed over its exact
bytes. Axe-core on every page the walk loads."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Page, expect
from tests.browser.ncalayer import NCALayerPort, StandIn, write_p12
from tests.browser.pages import Tour
from tests.browser.server import KepilServer
from tests.browser.story import sign_in_with_ncalayer, words
from tests.integration.permits.portal import Portal, form_json
from tests.support.pki import Person, applicant_director

from kepil.adapters.clock import SystemClock
from kepil.domain.calendar import to_almaty
from kepil.domain.permits import PermitRole


def _keys_of(ncalayer_port: NCALayerPort, person: Person, role: str, where: Path) -> StandIn:
    """The stand-in offering the official's AUTH and SIGN key files."""
    keys = (
        write_p12(person.auth, where / f"AUTH_{role}.p12"),
        write_p12(person.sign, where / f"SIGN_{role}.p12"),
    )
    return ncalayer_port.offer(keys)


def _case(server: KepilServer, officials: dict[PermitRole, Person], upto: tuple[str, ...]) -> str:
    """An application filed and taken through the steps named, over the API, on today's clock."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        portal = Portal(client, SystemClock(), applicant_director(), officials)
        for person in (portal.applicant, *officials.values()):
            portal.login(person)
        form = form_json()
        in_force = datetime.now(UTC).date() + timedelta(days=730)
        form["attachments"][0]["valid_until"] = in_force.isoformat()
        # A key of its own: the Portal numbers its keys from 1, and the server outlives it.
        filed = portal.submit(form=form, key=f"desk-actions-{secrets.token_hex(8)}")
        assert filed.status_code == 201, filed.text
        number = str(filed.json()["number"])
        roles = {"register": PermitRole.CLERK, "start_review": PermitRole.EXAMINER}
        for action in upto:
            step = portal.decide(roles[action], number, action)
            assert step.status_code == 200, step.text
        return number


def _status(server: KepilServer, officials: dict[PermitRole, Person], number: str) -> str:
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        portal = Portal(client, SystemClock(), applicant_director(), officials)
        portal.login(officials[PermitRole.HEAD])
        return str(portal.application(number, officials[PermitRole.HEAD])["status"])


def test_the_examiner_is_told_what_is_missing_then_signs_the_preliminary_refusal(
    page: Page,
    server: KepilServer,
    officials: dict[PermitRole, Person],
    ncalayer_port: NCALayerPort,
    tmp_path: Path,
) -> None:
    lang, version = "kk", "accessible"
    said = words(lang)
    number = _case(server, officials, ("register", "start_review"))
    stand_in = _keys_of(ncalayer_port, officials[PermitRole.EXAMINER], "examiner", tmp_path)
    sign_in_with_ncalayer(page, lang, version)  # the sign-in pages have tours of their own
    tour = Tour(page, f"desk-preliminary-{lang}-{version}", lang, version)
    page.goto(f"/desk/applications/{number}/actions/issue_preliminary_refusal")
    tour.step("preliminary-refusal")
    page.locator("#motivation").fill("Кепілдік хатта 5 түйін расталмаған")
    page.locator("#act button[data-sign]").click()
    # Nothing chosen: the service's words appear beside the first ground and in the summary.
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_contain_text(
        said("Choose at least one ground of App.1 §10.")
    )
    tour.step("preliminary-refusal-problem")
    page.locator("#ground-2").check()
    # Rules §8: the notice carries the hearing's time and place, within 2 working days.
    hearing = to_almaty(datetime.now(UTC) + timedelta(hours=1))
    page.locator("#hearing_date").fill(hearing.date().isoformat())
    page.locator("#hearing_time").fill(hearing.strftime("%H:%M"))
    page.locator("#place").fill("Астана, Мәңгілік Ел 8, 301 кабинет")
    page.locator("#act button[data-sign]").click()
    page.wait_for_url(re.compile(rf"/desk/applications/{number}\?done=issue_preliminary_refusal"))
    assert "SIGN_examiner.p12" in stand_in.log().splitlines()[-1]
    tour.step("case", check_preferences=False)
    assert _status(server, officials, number) == "hearing_scheduled"
    tour.done()


@pytest.mark.parametrize(("lang", "version"), [("ru", "standard")])
def test_the_head_reads_the_permit_as_the_applicant_will_and_signs_its_bytes(
    page: Page,
    server: KepilServer,
    officials: dict[PermitRole, Person],
    ncalayer_port: NCALayerPort,
    tmp_path: Path,
    lang: str,
    version: str,
) -> None:
    said = words(lang)
    number = _case(server, officials, ("register", "start_review"))
    stand_in = _keys_of(ncalayer_port, officials[PermitRole.HEAD], "head", tmp_path)
    sign_in_with_ncalayer(page, lang, version)
    tour = Tour(page, f"desk-permit-{lang}-{version}", lang, version)
    page.goto(f"/desk/applications/{number}/actions/issue_permit")
    draft = page.locator(".document-draft")
    expect(draft).to_contain_text(said("Permit to issue and circulate secured digital assets"))
    expect(draft).to_contain_text("Kepil Grain Ledger")
    expect(page.locator("#draft-sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    tour.step("permit-draft")
    page.locator("#act button[data-sign]").click()
    page.wait_for_url(re.compile(rf"/desk/applications/{number}\?done=issue_permit"))
    assert "SIGN_head.p12" in stand_in.log().splitlines()[-1]
    tour.step("case", check_preferences=False)
    assert _status(server, officials, number) == "permit_issued"
    tour.done()
