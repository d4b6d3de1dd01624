"""Render a template in the person's language and version, and remember their choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kepil.entrypoints.api.dependencies import CurrentSession
from kepil.entrypoints.web.i18n import Language, translator
from kepil.entrypoints.web.preferences import Preferences, Version
from kepil.entrypoints.web.session import csrf_token, keep_browser_cookie, signed_in
from kepil.entrypoints.web.words import NAV, NODE_NAV, WORKSPACE

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Nothing is loaded from outside the server; scripts talk only to it and to NCALayer on this
# computer; no page can be framed. Inline script and style are refused, which also blunts any
# markup that slipped past escaping.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self' wss://127.0.0.1:13579; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}

_environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _here(request: Request, **choice: str) -> str:
    """This page's own address (path and query, no host) with the choice added."""
    changed = request.url.include_query_params(**choice)
    return f"{changed.path}?{changed.query}"


def _other(version: Version) -> Version:
    return Version.STANDARD if version is Version.ACCESSIBLE else Version.ACCESSIBLE


def _workspace(request: Request, person: CurrentSession | None) -> bool:
    """Whether the signed-in person holds a Ministry duty: the header then links to /desk."""
    if person is None:
        return False
    known: bool | None = getattr(request.state, "has_desk", None)
    if known is None:
        known = request.app.state.container.views.has_desk(person.principal)
        request.state.has_desk = known
    return bool(known)


def node_only(request: Request) -> bool:
    """Whether this app is a platform node serving only its explorer (see install_node_web)."""
    return bool(getattr(request.app.state, "web_node_only", False))


def render(
    request: Request,
    prefs: Preferences,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page as HTML in the person's language, with the switches pointing at this address."""
    words = translator(prefs.language)
    url = request.url
    only_explorer = node_only(request)
    # A node has no sessions: a portal cookie sent to the same host on another port means nothing.
    person = None if only_explorer else signed_in(request)
    nav = NODE_NAV if only_explorer else NAV + ((WORKSPACE,) if _workspace(request, person) else ())
    page = _environment.get_template(template).render(
        **(context or {}),
        _=words.gettext,
        date=words.date,
        moment=words.moment,
        lang=prefs.language.value,
        accessible=prefs.version is Version.ACCESSIBLE,
        path=url.path,
        nav=nav,
        node_only=only_explorer,
        switch_language={
            language.value: _here(request, lang=language.value) for language in Language
        },
        switch_version=_here(request, version=_other(prefs.version).value),
        person=person.principal if person is not None else None,
        csrf_token=lambda: csrf_token(request),
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["content-language"] = prefs.language.value
    response.headers.update(SECURITY_HEADERS)
    if person is not None:
        # A page about a person's own cases must not be kept by shared caches or the back cache.
        response.headers["cache-control"] = "no-store"
    prefs.remember(request, response)
    keep_browser_cookie(request, response)
    return response
