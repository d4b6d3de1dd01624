"""Time as a dependency: the domain asks a Clock and never reads the system time itself."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """A source of the current moment, always timezone-aware."""

    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...
