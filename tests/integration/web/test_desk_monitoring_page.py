"""`/desk/monitoring`: the §10 dashboard for the Ministry's officials, on both databases: the
figures of cases set up through the service, the chart with its table, the chain's state (and a
tampered log shown broken), the exports, both languages and the accessible version."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from tests.integration.permits.portal import OFFICIALS, Portal
from tests.integration.web.cabinet_portal import CLERK, issue_permit, portal_people
from tests.support.clock import MovableClock
from tests.support.pki import Person, ministry_official, trust_dir
from tests.support.web import sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.monitoring import ChainedEntry, StageRecord, verify_chain
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

AUDITOR_IIN = "880808300143"
OPERATOR_IIN = "910505400329"  # the contact centre's operator, who reads no case
PAGE = "/desk/monitoring"


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = portal_people()
    found["auditor"] = ministry_official(AUDITOR_IIN, "АУДИТОРОВА ДАНА")
    found["operator"] = ministry_official(OPERATOR_IIN, "ОПЕРАТОРОВА АЙЖАН")
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    clock = MovableClock("2026-03-20T19:00")
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "главный эксперт", "test"))
    container.bus.handle(
        GrantRole(AUDITOR_IIN, PermitRole.AUDITOR, "АУДИТОРОВА ДАНА", "аудитор", "test")
    )
    container.bus.handle(
        GrantRole(OPERATOR_IIN, PermitRole.CONTACT_CENTRE, "ОПЕРАТОРОВА АЙЖАН", "оператор", "test")
    )
    with TestClient(create_app(container), follow_redirects=False) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        found = Portal(client, clock, people["applicant"], officials)
        for someone in (found.applicant, *officials.values()):
            found.login(someone)
        yield found
    container.close()


def _cases(portal: Portal) -> tuple[str, str, str]:
    """A permit, a registered application and one waiting for registration, all received on
    Friday 20 March 2026 after hours; read on Wednesday 1 April at noon."""
    permitted, _ = issue_permit(portal)
    portal.at("2026-03-20T19:05")
    registered = _filed(portal)
    portal.at("2026-03-20T19:10")
    waiting = _filed(portal)
    portal.at("2026-03-26T10:00")
    assert portal.decide(CLERK, registered, "register").status_code == 200
    portal.at("2026-04-01T12:00")
    return permitted, registered, waiting


def _filed(portal: Portal) -> str:
    created = portal.submit()
    assert created.status_code == 201, created.text
    return str(created.json()["number"])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, attribute: str, value: str) -> list[str]:
    """The cells of the table row marked with the attribute, as text."""
    found = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert found, f"no row {attribute}={value}"
    return [
        _text(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found[1], re.S)
    ]


def _auditor_page(portal: Portal, people: dict[str, Person], **params: str) -> str:
    sign_in_on_pages(portal.client, people["auditor"].auth, portal.clock.now())
    page = portal.client.get(PAGE, params=params)
    assert page.status_code == 200, page.text
    return page.text


def test_the_auditor_sees_the_figures_of_the_cases_set_up_through_the_service(
    portal: Portal, people: dict[str, Person]
) -> None:
    permitted, _, waiting = _cases(portal)
    html = _auditor_page(portal, people, lang="ru")
    assert _row(html, "data-status", "permit_issued")[-1] == "1"
    assert _row(html, "data-status", "registered")[-1] == "1"
    assert _row(html, "data-status", "submitted")[-1] == "1"
    assert _row(html, "data-status", "refused")[-1] == "0"
    assert re.search(r"<td class=\"number\" data-total>3</td>", html)
    # The waiting case's registration was due on Thursday 26 March: working days late since.
    registration = _row(html, "data-stage", "registration")
    assert registration[0] == "Регистрация"
    assert registration[2:] == ["1", "1 просрочено", "4"]
    assert f'href="/desk/applications/{waiting}"' in html
    assert permitted not in _text(html.split('id="overdue-heading"')[1].split("</table>")[0])
    # Registrations were done in 0.5 (permit: 9:30 on the 26th) and 1 working hour.
    timing = re.findall(r'<tr data-stage="registration">(.*?)</tr>', html, re.S)[1]
    assert "0,8" in _text(timing)  # the median of 0,5 and 1,0 working hours
    week = _row(html, "data-week", "2026-03-16")
    assert week[1:] == ["3", "0", "0", "0", "0", "0", "0"]
    assert _row(html, "data-week", "2026-03-30")[2] == "1"  # the permit, Monday 30 March
    chain = _text(html.split('class="verdict verdict-good chain-state"')[1].split("</div>")[0])
    assert "Цепочка цела." in chain
    assert "нарушена" not in html


def test_the_chart_is_an_svg_image_with_a_title_a_description_and_no_inline_style(
    portal: Portal, people: dict[str, Person]
) -> None:
    _cases(portal)
    html = _auditor_page(portal, people, lang="kk")
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert svg
    assert 'role="img"' in svg[0]
    assert 'aria-labelledby="chart-title"' in svg[0]
    assert 'aria-describedby="chart-desc"' in svg[0]
    assert '<title id="chart-title">' in svg[0]
    assert '<desc id="chart-desc">' in svg[0]
    assert "style=" not in html
    assert len(re.findall(r'class="bar bar-received"', svg[0])) == 12 + 1  # 12 weeks, legend
    assert "нау." in svg[0]  # наурыз, March, as the Kazakh weeks are labelled
    accessible = portal.client.get(PAGE, params={"version": "accessible"})
    assert accessible.status_code == 200
    assert 'class="accessible"' in accessible.text
    assert 'role="img"' in accessible.text


def test_the_exports_parse_and_match_the_page(portal: Portal, people: dict[str, Person]) -> None:
    _cases(portal)
    html = _auditor_page(portal, people, lang="ru")

    figures = portal.client.get(f"{PAGE}/figures.csv")
    assert figures.status_code == 200
    assert figures.headers["content-disposition"].startswith("attachment;")
    assert figures.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(figures.text)))
    by = {(row["figure"], row["subject"]): row["value"] for row in rows}
    for status in ("permit_issued", "registered", "submitted", "withdrawn"):
        assert by[("applications", status)] == _row(html, "data-status", status)[-1]
    assert by[("overdue_stages", "registration")] == "1"
    assert by[("chain_intact", "")] == "yes"

    weeks = portal.client.get(f"{PAGE}/weeks.csv")
    assert weeks.headers["content-disposition"].startswith("attachment;")
    series = list(csv.DictReader(io.StringIO(weeks.text)))
    assert len(series) == 12
    for line in series:
        cells = _row(html, "data-week", line["week_starts"])
        assert cells[1:] == [
            line[name]
            for name in (
                "received",
                "permits",
                "refusals",
                "further_consideration_refused",
                "withdrawn",
                "decided",
                "stages_late",
            )
        ]

    feed = portal.client.get(f"{PAGE}/stage-log.jsonl")
    assert feed.status_code == 200
    assert feed.headers["content-disposition"].startswith("attachment;")
    entries = [_entry(json.loads(line)) for line in feed.text.splitlines()]
    assert entries
    check = verify_chain(entries)
    assert check.intact
    assert by[("chain_entries_checked", "")] == str(check.checked)


def _entry(item: dict[str, object]) -> ChainedEntry:
    record = item["record"]
    assert isinstance(record, dict)
    return ChainedEntry(
        int(str(item["seq"])),
        StageRecord(
            record["case"],
            record["stage"],
            record["actor"],
            datetime.fromisoformat(record["occurred_at"]),
            datetime.fromisoformat(record["deadline"]) if record["deadline"] else None,
            record["details"],
        ),
        str(item["prev_hash"]),
        str(item["hash"]),
    )


def test_a_tampered_stage_log_is_shown_broken_at_the_altered_entry(
    portal: Portal, people: dict[str, Person], database_url: str
) -> None:
    _cases(portal)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE monitoring_events SET actor = 'someone else' WHERE seq = 2")
        )
    engine.dispose()
    html = _auditor_page(portal, people, lang="ru")
    state = _text(html.split('class="verdict verdict-bad chain-state"')[1].split("</div>")[0])
    assert "Цепочка нарушена на записи 2." in state
    assert "Содержание записи изменено" in state
    assert "Проверено записей до нарушения: 1." in state
    figures = portal.client.get(f"{PAGE}/figures.csv").text
    assert "chain_intact,,no" in figures
    assert "chain_first_broken_seq,,2" in figures


@pytest.mark.parametrize("who", ["applicant", "operator"])
def test_the_head_may_read_the_monitoring_but_not_the_applicant_nor_the_contact_centre(
    portal: Portal, people: dict[str, Person], who: str
) -> None:
    sign_in_on_pages(portal.client, people[str(PermitRole.HEAD)].auth, portal.clock.now())
    assert portal.client.get(PAGE).status_code == 200
    portal.client.cookies.delete("kepil_session")
    sign_in_on_pages(portal.client, people[who].auth, portal.clock.now())
    for path in (PAGE, f"{PAGE}/figures.csv", f"{PAGE}/weeks.csv", f"{PAGE}/stage-log.jsonl"):
        refused = portal.client.get(path, params={"lang": "ru"})
        assert refused.status_code == 403
        assert "content-disposition" not in refused.headers
        assert "только должностным лицам Министерства" in refused.text
    portal.client.cookies.delete("kepil_session")
    assert portal.client.get(PAGE).status_code == 303
