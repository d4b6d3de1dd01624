"""What a node takes from the registry's signed `permit_status_change` (services/bridge.py)."""

from __future__ import annotations

import json

import pytest

from kepil.ledger import PermitRefusal, StatusChangeFacts
from kepil.ledger.vocab import PermitAction
from kepil.services.bridge import status_change_facts

CHANGE = {
    "document_type": "permit_status_change",
    "registry_number": "REG-2026-000001",
    "permit_number": "PRM-2026-000001",
    "action": "suspend",
    "reason": "Rules §11",
}


def test_a_change_gives_its_permit_action_reason_and_the_signing_moment() -> None:
    facts = status_change_facts(json.dumps(CHANGE).encode(), 1_767_225_600)
    assert facts == StatusChangeFacts(
        "PRM-2026-000001", PermitAction.SUSPEND, "Rules §11", 1_767_225_600
    )


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({**CHANGE, "document_type": "permit"}, "not a permit_status_change"),
        ({k: v for k, v in CHANGE.items() if k != "permit_number"}, "permit_number"),
        ({**CHANGE, "action": "renew"}, "action: one of suspend, reinstate, revoke"),
        ({**CHANGE, "reason": " "}, "legal reason"),
    ],
)
def test_a_change_that_cannot_be_applied_is_refused_with_why(
    change: dict[str, object], said: str
) -> None:
    result = status_change_facts(json.dumps(change).encode(), 1)
    assert isinstance(result, PermitRefusal)
    assert said in result.reason


def test_bytes_that_are_not_json_are_refused() -> None:
    assert isinstance(status_change_facts(b"\xff", 1), PermitRefusal)
