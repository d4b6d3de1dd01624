"""What the pages that send an EDS-signed act share: the posted fields, the CSRF check of a
script's request, JSON answers with problems in the person's words, the service's refusals."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile

from kepil.domain.permits.errors import (
    ActionForbiddenError,
    InvalidApplicationFormError,
    PermitDomainError,
    TransitionNotAllowedError,
)
from kepil.entrypoints.api.schemas.signed import MAX_CMS_BYTES
from kepil.entrypoints.web import filing_words as words
from kepil.entrypoints.web.i18n import N_, Translator
from kepil.entrypoints.web.session import CSRF_FIELD, CSRF_HEADER, check_csrf
from kepil.services.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceError,
    SignatureRefusedError,
)

# A whole-form message, not about one control: shown in the summary at the top.
FORM = "form"

# Refusals any signed act on a case may meet, whoever signs it (the applicant's pages and the
# officials' desk alike): said here so that every page says them the same way.
CONCURRENT_CHANGE = N_(
    "Someone else has just acted on this case; reload the page to see its new status."
)
DOCUMENT_MISMATCH = N_(
    "The signature is over other bytes than the document the service issues now, so nothing "
    "was issued. Reload the page, check the document shown and sign it again."
)
ACT_REFUSALS: Final = {
    "concurrent_change": CONCURRENT_CHANGE,
    "document_mismatch": DOCUMENT_MISMATCH,
}


async def _posted(request: Request) -> AsyncIterator[FormData]:
    # Uploaded files are spooled to disk: closed once the answer is made.
    posted = await request.form()
    try:
        yield posted
    finally:
        await posted.close()


PostedDep = Annotated[FormData, Depends(_posted)]


def texts(posted: FormData) -> dict[str, str]:
    """The posted text fields (the last value of each name); files are left out."""
    return {key: value for key, value in posted.items() if isinstance(value, str)}


def files(posted: FormData, name: str) -> list[UploadFile]:
    """The files posted under a name."""
    return [value for value in posted.getlist(name) if isinstance(value, UploadFile)]


def check_script_csrf(request: Request, posted: FormData) -> None:
    """A script's request carries the token in its header or among its fields."""
    sent = request.headers.get(CSRF_HEADER) or posted.get(CSRF_FIELD)
    check_csrf(request, sent if isinstance(sent, str) else None)


def cms_of(posted: FormData) -> bytes | None:
    """The CMS NCALayer made, from its base64 in the `cms` field; None if unreadable."""
    text = posted.get("cms")
    if not isinstance(text, str) or not text or len(text) > 4 * MAX_CMS_BYTES // 3 + 4:
        return None
    try:
        return base64.b64decode(text, validate=True) or None
    except (binascii.Error, ValueError):
        return None


def problems_answer(
    gettext: Translator, problems: list[tuple[str, str]], status_code: int = 422
) -> JSONResponse:
    """The problems as JSON: each with the id of its control and its words in the language."""
    return JSONResponse(
        {"problems": [{"field": f, "message": gettext.gettext(m)} for f, m in problems]},
        status_code=status_code,
    )


def refusal_problems(error: Exception) -> list[tuple[str, str]]:
    """A refusal of the service or of the domain as (control, msgid) pairs."""
    if isinstance(error, InvalidApplicationFormError):
        return [(FORM, words.PROBLEMS[problem.code]) for problem in error.problems]
    if isinstance(error, TransitionNotAllowedError):
        return [(FORM, words.SERVICE_ERRORS["transition_not_allowed"])]
    if isinstance(error, ActionForbiddenError):
        return [(FORM, words.SERVICE_ERRORS["signature_right_required"])]
    if isinstance(error, ServiceError):
        message = words.SERVICE_ERRORS.get(error.code) or ACT_REFUSALS.get(error.code)
        if message is None:
            refused = isinstance(error, SignatureRefusedError)
            message = words.SIGNATURE_REFUSED if refused else words.SERVICE_REFUSED
        if error.code == "attachments_mismatch" and error.details:
            return [(str(detail.get("field", FORM)), message) for detail in error.details]
        return [(FORM, message)]
    return [(FORM, words.SERVICE_REFUSED)]


REFUSALS = (ServiceError, PermitDomainError)


def refusal_status(error: Exception) -> int:
    """The status the API would answer the same refusal with."""
    if isinstance(error, ConflictError | TransitionNotAllowedError):
        return 409
    if isinstance(error, ForbiddenError | ActionForbiddenError):
        return 403
    return 404 if isinstance(error, NotFoundError) else 422


def malformed_cms() -> list[tuple[str, str]]:
    """NCALayer's answer did not arrive as base64."""
    return [(FORM, words.SERVICE_ERRORS["malformed_cms"])]
