"""The real clock; tests use a fixed or hand-moved one instead."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The host's clock in UTC."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)
