"""Readiness: each dependency answers a probe; the service is healthy when all of them pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ProbeResult:
    """One dependency's answer: ok or not, with details for the operator."""

    ok: bool
    detail: dict[str, str] = field(default_factory=dict)


class Probe(Protocol):
    """Something the service needs, able to say whether it works right now."""

    name: str

    def check(self) -> ProbeResult:
        """Check the dependency; must not raise."""
        ...


@dataclass(frozen=True)
class HealthReport:
    """All probes' answers; healthy only when every probe passed."""

    checks: dict[str, ProbeResult]

    @property
    def healthy(self) -> bool:
        """Whether every dependency answered ok."""
        return all(result.ok for result in self.checks.values())


def check_health(probes: list[Probe]) -> HealthReport:
    """Run every probe once."""
    return HealthReport({probe.name: probe.check() for probe in probes})
