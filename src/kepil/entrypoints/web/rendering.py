"""Render a template in the person's language and version, and remember their choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kepil.entrypoints.web.i18n import Language, translator
from kepil.entrypoints.web.preferences import Preferences, Version
from kepil.entrypoints.web.words import NAV

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

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
    page = _environment.get_template(template).render(
        **(context or {}),
        _=words.gettext,
        date=words.date,
        moment=words.moment,
        lang=prefs.language.value,
        accessible=prefs.version is Version.ACCESSIBLE,
        path=url.path,
        nav=NAV,
        switch_language={
            language.value: _here(request, lang=language.value) for language in Language
        },
        switch_version=_here(request, version=_other(prefs.version).value),
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["content-language"] = prefs.language.value
    prefs.remember(request, response)
    return response
