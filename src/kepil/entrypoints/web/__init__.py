"""Server-rendered pages for people: Jinja2 templates on the same read models as the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kepil.entrypoints.web import pages, registry_pages
from kepil.entrypoints.web.rendering import STATIC_DIR


def install_web(app: FastAPI) -> None:
    """Serve the pages at `/` and their stylesheets at `/static`."""
    app.include_router(pages.router)
    app.include_router(registry_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
