"""Benchmark: EDS-signed application submission through the API on PostgreSQL (Rules §3-§5).

    .venv/bin/python bench/permit_submission.py [--requests 500]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each request is a multipart POST /api/v1/applications: a CMS (ECDSA P-256, TEST PKI) over the
App.2 form and two PDF attachments. The server verifies the signature and chain, decodes and
validates the form, matches the files' hashes, asks the local e-gov gateway (§4), numbers the
application and stores it with its deadlines, history, stage-log entry and notification in one
transaction. Forms are signed before the clock starts; the FastAPI app runs in-process.
Prints one JSON object: p50/p99 latency in ms, requests per second, peak RSS and the machine.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

# Run as a script from the checkout: the checkout's root holds the `bench` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.machine import describe, peak_rss_mb, percentile
from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import Provider
from kepil.domain.permits.app2 import app2_statements
from kepil.entrypoints.api.app import create_app
from kepil.signing.cms_sign import sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

PDF = b"%PDF-1.7\n" + b"contract " * 20_000  # ~180 KB, a typical scanned contract page
LETTER = b"%PDF-1.7\n guarantee letter: 5 nodes, Raft\n"


def _attachment(kind: str, name: str, content: bytes) -> dict[str, object]:
    return {
        "kind": kind, "file_name": name, "media_type": "application/pdf",
        "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
        "valid_until": "2027-12-31",
    }  # fmt: skip


def _form(n: int) -> dict[str, object]:
    return {
        "schema": "kepil/app2-form/v1",
        "requisites": {"address": "г. Астана, пр. Мангилик Ел, 55/20",
                       "iin_or_bin": "120440056787", "phone": "+7 701 123 45 67",
                       "email": "office@test.kz"},
        "applicant_name": "ТОО «Тест»", "applicant_kind": "legal_entity",
        "platform_name": f"Bench Ledger {n}", "purpose": "Выпуск и обращение ОЦА",
        "activity_addresses": [{"postal_code": "010000", "region": "", "city": "Астана",
                                "district": "", "settlement": "", "street": "Мангилик Ел",
                                "building": "55/20"}],
        "attachments": [_attachment("sale_contract", "contract.pdf", PDF),
                        _attachment("guarantee_letter", "letter.pdf", LETTER)],
        "truthfulness_confirmed": True, "consents_to_protected_secrets_use": True,
        "consents_to_personal_data_access": True,
        # App.2's words as signed, addressed to the default state body (domain/permits/app2.py).
        "language": "ru", "statements": app2_statements("ru", Provider().name_ru),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    now = datetime.now(UTC)
    pki = DevPki.create(now - timedelta(days=30))
    people = {
        usage: pki.issue(
            Holder(Profile.LEGAL_HEAD, "900101300126", "ТЕСТОВ ТЕСТ", "120440056787",
                   "ТОО «Тест»", usage=usage),
            now - timedelta(days=1),
        )
        for usage in (KeyKind.AUTH, KeyKind.SIGN)
    }  # fmt: skip
    schema = f"kepil_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.database_url}?options=-csearch_path%3D{schema}"
    latencies: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            trust = Path(data_dir) / "trust"
            trust.mkdir()
            (trust / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
            settings = Settings(database_url=url, data_dir=Path(data_dir), trust_dir=trust)
            container = bootstrap(settings)
            signed = [
                sign_cms(canonical_bytes(_form(n)), [people[KeyKind.SIGN]], signing_time=now)
                for n in range(args.requests + 5)
            ]
            with TestClient(create_app(container)) as client:
                nonce = client.post("/api/v1/auth/challenge").json()["nonce"]
                cms = sign_cms(nonce.encode(), [people[KeyKind.AUTH]], signing_time=now)
                token = client.post(
                    "/api/v1/auth/login", json={"cms": base64.b64encode(cms).decode()}
                ).json()["token"]

                def submit(n: int) -> None:
                    files = [
                        ("signed_form", ("form.p7s", signed[n], "application/pkcs7-mime")),
                        ("files", ("contract.pdf", PDF, "application/pdf")),
                        ("files", ("letter.pdf", LETTER, "application/pdf")),
                    ]
                    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"b-{n}"}
                    response = client.post("/api/v1/applications", files=files, headers=headers)
                    assert response.status_code == 201, response.text

                for n in range(5):  # warm-up
                    submit(args.requests + n)
                began = time.perf_counter()
                for n in range(args.requests):
                    started = time.perf_counter()
                    submit(n)
                    latencies.append((time.perf_counter() - started) * 1000)
                elapsed = time.perf_counter() - began
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    latencies.sort()
    print(json.dumps({
        "benchmark": "permit_submission", "database": "postgresql", "requests": args.requests,
        "attachment_bytes": len(PDF) + len(LETTER),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "requests_per_s": round(args.requests / elapsed, 1), "rss_mb": peak_rss_mb(),
        "machine": describe(),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
