"""The public state registry as pages: search with a plain GET form, paging, one entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kepil.bootstrap import Container
from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.bounds import MAX_OFFSET
from kepil.entrypoints.api.dependencies import CurrentSession, ViewsDep
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import OptionalPersonDep
from kepil.entrypoints.web.words import (
    CHANGE_ACTION_NAMES,
    DELIVERY_STATE_NAMES,
    STATUS_NAMES,
)
from kepil.services.bridge.platforms import Platform
from kepil.services.errors import NotFoundError
from kepil.services.permits.platforms import platforms_of
from kepil.services.permits.ports import RegistryQuery

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE_SIZE = 20
# The same bounds as the API's search (entrypoints/api/routers/registry.py).
_MAX_TEXT = 200
_LAST_PAGE = MAX_OFFSET // PAGE_SIZE
_IIN_BIN = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What the person typed, kept as typed, and a message beside each field it is wrong in."""

    q: str
    iin_bin: str
    platform: str
    status: str
    page: int
    errors: dict[str, str]

    def query(self) -> RegistryQuery:
        """The read model's query for this form's page."""
        return RegistryQuery(
            self.q or None,
            self.iin_bin or None,
            self.platform or None,
            RegistryStatus(self.status) if self.status else None,
            limit=PAGE_SIZE,
            offset=(self.page - 1) * PAGE_SIZE,
        )

    def filters(self) -> dict[str, str]:
        """The filled-in filters, for links to other pages and to the exports."""
        pairs = {"q": self.q, "iin_bin": self.iin_bin, "platform": self.platform}
        pairs["status"] = self.status
        return {name: value for name, value in pairs.items() if value}


def read_form(request: Request) -> SearchForm:
    """The search form from the query; a wrong field gets a message instead of an error page."""
    params = request.query_params
    q, iin_bin, platform = (params.get(name, "").strip() for name in ("q", "iin_bin", "platform"))
    status = params.get("status", "")
    errors: dict[str, str] = {}
    for name, value in (("q", q), ("platform", platform)):
        if len(value) > _MAX_TEXT:
            errors[name] = N_("At most 200 characters.")
    if iin_bin and not _IIN_BIN.fullmatch(iin_bin):
        errors["iin_bin"] = N_("An IIN or BIN is 12 digits.")
    if status and status not in RegistryStatus._value2member_map_:
        errors["status"] = N_("Choose a status from the list.")
        status = ""
    page_text = params.get("page", "1")
    page = int(page_text) if page_text.isdecimal() and len(page_text) < 12 else 0
    if not 1 <= page <= _LAST_PAGE:
        errors["page"] = N_("There is no such page.")
        page = 1
    return SearchForm(q, iin_bin, platform, status, page, errors)


@router.get("/registry")
def registry(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """Search the registry; a form with mistakes shows them and searches nothing."""
    form = read_form(request)
    page = None if form.errors else views.registry_page(form.query())
    filters = form.filters()
    context = {
        "form": form,
        "result": page,
        "statuses": STATUS_NAMES,
        "pages": _page_links(form, page.total if page else 0),
        "export_query": urlencode(filters),
    }
    return render(request, prefs, "registry.html", context)


def _page_links(form: SearchForm, total: int) -> dict[str, str]:
    last = max(1, -(-total // PAGE_SIZE))
    links = {}
    if form.page > 1:
        links["previous"] = "/registry?" + urlencode({**form.filters(), "page": form.page - 1})
    if form.page < last:
        links["next"] = "/registry?" + urlencode({**form.filters(), "page": form.page + 1})
    return links


@router.get("/registry/{registry_number}")
def entry(
    registry_number: str,
    request: Request,
    prefs: PreferencesDep,
    views: ViewsDep,
    person: OptionalPersonDep,
) -> HTMLResponse:
    """One entry with its status history; an unknown number is a 404 page in the language.

    Officials and the permit's holder, signed in, also see the platforms running under the
    permit and where each registry change stands for each of them (issue 21)."""
    found = views.registry_entry(registry_number)
    if found is None:
        context = {"number": registry_number}
        return render(request, prefs, "registry_missing.html", context, status_code=404)
    page: dict[str, object] = {
        "entry": found,
        "statuses": STATUS_NAMES,
        "platforms": _platforms(request, found.permit_number, person),
        "actions": CHANGE_ACTION_NAMES,
        "delivery_states": DELIVERY_STATE_NAMES,
    }
    return render(request, prefs, "entry.html", page)


def _platforms(
    request: Request, permit_number: str, person: CurrentSession | None
) -> list[Platform] | None:
    """The permit's platforms for whoever may see them; None for everyone else."""
    if person is None:
        return None
    container: Container = request.app.state.container
    try:
        return platforms_of(permit_number, person.principal, container.uow())
    except NotFoundError:
        return None
