"""The real app on a test database with the applicant and three officials, for the page tests
that follow a case from filing (through the API, as a portal does) to reading it on the pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from tests.integration.permits.portal import OFFICIALS, Portal
from tests.support.clock import MovableClock
from tests.support.pki import Person, applicant_director, ministry_official, trust_dir

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD


def portal_people() -> dict[str, Person]:
    """The applicant's director and one official per duty, with their TEST PKI keys."""
    found = {"applicant": applicant_director()}
    for role, (iin, name) in OFFICIALS.items():
        found[str(role)] = ministry_official(iin, name)
    return found


@contextmanager
def open_portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    """A portal whose client does not follow redirects, everyone signed in to the API."""
    # Friday 20 March 2026 after hours: Nauryz days off move registration to Thursday the 26th.
    clock = MovableClock("2026-03-20T19:00")
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


def issue_permit(portal: Portal) -> tuple[str, str]:
    """File the standard application and take it to a head-signed permit: (case, permit)."""
    created = portal.submit()
    assert created.status_code == 201, created.text
    number = str(created.json()["number"])
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    portal.at("2026-03-27T11:00")
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    portal.at("2026-03-30T16:00")
    issued = portal.sign_document(number, "permit")
    assert issued.status_code == 200, issued.text
    return number, str(issued.json()["document_number"])


# Rules §8 on the standard case: notified Friday 27 March 12:00 (due 30 March 18:30), so the
# hearing is by Tuesday 31 March 18:30; it is set for Monday 30 March 15:00.
HEARING_AT = "2026-03-30T15:00:00+05:00"
HEARING_PLACE = "онлайн, видеосвязь"


def notify_hearing(portal: Portal) -> str:
    """File the standard application and take it to the §8 notice: the examiner's preliminary
    refusal (ground 2) carrying the hearing's time and place. Answers the case's number."""
    created = portal.submit()
    assert created.status_code == 201, created.text
    number = str(created.json()["number"])
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    portal.at("2026-03-27T11:00")
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    portal.at("2026-03-27T12:00")
    notice = portal.decide(
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=[2],
        motivation="гарантийное письмо не подтверждает 5 узлов",
        hearing_at=HEARING_AT,
        place=HEARING_PLACE,
    )
    assert notice.status_code == 200, notice.text
    return number


def change_permit_status(portal: Portal, registry_number: str, action: str) -> None:
    """The head suspends, reinstates or revokes a permit with a signed, reasoned act."""
    head = portal.officials[HEAD]
    entry = portal.client.get(f"/api/v1/registry/{registry_number}").json()
    change = {
        "document_type": "permit_status_change",
        "registry_number": registry_number,
        "permit_number": entry["permit_number"],
        "action": action,
        "reason": "решение суда № 2-123/2026",
    }
    portal.clock.advance(1)  # each change signed after the last, as the registry requires
    cms = portal.sign(head, json.dumps(change, ensure_ascii=False).encode())
    answer = portal.client.post(
        f"/api/v1/registry/{registry_number}/status",
        json={"cms": base64.b64encode(cms).decode()},
        headers=head.headers,
    )
    assert answer.status_code == 200, answer.text
