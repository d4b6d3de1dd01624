"""The public registry API: search, one entry, CSV and JSON export, clear errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.entrypoints.api.app import create_app

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
ENTRY = RegistryEntry(
    "R-0001",
    "P-0001",
    "A-0001",
    "ТОО «Кепіл Платформ»",
    "190640022316",
    "Kepil Chain",
    "Выпуск ОЦА",
    ("050000, г. Алматы, ул. Абая, 1",),
    date(2026, 1, 15),
    date(2029, 1, 15),
)


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    container = bootstrap(
        Settings(database_url=database_url, data_dir=tmp_path), clock=MovableClock(NOW)
    )
    uow = container.uow()
    with uow:
        uow.registry.add(ENTRY)
        for n in range(2, 26):
            uow.registry.add(
                replace(
                    ENTRY,
                    registry_number=f"R-{n:04}",
                    permit_number=f"P-{n:04}",
                    holder_name=f"ТОО «Актив {n}»",
                    issued_on=date(2023, 1, n),
                    valid_until=date(2026, 1, n),
                )
            )
        suspended = ENTRY.change_status(RegistryStatus.SUSPENDED, "Проверка", "head", NOW)
        uow.registry.save_status(suspended, suspended.history[-1])
        uow.commit()
    with TestClient(create_app(container)) as test_client:
        yield test_client


def test_p11_search_pages_through_entries_with_the_total(client: TestClient) -> None:
    page = client.get("/api/v1/registry", params={"limit": 10, "offset": 10}).json()
    assert page["total"] == 25
    assert len(page["items"]) == 10
    assert page["as_of"] == "2026-11-21"


def test_p11_search_by_name_and_status(client: TestClient) -> None:
    found = client.get("/api/v1/registry", params={"q": "кепіл"}).json()
    assert [i["registry_number"] for i in found["items"]] == ["R-0001"]
    assert found["items"][0]["status"] == "suspended"
    expired = client.get("/api/v1/registry", params={"status": "expired", "limit": 100}).json()
    assert expired["total"] == 24


def test_p11_an_entry_shows_its_history(client: TestClient) -> None:
    body = client.get("/api/v1/registry/R-0001").json()
    assert body["status"] == "suspended"
    assert [h["status"] for h in body["history"]] == ["suspended"]


def test_an_unknown_entry_is_404_with_a_code(client: TestClient) -> None:
    response = client.get("/api/v1/registry/R-9999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_bad_query_is_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/registry", params={"iin_bin": "12ab", "limit": 1000})
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"query.iin_bin", "query.limit"}


def test_csv_export_has_every_matching_row_and_a_bom(client: TestClient) -> None:
    response = client.get("/api/v1/registry/export.csv")
    assert response.status_code == 200
    assert response.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 25
    assert rows[0]["registry_number"] == "R-0001"


def test_json_export_is_one_array_of_matching_entries(client: TestClient) -> None:
    body = client.get("/api/v1/registry/export.json", params={"status": "expired"}).json()
    assert len(body) == 24
    assert {entry["status"] for entry in body} == {"expired"}


@pytest.mark.parametrize("export", ["export.csv", "export.json"])
def test_exports_honour_limit_and_offset_as_the_search_does(
    client: TestClient, export: str
) -> None:
    def numbers(params: dict[str, int]) -> list[str]:
        response = client.get(f"/api/v1/registry/{export}", params=params)
        assert response.status_code == 200, response.text
        if export.endswith("json"):
            return [entry["registry_number"] for entry in response.json()]
        rows = csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))
        return [row["registry_number"] for row in rows]

    page = client.get("/api/v1/registry", params={"limit": 7, "offset": 3}).json()
    assert numbers({"limit": 7, "offset": 3}) == [e["registry_number"] for e in page["items"]]
    everything = numbers({})
    assert len(everything) == 25
    assert numbers({"offset": 20}) == everything[20:]
    assert numbers({"limit": 1000, "offset": 24}) == everything[24:]


def test_csv_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(
    database_url: str, tmp_path: Path
) -> None:
    container = bootstrap(
        Settings(database_url=database_url, data_dir=tmp_path), clock=MovableClock(NOW)
    )
    hostile = replace(
        ENTRY,
        holder_name='=HYPERLINK("http://evil.example","open")',
        platform_name="+cmd|' /C calc'!A0",
        purpose="-2+3",
        addresses=("@SUM(A1:A9)",),
        status_reason="",
    )
    uow = container.uow()
    with uow:
        uow.registry.add(hostile)
        uow.commit()
    with TestClient(create_app(container)) as test_client:
        response = test_client.get("/api/v1/registry/export.csv")
    row = next(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert row["holder_name"] == '\'=HYPERLINK("http://evil.example","open")'
    assert row["platform_name"] == "'+cmd|' /C calc'!A0"
    assert row["purpose"] == "'-2+3"
    assert row["addresses"] == "'@SUM(A1:A9)"
    assert row["registry_number"] == "R-0001"
