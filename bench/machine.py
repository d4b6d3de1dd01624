"""What machine a benchmark ran on, printed with its figures."""

from __future__ import annotations

import platform
import resource

from kepil.entrypoints.cli.bench_network import machine


def describe() -> dict[str, object]:
    """CPU model, cores, memory, OS and Python of this machine."""
    return {**machine(), "os": platform.platform()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values fall (nearest rank)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]
