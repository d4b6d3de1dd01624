"""What machine a benchmark ran on, printed with its figures."""

from __future__ import annotations

import os
import platform
import resource
from contextlib import suppress
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """CPU model, cores, memory and Python of this machine (printed with the figures)."""
    cpu = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    with suppress(OSError, ValueError, IndexError):
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory_gib = round(total_kib / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
    }


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
