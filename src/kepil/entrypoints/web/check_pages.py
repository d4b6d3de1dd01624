"""`/check`: anyone types a document's number and learns whether this service issued it and,
for a permit, whether it is in force; a plain GET form that works without JavaScript."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.dependencies import ViewsDep
from kepil.entrypoints.web import words
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# Numbers are stored in 32 characters (PRM-2026-000001, REG-2026-000001); anything longer or
# with other characters cannot be one, so it is refused before the database is asked.
MAX_NUMBER = 32
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]*")


@router.get("/check")
def check(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """The form; with a number, the answer beside it, or the problem beside the field."""
    asked = request.query_params.get("number")
    typed = (asked or "").strip()[:200]
    number = typed.upper()
    error = None
    if asked is not None and not number:
        error = N_("Enter the number of the document.")
    elif len(number) > MAX_NUMBER or (number and not _NUMBER.fullmatch(number)):
        error = N_(
            "A document number has at most 32 characters: Latin letters, digits and hyphens, "
            "such as PRM-2026-000001."
        )
    found = views.check_document(number) if number and error is None else None
    context = {
        "typed": typed,
        "asked": bool(number) and error is None,
        "error": error,
        "found": found,
        "in_force": found is not None
        and found.entry is not None
        and found.entry.status is RegistryStatus.ACTIVE,
        "statuses": words.STATUS_NAMES,
        "words": words,
    }
    return render(request, prefs, "check.html", context)
