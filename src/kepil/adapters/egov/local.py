"""An offline e-gov gateway backed by a JSON data file, for the embedded default and tests.

A real gateway client (SOAP/REST over the ШЭП) implements the same `EgovGateway` interface.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from kepil.domain.state_records import (
    BusinessForm,
    BusinessRecord,
    CourtDecision,
    CourtRestriction,
    PersonRecord,
)

SAMPLE = "sample_registry.json"


class EgovDataError(ValueError):
    """The data file is malformed; the message names the entry."""


class LocalEgovGateway:
    """Answers from a data file: `persons`, `businesses` and `court_decisions` arrays."""

    def __init__(self, data: dict[str, Any]) -> None:
        try:
            self._persons = {p["iin"]: _person(p) for p in data.get("persons", [])}
            self._businesses = {b["number"]: _business(b) for b in data.get("businesses", [])}
            self._decisions = [_decision(d) for d in data.get("court_decisions", [])]
        except (KeyError, ValueError, TypeError) as error:
            raise EgovDataError(f"e-gov data file: bad entry ({error!r})") from None

    @classmethod
    def from_file(cls, path: Path) -> LocalEgovGateway:
        """Load a data file in the format of the shipped sample."""
        return cls(json.loads(path.read_text("utf-8")))

    @classmethod
    def sample(cls) -> LocalEgovGateway:
        """The shipped TEST data set (fictitious people and companies)."""
        text = resources.files("kepil.adapters.egov").joinpath(SAMPLE).read_text("utf-8")
        return cls(json.loads(text))

    def person(self, iin: str) -> PersonRecord | None:
        """The identity record for an IIN, or None when the state has none."""
        return self._persons.get(iin)

    def business(self, number: str) -> BusinessRecord | None:
        """The registration of a legal entity (BIN) or an entrepreneur (IIN), or None."""
        return self._businesses.get(number)

    def court_decisions(self, subject: str, on: date) -> list[CourtDecision]:
        """Decisions in force on the day against the IIN/BIN (App. 1 §10 items 3–4)."""
        return [d for d in self._decisions if d.subject == subject and d.in_force_on(on)]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _person(entry: dict[str, Any]) -> PersonRecord:
    return PersonRecord(
        iin=entry["iin"],
        surname=entry["surname"],
        given_name=entry["given_name"],
        patronymic=entry.get("patronymic"),
        document_number=entry["document_number"],
        document_valid_until=_day(entry.get("document_valid_until")),
    )


def _business(entry: dict[str, Any]) -> BusinessRecord:
    return BusinessRecord(
        number=entry["number"],
        form=BusinessForm(entry["form"]),
        name=entry["name"],
        registered_on=date.fromisoformat(entry["registered_on"]),
        head_iin=entry.get("head_iin"),
        active=bool(entry.get("active", True)),
    )


def _decision(entry: dict[str, Any]) -> CourtDecision:
    return CourtDecision(
        subject=entry["subject"],
        restriction=CourtRestriction(entry["restriction"]),
        court=entry["court"],
        case_number=entry["case_number"],
        in_force_from=date.fromisoformat(entry["in_force_from"]),
        in_force_until=_day(entry.get("in_force_until")),
    )
