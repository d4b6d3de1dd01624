"""Registry statuses (§11): expiry follows the validity end; changes need a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kepil.domain.registry import (
    RegistryEntry,
    RegistryStatus,
    RegistryStatusChangeNotAllowedError,
)

ENTRY = RegistryEntry(
    "R-1",
    "P-1",
    "A-1",
    "ТОО «Тест»",
    "120440056787",
    "Chain",
    "goods",
    ("Алматы",),
    date(2026, 1, 15),
    date(2029, 1, 15),
)
AT = datetime(2026, 6, 1, tzinfo=UTC)


def test_p11_an_active_permit_is_expired_the_day_after_its_validity_ends() -> None:
    assert ENTRY.status_on(date(2029, 1, 15)) is RegistryStatus.ACTIVE
    assert ENTRY.status_on(date(2029, 1, 16)) is RegistryStatus.EXPIRED


def test_a_revoked_permit_cannot_be_reinstated() -> None:
    revoked = ENTRY.change_status(RegistryStatus.REVOKED, "court decision", "head", AT)
    with pytest.raises(RegistryStatusChangeNotAllowedError, match="revoked"):
        revoked.change_status(RegistryStatus.ACTIVE, "appeal", "head", AT)


def test_a_suspended_permit_can_be_reinstated_and_history_keeps_both() -> None:
    suspended = ENTRY.change_status(RegistryStatus.SUSPENDED, "inspection", "head", AT)
    back = suspended.change_status(RegistryStatus.ACTIVE, "inspection passed", "head", AT)
    assert [h.status for h in back.history] == [RegistryStatus.SUSPENDED, RegistryStatus.ACTIVE]


def test_a_status_change_without_a_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="reason"):
        ENTRY.change_status(RegistryStatus.SUSPENDED, "  ", "head", AT)
