"""A complaints desk for tests: the real app on a real database, people with TEST PKI keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from tests.support.applications import stored, submitted
from tests.support.clock import MovableClock
from tests.support.pki import Person, b64, sign_bytes, sign_in

from kepil.bootstrap import Container
from kepil.domain.canonical import canonical_bytes


@dataclass
class Desk:
    """Drives the complaints and rule-change API as applicants and officials would."""

    client: TestClient
    container: Container
    clock: MovableClock
    people: dict[str, Person]

    def login(self, person: Person) -> None:
        person.token = sign_in(self.client, person.auth, self.clock.now())

    def move_to(self, moment: str) -> None:
        """Set the clock to an Almaty moment; sessions are short, so everyone signs in again."""
        self.clock.set(moment)
        for person in self.people.values():
            self.login(person)

    def signed(self, person: Person, document: dict[str, Any]) -> dict[str, str]:
        """The request body carrying the person's CMS over the canonical JSON."""
        at = self.clock.now() - timedelta(seconds=1)
        return {"cms": b64(sign_bytes(person.sign, canonical_bytes(document), at))}

    def store_application(self, number: str = "APP-2026-000001") -> str:
        """An application of the test applicant, submitted now, straight into the database."""
        application = submitted(number, self.clock.now(), self.container.calendar)
        with self.container.uow() as uow:
            uow.applications.add(stored(application), [])
            uow.commit()
        return number

    def file(self, person: Person | None = None, **changes: Any) -> Any:
        """File a complaint signed by the applicant (or `person`) about the stored application."""
        person = person or self.people["applicant"]
        complaint = {
            "application_number": "APP-2026-000001",
            "subject": "inaction",
            "filed_with": "provider",
            "target": "Заявление не рассмотрено в срок",
            "text": "Прошу рассмотреть заявление и выдать разрешение.",
            **changes,
        }
        return self.client.post(
            "/api/v1/complaints", json=self.signed(person, complaint), headers=person.headers
        )

    def decide(self, who: str, number: str, action: str, decision: str = "") -> Any:
        """A signed step on a complaint by the named person."""
        person = self.people[who]
        body = {"complaint_number": number, "action": action, "decision": decision}
        return self.client.post(
            f"/api/v1/complaints/{number}/decisions",
            json=self.signed(person, body),
            headers=person.headers,
        )
