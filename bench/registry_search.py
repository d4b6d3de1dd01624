"""Benchmark: registry search over 100,000 entries on PostgreSQL through the API (Rules §11).

    .venv/bin/python bench/registry_search.py [--entries 100000] [--requests 2000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Loads entries into a scratch schema (dropped afterwards), then times search requests through
the FastAPI app in-process (no network hop), mixing name, IIN/BIN, status and paged queries.
Prints one JSON object: p50/p99 latency in ms, requests per second, peak RSS and the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, text

# Run as a script from the checkout: the checkout's root holds the `bench` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.machine import describe, peak_rss_mb, percentile
from kepil.adapters.db.registry_repository import platform_search, search_text
from kepil.adapters.db.tables import registry_entries
from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.registry import RegistryEntry
from kepil.entrypoints.api.app import create_app

WORDS = ["Кепіл", "Актив", "Астана", "Жер", "Астық", "Сауда", "Digital", "Chain", "Гарант", "Нур"]


def _entry(n: int, rng: random.Random) -> dict[str, object]:
    issued = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1400))
    entry = RegistryEntry(
        registry_number=f"R-{n:07}",
        permit_number=f"P-{n:07}",
        application_number=f"A-{n:07}",
        holder_name=f"ТОО «{rng.choice(WORDS)} {rng.choice(WORDS)} {n}»",
        holder_iin_bin=f"{rng.randrange(10**11, 10**12):012}",
        platform_name=f"{rng.choice(WORDS)} Platform {n % 977}",
        purpose="Выпуск и обращение ОЦА",
        addresses=("050000, г. Алматы",),
        issued_on=issued,
        valid_until=issued.replace(year=issued.year + 3)
        if issued.month != 2 or issued.day != 29
        else issued.replace(year=issued.year + 3, day=28),
    )
    return {
        "registry_number": entry.registry_number, "permit_number": entry.permit_number,
        "application_number": entry.application_number, "holder_name": entry.holder_name,
        "holder_iin_bin": entry.holder_iin_bin, "platform_name": entry.platform_name,
        "purpose": entry.purpose, "addresses": json.dumps(list(entry.addresses)),
        "issued_on": entry.issued_on, "valid_until": entry.valid_until,
        "stored_status": "active", "status_reason": "", "search_text": search_text(entry),
        "platform_search": platform_search(entry),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    schema = f"kepil_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.database_url}?options=-csearch_path%3D{schema}"
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            container = bootstrap(Settings(database_url=url, data_dir=Path(data_dir)))
            rng = random.Random(42)
            loaded = time.perf_counter()
            with container.engine.begin() as connection:
                for start in range(0, args.entries, 5_000):
                    batch = [_entry(n, rng) for n in range(start, min(args.entries, start + 5_000))]
                    connection.execute(insert(registry_entries), batch)
            load_s = time.perf_counter() - loaded
            # The steady state autovacuum keeps: statistics current, visibility map set (so
            # counts are index-only scans). VACUUM cannot run inside a transaction.
            with container.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE registry_entries")
                )
            queries: list[dict[str, str | int]] = [
                {"q": "кепіл"}, {"q": "актив 12"}, {"iin_bin": "123456789012"},
                {"status": "expired"}, {"status": "active", "offset": 200},
                {"platform": "chain platform 5"}, {"limit": 50},
            ]  # fmt: skip
            latencies: list[float] = []
            with TestClient(create_app(container)) as client:
                for query in queries:  # warm-up
                    client.get("/api/v1/registry", params=query)
                began = time.perf_counter()
                for i in range(args.requests):
                    started = time.perf_counter()
                    response = client.get("/api/v1/registry", params=queries[i % len(queries)])
                    latencies.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                elapsed = time.perf_counter() - began
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    for index, query in enumerate(queries):
        mine = sorted(latencies[index :: len(queries)])
        print(
            f"  {json.dumps(query, ensure_ascii=False)}: p50 {percentile(mine, 0.5):.1f} ms",
            file=sys.stderr,
        )
    latencies.sort()
    print(json.dumps({
        "benchmark": "registry_search", "database": "postgresql", "entries": args.entries,
        "requests": args.requests, "load_s": round(load_s, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "requests_per_s": round(args.requests / elapsed, 1), "rss_mb": peak_rss_mb(),
        "machine": describe(),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
