"""The API's /healthz on both databases."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app


def test_healthz_reports_the_database_backend_and_schema(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    with TestClient(create_app(bootstrap(settings))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["backend"] in {"sqlite", "postgresql"}
    assert response.headers["x-request-id"]


def test_healthz_is_503_when_the_schema_is_behind(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    with TestClient(create_app(bootstrap(settings, migrate_schema=False))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_openapi_lists_only_the_routes_that_exist(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with TestClient(create_app(bootstrap(settings))) as client:
        paths = set(client.get("/openapi.json").json()["paths"])
    assert paths == {
        "/healthz",
        "/api/v1/auth/challenge",
        "/api/v1/auth/login",
        "/api/v1/auth/session",
        "/api/v1/auth/logout",
        "/api/v1/registry",
        "/api/v1/registry/export.csv",
        "/api/v1/registry/export.json",
        "/api/v1/registry/{registry_number}",
        "/api/v1/registry/{registry_number}/status",
        "/api/v1/permits/{permit_number}/platforms",
        "/api/v1/permits/{permit_number}/platforms/{platform_id}",
        "/api/v1/permits/{permit_number}/platforms/{platform_id}/deliveries/{change_id}/abandon",
        "/api/v1/complaints",
        "/api/v1/complaints/{number}",
        "/api/v1/complaints/{number}/decisions",
        "/api/v1/rule-changes",
        "/api/v1/rule-changes/{change_id}/tasks/{recipient}/sent",
        "/api/v1/applications",
        "/api/v1/applications/{number}",
        "/api/v1/applications/{number}/attachments/{sha256}",
        "/api/v1/applications/{number}/drafts",
        "/api/v1/applications/{number}/decisions",
        "/api/v1/applications/{number}/hearing-limits",
        "/api/v1/documents/{number}",
        "/api/v1/documents/{number}/check",
        "/api/v1/acts/{sha256}/check",
        "/api/v1/cabinet/notifications",
        "/api/v1/monitoring/events",
        "/api/v1/monitoring/sla",
        "/api/v1/ledger/transactions",
        "/api/v1/ledger/transactions/batch",
        "/api/v1/ledger/transactions/{tx_id}",
        "/api/v1/ledger/transactions/{tx_id}/receipt",
        "/api/v1/ledger/node",
        "/api/v1/ledger/permit",
        "/api/v1/ledger/blocks/latest",
        "/api/v1/ledger/blocks/{height}",
        "/api/v1/ledger/accounts/{signer}",
        "/api/v1/ledger/holdings/{holder}",
        "/api/v1/ledger/history/{holder}",
        "/api/v1/ledger/types",
        "/api/v1/ledger/types/{type_name}",
    }
