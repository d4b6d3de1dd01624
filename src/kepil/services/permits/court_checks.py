"""App.1 §10 items 3-4 asked of the state systems again when a permit is drafted and signed.

A court ban or deprivation that comes into force after filing is as much a ground as one that
stood at filing, so the service asks the court records (Rules §4) at filing, when the head's
permit is drafted and when the head signs it. Every answer is kept in the application's state
facts (`court_checks`, the §4 answers history); the grounds the examiner must clear
(`suggested_grounds`) are those of every answer so far, never fewer: a ban reported once is
the examiner's to weigh, even if a later answer no longer lists it.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any, Final

from kepil.domain.state_records import CourtDecision, CourtRestriction
from kepil.services.errors import ConflictError
from kepil.services.permits.context import PermitContext
from kepil.services.permits.ports import StoredApplication
from kepil.services.unit_of_work import UnitOfWork

FILING: Final = "filing"
DRAFT: Final = "permit_draft"
SIGNING: Final = "permit_signing"


def grounds_of(decisions: list[CourtDecision]) -> list[int]:
    """App.1 §10 item 3 for a ban on the activity, 4 for a deprivation of a special right."""
    return sorted({3 if d.restriction is CourtRestriction.ACTIVITY_BAN else 4 for d in decisions})


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """A record's fields as JSON-able values (days as ISO dates)."""
    return {
        key: value.isoformat() if isinstance(value, date) else value for key, value in data.items()
    }


def ask_courts(
    subject: str, stage: str, at: datetime, day: date, context: PermitContext
) -> dict[str, Any]:
    """What the court records say of `subject` on `day`, and what was asked, when and why."""
    decisions = context.egov.court_decisions(subject, day)
    return {
        "stage": stage,
        "asked_at": at.isoformat(),
        "subject": subject,
        "checked_on": day.isoformat(),
        "court_decisions": [plain(asdict(decision)) for decision in decisions],
        "grounds": grounds_of(decisions),
    }


def reported_grounds(facts: dict[str, Any]) -> tuple[int, ...]:
    """App.1 §10 items the state systems' answers have suggested so far (Rules §4)."""
    suggested = facts.get("suggested_grounds", ())
    return tuple(g for g in suggested if isinstance(g, int) and not isinstance(g, bool))


def with_check(facts: dict[str, Any], check: dict[str, Any]) -> dict[str, Any]:
    """The state facts with one more answer of the court records, its grounds merged in.

    A repeated answer (same stage, day and decisions as the last one of that stage) is not
    kept twice: a draft re-read on the same day adds nothing to the history."""
    checks = list(facts.get("court_checks", ()))
    same_stage = [c for c in checks if c.get("stage") == check["stage"]]
    if same_stage and _same_answer(same_stage[-1], check):
        return facts
    merged = sorted(set(reported_grounds(facts)) | set(check["grounds"]))
    return {**facts, "court_checks": [*checks, check], "suggested_grounds": merged}


def _same_answer(before: dict[str, Any], now: dict[str, Any]) -> bool:
    keys = ("subject", "checked_on", "court_decisions")
    return all(before.get(key) == now[key] for key in keys)


def record_answer(
    uow: UnitOfWork, stored: StoredApplication, check: dict[str, Any]
) -> StoredApplication:
    """The application with the answer kept (not committed); the aggregate is saved unchanged
    beside it, so the version guards the answers as it guards the state."""
    facts = with_check(stored.state_facts, check)
    if facts is stored.state_facts:
        return stored
    version = uow.applications.save(stored.application, stored.version, state_facts=facts)
    return replace(stored, state_facts=facts, version=version)


def keep_answer(uow: UnitOfWork, number: str, check: dict[str, Any]) -> None:
    """Keep an answer in a unit of its own (after a refused decision was rolled back)."""
    with uow:
        stored = uow.applications.get(number)
        if stored is None:
            return
        with suppress(ConflictError):  # someone moved the case on meanwhile; theirs stands
            record_answer(uow, stored, check)
            uow.commit()
