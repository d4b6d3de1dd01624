"""Error responses: 4xx with a stable machine code and a message for people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kepil.domain.permits import (
    ActionForbiddenError,
    InvalidApplicationFormError,
    InvalidRefusalError,
    TransitionNotAllowedError,
)
from kepil.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
    SignatureRefusedError,
)

_SERVICE_STATUS: dict[type[ServiceError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    InvalidInputError: 422,
    ForbiddenError: 403,
    SignatureRefusedError: 422,
}


class ErrorBody(BaseModel):
    """What went wrong: `code` is stable for programs, `message` is for people."""

    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The envelope of every error response."""

    error: ErrorBody


class ApiError(Exception):
    """Raised by routers to answer with a specific status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """A JSON error response in the common envelope."""
    body = ErrorResponse(error=ErrorBody(code=code, message=message, **extra))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status)


def error_answers(described: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, each in the common envelope with its meaning."""
    return {
        status: {"model": ErrorResponse, "description": text} for status, text in described.items()
    }


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the common envelope."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message)

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, error: ServiceError) -> JSONResponse:
        status = _SERVICE_STATUS.get(type(error), 400)
        return error_response(status, error.code, error.message, details=error.details)

    @app.exception_handler(InvalidApplicationFormError)
    async def _invalid_form(_request: Request, error: InvalidApplicationFormError) -> JSONResponse:
        details = [
            {"field": p.field, "problem": str(p.code), "detail": p.detail} for p in error.problems
        ]
        return error_response(422, "invalid_form", str(error), details=details)

    @app.exception_handler(TransitionNotAllowedError)
    async def _transition(_request: Request, error: TransitionNotAllowedError) -> JSONResponse:
        return error_response(409, "transition_not_allowed", str(error))

    @app.exception_handler(ActionForbiddenError)
    async def _forbidden(_request: Request, error: ActionForbiddenError) -> JSONResponse:
        return error_response(403, "forbidden", str(error))

    @app.exception_handler(InvalidRefusalError)
    async def _refusal(_request: Request, error: InvalidRefusalError) -> JSONResponse:
        return error_response(422, "invalid_refusal", str(error))

    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]


async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    """A request FastAPI could not read, field by field, in the common envelope."""
    problems = error.errors()
    details = [
        {"field": ".".join(str(part) for part in e["loc"]), "problem": e["msg"]} for e in problems
    ]
    places = dict.fromkeys(_where(e["loc"]) for e in problems)
    return error_response(422, "invalid_request", f"invalid {', '.join(places)}", details=details)


async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) in the common envelope."""
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(
        error.status_code, "http_error"
    )
    response = error_response(error.status_code, code, str(error.detail))
    response.headers.update(error.headers or {})
    if error.status_code == 405:
        response.headers["Allow"] = _allowed_methods(request)
    return response


_PLACES = {"path": "path parameter", "query": "query parameter", "body": "body field"}


def _where(loc: Sequence[Any]) -> str:
    """Where a validation problem is, as people say it: `query parameter offset`, `body`."""
    place, *name = (str(part) for part in loc)
    if not name:
        return place
    return f"{_PLACES.get(place, place)} {'.'.join(name)}"


def _allowed_methods(request: Request) -> str:
    # Starlette's own Allow names the methods of one route only, and the routes of a path are
    # one per method here: ask every route whether it takes each method on this path.
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        for route in request.app.router.routes:
            if route.matches(scope)[0] is Match.FULL:
                allowed.append(method)
                break
    return ", ".join(allowed)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
