"""The public pages that read nothing from the database: home and the service passport."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def home(request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """What the service is, and where to go."""
    return render(request, prefs, "home.html")


@router.get("/service")
def service(request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """The service passport: Appendix 1 of the Rules (Order 130/НҚ)."""
    return render(request, prefs, "service.html")
