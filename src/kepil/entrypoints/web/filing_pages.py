"""Filing an application from the cabinet: the Appendix 2 form as a page, checked by the
domain's rules, its canonical bytes signed by NCALayer and filed with SubmitApplication."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kepil.entrypoints.api.dependencies import BusDep, ViewsDep
from kepil.entrypoints.web import filing_words as words
from kepil.entrypoints.web.filing_form import Checked, FilingForm, Messages, Wording, check
from kepil.entrypoints.web.i18n import translator
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep
from kepil.entrypoints.web.signing_pages import (
    FORM,
    REFUSALS,
    PostedDep,
    check_script_csrf,
    cms_of,
    files,
    malformed_cms,
    problems_answer,
    refusal_problems,
    refusal_status,
    texts,
)
from kepil.services.permits.submission import SubmitApplication, UploadedFile

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

NEW = "/cabinet/applications/new"
_MB = 1024 * 1024


@router.get(NEW)
def filing_page(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """A blank Appendix 2 form, prefilled with what the signed-in person's certificate says."""
    filing = FilingForm.blank(person.principal)
    return _page(request, prefs, views, filing, _new_key())


@router.post(NEW)
def check_on_page(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep, posted: PostedDep
) -> Response:
    """Without JavaScript: add a block, or check the form and show every problem by its field."""
    check_script_csrf(request, posted)
    fields = texts(posted)
    filing = FilingForm.posted(fields)
    key = fields.get("idempotency_key") or _new_key()
    added = fields.get("add")
    if added in ("address", "attachment"):
        if added == "address":
            filing.add_address()
        else:
            filing.add_attachment()
        return _page(request, prefs, views, filing, key, focus=added)
    checked = check(filing, views.registry_day(), _wording(prefs, views))
    status = 422 if checked.errors else 200
    return _page(request, prefs, views, filing, key, checked=checked, status_code=status)


@router.post("/cabinet/applications/prepare", response_class=JSONResponse)
def prepare(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep, posted: PostedDep
) -> JSONResponse:
    """The exact bytes to sign (base64), or every problem; warnings travel with the bytes."""
    check_script_csrf(request, posted)
    words_of = translator(prefs.language)
    filing = FilingForm.posted(texts(posted))
    checked = check(filing, views.registry_day(), _wording(prefs, views))
    content = checked.content
    if content is None:
        return problems_answer(words_of, _pairs(checked.errors) or [(FORM, words.SERVICE_REFUSED)])
    warnings = [
        {"field": control, "message": words_of.gettext(message)}
        for control, message in _pairs(checked.warnings)
    ]
    return JSONResponse(
        {"data_b64": base64.b64encode(content).decode("ascii"), "warnings": warnings}
    )


@router.post("/cabinet/applications", response_class=JSONResponse)
def submit(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    bus: BusDep,
    views: ViewsDep,
    posted: PostedDep,
) -> JSONResponse:
    """File the signed form with its files; the page's Idempotency-Key makes a retry file once."""
    check_script_csrf(request, posted)
    words_of = translator(prefs.language)
    cms = cms_of(posted)
    if cms is None:
        return problems_answer(words_of, malformed_cms())
    limits = views.upload_limits()
    uploads: list[UploadedFile] = []
    for upload in files(posted, "files"):
        content = upload.file.read(limits.max_file_bytes + 1)
        if len(content) > limits.max_file_bytes:
            field = f"files[{upload.filename or ''}]"
            return problems_answer(words_of, [(field, words.SERVICE_ERRORS["too_large"])], 413)
        uploads.append(
            UploadedFile(
                upload.filename or "", upload.content_type or "application/octet-stream", content
            )
        )
    key = texts(posted).get("idempotency_key", "")
    command = SubmitApplication(person.principal, cms, tuple(uploads), key)
    try:
        filed = bus.handle(command)
    except REFUSALS as refused:
        return problems_answer(words_of, refusal_problems(refused), refusal_status(refused))
    location = f"/cabinet/applications/{filed.number}"
    return JSONResponse(
        {"number": filed.number, "location": location, "replayed": not filed.created},
        status_code=201 if filed.created else 200,
        headers={"location": location},
    )


def _wording(prefs: Preferences, views: ViewsDep) -> Wording:
    # The statements in the language the page is read in: what the person sees is signed.
    return Wording.of(prefs.language.value, views.context.provider)


def _page(
    request: Request,
    prefs: Preferences,
    views: ViewsDep,
    filing: FilingForm,
    key: str,
    *,
    checked: Checked | None = None,
    focus: str = "",
    status_code: int = 200,
) -> Response:
    limits = views.upload_limits()
    errors = checked.errors if checked else Messages()
    warnings = checked.warnings if checked else Messages()
    context: dict[str, Any] = {
        "form": filing,
        "errors": errors.by_field,
        "warnings": warnings.by_field,
        "checked": checked is not None,
        "idempotency_key": key,
        "focus": focus,
        "words": words,
        "statements": _wording(prefs, views).statements,
        "limits": {
            "max_file_bytes": limits.max_file_bytes,
            "max_total_bytes": limits.max_total_bytes,
            "max_files": limits.max_files,
            "media_types": " ".join(sorted(limits.media_types)),
            "file_mb": limits.max_file_bytes // _MB,
            "total_mb": limits.max_total_bytes // _MB,
        },
    }
    return render(request, prefs, "filing.html", context, status_code)


def _pairs(messages: Messages) -> list[tuple[str, str]]:
    return [(control, text) for control, kept in messages.by_field.items() for text in kept]


def _new_key() -> str:
    # One key per rendered form: a double click or a retry of the same page files once.
    return secrets.token_urlsafe(24)
