"""`kepil bench pages` on a small registry: every page answered in both languages, the figures
line, the data it made as the registry holds it, and no server left running."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from bench import registry_data
from kepil.domain.identity.iin_bin import parse_identifier
from kepil.domain.registry import RegistryStatus

Kepil = Callable[..., CompletedProcess[str]]
ENTRIES = 400


def _servers_running() -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # it ended while we looked
            # How bench/pages.py starts `kepil serve`, and no other command line here does.
            count += b"\0serve\0--host\x00127.0.0.1\0--port\0" in command
    return count


def test_bench_pages_times_every_page_in_both_languages_and_stops_its_server(
    kepil: Kepil,
) -> None:
    before = _servers_running()
    done = kepil("bench", "pages", "--entries", str(ENTRIES), "--requests", "2", "--json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["entries"] == ENTRIES
    assert sum(figures["statuses"].values()) == ENTRIES
    assert set(figures["statuses"]) == {"active", "expired", "suspended", "revoked"}
    pages = figures["servers"]["this"]["pages"]
    for language in ("kk", "ru"):
        for page in ("home", "service", "registry", "registry name search", "registry entry"):
            timed = pages[f"{page} [{language}]"]
            assert 0 < timed["p50_ms"] <= timed["p95_ms"] <= timed["p99_ms"]
    assert {"api search", "api export 1,000 csv"} <= set(pages)
    assert len(figures["servers"]["this"]["full_csv_export_s"]) == 1
    assert figures["servers"]["this"]["server_peak_rss_mb"] > 0
    assert figures["machine"]["cores"] >= 1
    assert _servers_running() == before


def test_the_benchmark_entries_carry_valid_identifiers_and_honest_histories() -> None:
    made = list(itertools.islice(registry_data.rows(2_000), 2_000))
    for entry, history in made:
        parse_identifier(entry["holder_iin_bin"])  # raises on a wrong check digit
        statuses = [line["status"] for line in history]
        assert (statuses[-1] if statuses else "active") == entry["stored_status"]
        assert all(line["reason"] for line in history)
    names = " ".join(entry["holder_name"] for entry, _ in made)
    assert any(letter in names for letter in "әғқңөұүһі"), "no Kazakh letters in the names"
    stored = {entry["stored_status"] for entry, _ in made}
    assert stored == {s.value for s in RegistryStatus if s is not RegistryStatus.EXPIRED}
