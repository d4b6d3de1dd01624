"""The one place where the permit wing and the ledger wing meet.

The permit service issues permits as canonical JSON (Appendix 3, signed with the Ministry's EDS);
the platform's nodes honour them. What the platform reads of a permit is decided here, so the two
wings agree on one format without importing each other (import-linter enforces it). The relay of
registry changes to the platforms belongs here too.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from kepil.domain.calendar.almaty import ALMATY
from kepil.domain.canonical import canonical_bytes
from kepil.ledger.permits import PermitFacts, PermitRefusal, StatusChangeFacts
from kepil.ledger.vocab import PermitAction

# The registry's signed status change (services/permits/registry_status.py) names its type so.
STATUS_CHANGE_TYPE = "permit_status_change"
_CHANGE_ACTIONS = {
    PermitAction.SUSPEND.value: PermitAction.SUSPEND,
    PermitAction.REINSTATE.value: PermitAction.REINSTATE,
    PermitAction.REVOKE.value: PermitAction.REVOKE,
}


def permit_facts(content: bytes) -> PermitFacts | PermitRefusal:
    """What the platform takes from a permit document's signed bytes, or why it cannot."""
    try:
        data = _canonical_permit(content)
        number, holder = data["number"], data["recipient"]["iin_or_bin"]
        valid_from = date.fromisoformat(data["valid_from"])
        last_day = date.fromisoformat(data["valid_until"])
    except _Unreadable as unreadable:
        return PermitRefusal(str(unreadable))
    except (KeyError, TypeError, ValueError) as error:
        return PermitRefusal(f"the permit lacks a readable field ({type(error).__name__})")
    if not isinstance(number, str) or not number or not isinstance(holder, str):
        return PermitRefusal("the permit's number or recipient is not text")
    until = last_day + timedelta(days=1)  # the last day is included
    return PermitFacts(number, holder, _almaty_midnight(valid_from), _almaty_midnight(until))


class _Unreadable(Exception):  # noqa: N818
    """Internal: the bytes are not a permit document in the service's one byte form."""


def _canonical_permit(content: bytes) -> dict[str, Any]:
    try:
        data: Any = json.loads(content)
    except (ValueError, RecursionError):
        raise _Unreadable("the signed content is not JSON") from None
    if not isinstance(data, dict) or data.get("document_type") != "permit":
        raise _Unreadable("the signed content is not a permit")
    try:
        canonical = canonical_bytes(data)
    except Exception:  # floats out of range and the like: not a document the service writes
        raise _Unreadable("the permit cannot be canonicalised") from None
    if canonical != content:
        raise _Unreadable("the permit is not in canonical JSON (RFC 8785)")
    return data


def _almaty_midnight(day: date) -> int:
    # The permit's dates are Almaty calendar days; the ledger keeps unix seconds.
    return int(datetime.combine(day, time(0), tzinfo=ALMATY).timestamp())


def status_change_facts(content: bytes, signed_at: int) -> StatusChangeFacts | PermitRefusal:
    """What the platform takes from a signed `permit_status_change` document, or why it cannot.

    The document must name the permit by its number (`permit_number`): the registry's own
    number (`registry_number`) is not in the permit, so a platform could not tell it is its own.
    """
    try:
        data: Any = json.loads(content)
    except (ValueError, RecursionError):
        return PermitRefusal("the signed content is not JSON")
    if not isinstance(data, dict) or data.get("document_type") != STATUS_CHANGE_TYPE:
        return PermitRefusal(f"the signed content is not a {STATUS_CHANGE_TYPE}")
    number, action, reason = data.get("permit_number"), data.get("action"), data.get("reason")
    if not isinstance(number, str) or not number:
        return PermitRefusal("the status change names no permit_number")
    if not isinstance(action, str) or action not in _CHANGE_ACTIONS:
        return PermitRefusal(f"action: one of {', '.join(_CHANGE_ACTIONS)}")
    if not isinstance(reason, str) or not reason.strip():
        return PermitRefusal("a status change needs its legal reason")
    return StatusChangeFacts(number, _CHANGE_ACTIONS[action], reason, signed_at)
