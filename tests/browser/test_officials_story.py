"""The Ministry's side of the procedure through the pages, as its officials go through it.

A clerk, an examiner and a head, each in a browser of their own and the language of their
choice, signed in at the same time with their own keys in NCALayer (the `kepil ncalayer`
stand-in, replaced when the person at the keyboard changes, as each official's own computer
runs its own NCALayer). One application goes to a permit, another to a motivated refusal after
a preliminary decision and a hearing; the applicant follows both in the cabinet. axe-core checks
every page loaded on the way and a screenshot of each step is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import browser_context
from tests.browser.ncalayer import NCALayerPort, write_p12
from tests.browser.pages import Tour
from tests.browser.server import KepilServer, file_application
from tests.browser.story import words
from tests.support.pki import Person

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import PermitRole
from kepil.entrypoints.web.i18n import Language, translator


@dataclass
class Official:
    """One official at their own computer: their keys, their browser, their language."""

    role: PermitRole
    person: Person
    keys: tuple[Path, Path]
    page: Page
    tour: Tour

    @property
    def lang(self) -> str:
        """The language this official chose."""
        return self.tour.lang


@pytest.fixture
def ministry_desks(
    browser: Browser,
    server: KepilServer,
    officials: dict[PermitRole, Person],
    ncalayer_port: NCALayerPort,
    tmp_path: Path,
) -> Iterator[dict[PermitRole, Official]]:
    """The clerk (Kazakh), the examiner (Russian, the version for the visually impaired) and the
    head (Kazakh), each signed in through NCALayer in a browser context of their own."""
    choices = {
        PermitRole.CLERK: ("kk", "standard"),
        PermitRole.EXAMINER: ("ru", "accessible"),
        PermitRole.HEAD: ("kk", "standard"),
    }
    desks = {}
    with ExitStack() as stack:
        for role, (lang, version) in choices.items():
            person = officials[role]
            keys = (
                write_p12(person.auth, tmp_path / f"{role.value}" / f"AUTH_{role.value}.p12"),
                write_p12(person.sign, tmp_path / f"{role.value}" / f"SIGN_{role.value}.p12"),
            )
            context = stack.enter_context(browser_context(browser, server, script=True))
            page = context.new_page()
            tour = Tour(page, f"desk-{role.value}", lang, version)
            desks[role] = Official(role, person, keys, page, tour)
            _sign_in(desks[role], ncalayer_port)
        yield desks


def _sign_in(official: Official, port: NCALayerPort) -> None:
    """Through /login with the official's own AUTH key; the workspace opens."""
    port.offer(official.keys)
    page = official.page
    page.goto(f"/login?next=/desk&lang={official.lang}&version={official.tour.version}")
    official.tour.step("sign-in")
    page.locator("#sign-in button[type=submit]").click()
    expect(page).to_have_url("/desk")
    expect(page.locator(".signed-in")).to_contain_text(official.person.name)
    official.tour.step("desk")


def _open_case(official: Official, number: str) -> None:
    """From the queue, the case's row, as the official finds it there."""
    page = official.page
    page.goto("/desk")
    official.tour.step("queue")
    page.locator(f'main a[href="/desk/applications/{number}"]').first.click()
    expect(page).to_have_url(f"/desk/applications/{number}")
    official.tour.step("case")


def _act(
    official: Official,
    port: NCALayerPort,
    number: str,
    action: str,
    fill: dict[str, str] | None = None,
) -> None:
    """Open the case, follow the action offered, fill its fields, sign with the SIGN key."""
    _open_case(official, number)
    page = official.page
    page.locator(f'main a[href="/desk/applications/{number}/actions/{action}"]').click()
    expect(page).to_have_url(f"/desk/applications/{number}/actions/{action}")
    official.tour.step(f"{action}-form")
    for selector, value in (fill or {}).items():
        control = page.locator(selector)
        if control.get_attribute("type") in ("checkbox", "radio"):
            control.check()
        else:
            control.fill(value)
    if page.locator("form#choose").count():
        page.locator("form#choose button[type=submit]").click()
        official.tour.step(f"{action}-document")
    port.offer(official.keys)
    page.locator("form#act button[data-sign]").click()
    expect(page).to_have_url(re.compile(rf"/desk/applications/{number}\?done={action}$"))
    official.tour.step(f"{action}-done")


