"""The HTTP edge: 405 says what is allowed, a 422 says where the request is wrong, and the
OpenAPI lists the error answers the server gives, in the format it gives them."""

from __future__ import annotations

from typing import Any

import pytest
from tests.integration.permits.portal import Portal

ERROR = {"$ref": "#/components/schemas/ErrorResponse"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/applications", {"GET", "POST"}),
        ("PUT", "/api/v1/registry/R-0001", {"GET"}),
        ("GET", "/api/v1/auth/login", {"POST"}),
        ("PATCH", "/api/v1/ledger/transactions", {"POST"}),
    ],
)
def test_a_method_the_path_does_not_serve_is_a_405_listing_every_method_it_does(
    sqlite_portal: Portal, method: str, path: str, allowed: set[str]
) -> None:
    response = sqlite_portal.client.request(method, path)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == allowed
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("request_args", "field", "said"),
    [
        (("GET", "/api/v1/ledger/blocks/tall"), "path.height", "path parameter height"),
        (("GET", "/api/v1/registry?limit=0"), "query.limit", "query parameter limit"),
        (("POST", "/api/v1/auth/login"), "body", "body"),
    ],
)
def test_an_invalid_request_says_where_it_is_invalid(
    sqlite_portal: Portal, request_args: tuple[str, str], field: str, said: str
) -> None:
    response = sqlite_portal.client.request(*request_args, headers={"content-type": "x/y"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == f"invalid {said}"
    assert [d["field"] for d in error["details"]] == [field]


def test_a_missing_header_and_file_are_both_named(sqlite_portal: Portal) -> None:
    head = sqlite_portal.applicant.headers
    response = sqlite_portal.client.post("/api/v1/applications", headers=head, files={"x": b""})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == "invalid header Idempotency-Key, body field signed_form"


def _operations(portal: Portal) -> list[tuple[str, str, dict[str, Any]]]:
    paths: dict[str, dict[str, Any]] = portal.client.get("/openapi.json").json()["paths"]
    return [(path, method, op) for path, item in paths.items() for method, op in item.items()]


def _json_schema(answer: dict[str, Any]) -> Any:
    return answer["content"]["application/json"]["schema"]


def test_the_openapi_documents_422_404_and_400_in_the_error_format(sqlite_portal: Portal) -> None:
    schemas = sqlite_portal.client.get("/openapi.json").json()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    for path, method, operation in _operations(sqlite_portal):
        answers = operation["responses"]
        where = f"{method.upper()} {path}"
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        assert takes_input == ("422" in answers), where
        if "{" in path:
            assert "404" in answers, where
        if "requestBody" in operation:
            assert "400" in answers, where
        for status, answer in answers.items():
            if status.startswith(("4", "5")):
                assert _json_schema(answer) == ERROR, f"{where} {status}"
