"""Integer parameters have documented bounds: past them a 422 in the error format, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from tests.integration.permits.portal import Portal

from kepil.domain.permits import PermitRole

TOO_BIG = 2**63  # one past what SQLite's INTEGER and PostgreSQL's bigint hold

# (path, parameter name, where it goes); {value} is replaced by the number under test.
PARAMETERS = [
    ("/api/v1/registry?offset={value}", "offset", "query"),
    ("/api/v1/registry/export.csv?offset={value}", "offset", "query"),
    ("/api/v1/registry/export.json?offset={value}", "offset", "query"),
    ("/api/v1/applications?offset={value}", "offset", "query"),
    ("/api/v1/complaints?offset={value}", "offset", "query"),
    ("/api/v1/rule-changes?offset={value}", "offset", "query"),
    ("/api/v1/monitoring/events?after={value}", "after", "query"),
    ("/api/v1/ledger/history/190640022316?before={value}", "before", "query"),
    ("/api/v1/ledger/blocks/{value}", "height", "path"),
]


def _openapi_maximum(portal: Portal, url: str, name: str) -> int:
    path = url.partition("?")[0].replace("{value}", "{height}").replace("190640022316", "{holder}")
    operation = portal.client.get("/openapi.json").json()["paths"][path]["get"]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == name]
    schema = parameter["schema"]
    # An optional parameter is documented as "an integer or nothing".
    (integer,) = [s for s in schema.get("anyOf", [schema]) if s.get("type") == "integer"]
    return int(integer["maximum"])


@pytest.mark.parametrize(("url", "name", "where"), PARAMETERS)
def test_an_integer_past_its_bound_is_a_422_naming_the_parameter_and_the_bound_is_documented(
    portal: Portal, url: str, name: str, where: str
) -> None:
    head = portal.officials[PermitRole.HEAD].headers
    response = portal.client.get(url.format(value=TOO_BIG), headers=head)
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert [d["field"] for d in error["details"]] == [f"{where}.{name}"]
    maximum = _openapi_maximum(portal, url, name)
    assert maximum < TOO_BIG
    at_the_bound = portal.client.get(url.format(value=maximum), headers=head)
    assert at_the_bound.status_code in {200, 404}, at_the_bound.text
