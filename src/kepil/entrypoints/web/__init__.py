"""Server-rendered pages for people: Jinja2 templates on the same read models as the API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kepil.entrypoints.api.errors import http_error, validation_error
from kepil.entrypoints.web import (
    cabinet_pages,
    check_pages,
    complaint_pages,
    contact_centre_pages,
    desk_action_pages,
    desk_complaint_pages,
    desk_monitoring_pages,
    desk_pages,
    desk_rule_change_pages,
    desk_staff_pages,
    document_pages,
    explorer_pages,
    filing_pages,
    pages,
    registry_pages,
    sign_in_pages,
    withdraw_pages,
)
from kepil.entrypoints.web.preferences import preferences
from kepil.entrypoints.web.rendering import STATIC_DIR, render
from kepil.entrypoints.web.session import (
    CsrfRefusedError,
    SignInRequiredError,
    sign_in_address,
)

# Addresses that answer machines: their errors stay in the API's JSON envelope.
_MACHINE_PREFIXES = ("/api/", "/static/", "/healthz", "/readyz", "/metrics", "/openapi", "/docs")


def install_web(app: FastAPI) -> None:
    """Serve the pages at `/` and their stylesheets at `/static`; errors on pages are pages."""
    app.include_router(pages.router)
    app.include_router(registry_pages.router)
    app.include_router(explorer_pages.router)
    app.include_router(sign_in_pages.router)
    app.include_router(filing_pages.router)
    app.include_router(withdraw_pages.router)
    app.include_router(complaint_pages.router)
    app.include_router(cabinet_pages.router)
    app.include_router(document_pages.router)
    app.include_router(check_pages.router)
    app.include_router(contact_centre_pages.router)
    app.include_router(desk_pages.router)
    app.include_router(desk_action_pages.router)
    app.include_router(desk_complaint_pages.router)
    app.include_router(desk_rule_change_pages.router)
    app.include_router(desk_monitoring_pages.router)
    app.include_router(desk_staff_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    async def _sign_in(request: Request, error: Exception) -> Response:
        if not isinstance(error, SignInRequiredError):  # registered for that type only
            raise error
        return RedirectResponse(sign_in_address(error.back_to, expired=error.expired), 303)

    async def _csrf(request: Request, _error: Exception) -> Response:
        return render(request, preferences(request), "forbidden_form.html", status_code=403)

    app.add_exception_handler(SignInRequiredError, _sign_in)
    app.add_exception_handler(CsrfRefusedError, _csrf)
    _install_page_errors(app)


def install_node_web(app: FastAPI) -> None:
    """Serve a platform node's explorer pages for its own replica, as the portal serves them.

    Only the explorer: the layout's navigation then names nothing a node does not serve (no
    sign-in, no cabinet, no registry), by the `node_only` flag the templates read.
    """
    app.state.web_node_only = True
    app.include_router(explorer_pages.router)

    @app.get("/", include_in_schema=False)
    def _home() -> RedirectResponse:
        """A person who opens the node's own address finds its explorer."""
        return RedirectResponse("/explorer", status_code=307)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_page_errors(app)


def _install_page_errors(app: FastAPI) -> None:
    """Errors at page addresses answer as pages; at machine addresses, in the API's JSON."""

    async def _http(request: Request, error: Exception) -> Response:
        if not isinstance(error, StarletteHTTPException):  # registered for that type only
            raise error
        if request.url.path.startswith(_MACHINE_PREFIXES):
            return await http_error(request, error)
        page = "not_found.html" if error.status_code == 404 else "problem.html"
        response = render(request, preferences(request), page, status_code=error.status_code)
        response.headers.update(error.headers or {})
        return response

    async def _invalid(request: Request, error: Exception) -> Response:
        if not isinstance(error, RequestValidationError):  # registered for that type only
            raise error
        if request.url.path.startswith(_MACHINE_PREFIXES):
            return await validation_error(request, error)
        return render(request, preferences(request), "problem.html", status_code=422)

    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
