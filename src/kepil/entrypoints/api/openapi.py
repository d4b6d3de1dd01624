"""The OpenAPI document lists the error answers the server gives, in the format it gives them.

FastAPI documents its own validation error (`HTTPValidationError`) where our handler answers
the common envelope, and knows nothing of the 404 a path names nothing for or the 400 of a body
it cannot read. One rule per answer, applied to every operation, keeps the document
true without each router restating it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from kepil.entrypoints.api.errors import ErrorResponse

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
_INVALID = "the request is invalid: `details` name each parameter (path, query, header, body)"
_NOT_FOUND = "nothing at this path: what it names does not exist, or is not yours to see"
_UNREADABLE = "the body cannot be read: not JSON, not UTF-8, or broken multipart/form-data"


def document_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi` with the error answers of every operation in the common envelope."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI caches the document; the rules are idempotent, so applying them again is safe.
        document = generate()
        for path, item in document.get("paths", {}).items():
            for operation in item.values():
                _answers(path, operation)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        if "ErrorResponse" not in schemas:
            _add_error_schemas(schemas)
        return document

    return openapi


def _answers(path: str, operation: dict[str, Any]) -> None:
    answers = operation.setdefault("responses", {})
    body = operation.get("requestBody", {}).get("content", {})
    takes_input = operation.get("parameters") or body
    if takes_input and answers.get("422", {}).get("content") != _ERROR:
        answers["422"] = {"description": _INVALID, "content": _ERROR}
    if "{" in path:
        answers.setdefault("404", {"description": _NOT_FOUND, "content": _ERROR})
    if body:
        answers.setdefault("400", {"description": _UNREADABLE, "content": _ERROR})


def _add_error_schemas(schemas: dict[str, Any]) -> None:
    found = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(found.pop("$defs", {}))
    schemas["ErrorResponse"] = found