def _status_is(official: Official, status: str) -> None:
    expect(official.page.locator(".case-status")).to_have_text(words(official.lang)(status))


def test_clerk_examiner_and_head_take_one_case_to_a_permit_and_another_to_a_refusal(
    server: KepilServer,
    officials: dict[PermitRole, Person],
    ministry_desks: dict[PermitRole, Official],
    ncalayer_port: NCALayerPort,
    browser: Browser,
    applicant_keys: tuple[Path, Path],
) -> None:
    clerk = ministry_desks[PermitRole.CLERK]
    examiner = ministry_desks[PermitRole.EXAMINER]
    head = ministry_desks[PermitRole.HEAD]
    granted = file_application(server)
    refused = file_application(server)

    for number in (granted, refused):
        _act(clerk, ncalayer_port, number, "register")
        _status_is(clerk, "Registered")
        _act(examiner, ncalayer_port, number, "start_review")
        _status_is(examiner, "Under review")

    # The preliminary decision names its hearing: two minutes ahead at most, well inside the
    # 2 working days the Rules allow; the permit is done while that minute comes.
    hearing = to_almaty(datetime.now(UTC) + timedelta(minutes=2)).replace(second=0)
    _act(
        examiner,
        ncalayer_port,
        refused,
        "issue_preliminary_refusal",
        {
            'input[name=grounds][value="3"]': "",
            "#motivation": "Суд запретил заявителю заниматься этой деятельностью.",
            "#hearing_date": hearing.date().isoformat(),
            "#hearing_time": hearing.strftime("%H:%M"),
            "#place": "Астана, Мәңгілік Ел 8, каб. 301",
        },
    )

    _act(head, ncalayer_port, granted, "issue_permit")
    _status_is(head, "Permit issued")

    # The hearing cannot be recorded before its moment: wait for it (two minutes at most).
    remaining = (hearing - datetime.now(UTC)).total_seconds()
    examiner.page.wait_for_function(
        "moment => Date.now() > moment",
        arg=hearing.timestamp() * 1000 + 1000,
        timeout=max(remaining, 0) * 1000 + 15_000,
    )
    _act(
        examiner,
        ncalayer_port,
        refused,
        "hold_hearing",
        {"#applicant_attended": "", "#applicant_position": "Запрет касается другой деятельности."},
    )
    _act(
        head,
        ncalayer_port,
        refused,
        "refuse",
        {
            'input[name=grounds][value="3"]': "",
            "#motivation": "Запрет суда распространяется на эту деятельность.",
        },
    )
    _status_is(head, "Reasoned refusal issued")
    for official in ministry_desks.values():
        official.tour.done()
    _applicant_follows(browser, server, ncalayer_port, applicant_keys, granted, refused, hearing)


def _applicant_follows(
    browser: Browser,
    server: KepilServer,
    port: NCALayerPort,
    keys: tuple[Path, Path],
    granted: str,
    refused: str,
    hearing: datetime,
) -> None:
    """The applicant, in Russian, sees each step in the cabinet: the hearing's time and place
    came with the preliminary decision, and both results are there."""
    _ = words("ru")
    with browser_context(browser, server, script=True) as context:
        page = context.new_page()
        tour = Tour(page, "desk-applicant", "ru", "standard")
        port.offer(keys)
        page.goto("/login?next=/cabinet&lang=ru")
        tour.step("sign-in")
        page.locator("#sign-in button[type=submit]").click()
        expect(page).to_have_url("/cabinet")
        tour.step("cabinet")
        page.goto(f"/cabinet/applications/{refused}")
        expect(page.locator(".case-status")).to_have_text(_("Reasoned refusal issued"))
        timeline = page.locator("ol.timeline")
        for event in ("Application registered", "Hearing held", "Reasoned refusal issued"):
            expect(timeline).to_contain_text(_(event))
        expect(timeline).to_contain_text("Астана, Мәңгілік Ел 8, каб. 301")
        expect(timeline).to_contain_text(translator(Language.RU).moment(hearing))
        tour.step("refused")
        page.goto(f"/cabinet/applications/{granted}")
        expect(page.locator(".case-status")).to_have_text(_("Permit issued"))
        tour.step("granted")
        tour.done()
