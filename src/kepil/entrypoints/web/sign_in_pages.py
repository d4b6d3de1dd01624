"""Sign-in with EDS through NCALayer, as egov.kz does it, and signing out."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kepil.domain.auth import SignInRefusal, SignInRefusedError
from kepil.entrypoints.api.dependencies import BusDep
from kepil.entrypoints.api.schemas.auth import MAX_CMS_BYTES
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import (
    OptionalPersonDep,
    check_csrf,
    close_session,
    open_session,
    safe_next,
)
from kepil.services.identity.sign_in import IssueChallenge, LogIn, LogOut

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

_TRY_AGAIN = N_("The sign-in request has expired. Press the button again.")
REFUSALS: dict[str, str] = {
    SignInRefusal.UNKNOWN_NONCE: _TRY_AGAIN,
    SignInRefusal.EXPIRED_NONCE: _TRY_AGAIN,
    SignInRefusal.REPLAYED_NONCE: _TRY_AGAIN,
    SignInRefusal.MALFORMED_SIGNATURE: N_(
        "NCALayer's answer could not be read. Press the button again; if this repeats, "
        "update NCALayer."
    ),
    SignInRefusal.INVALID_SIGNATURE: N_(
        "The signature was not accepted: the certificate is not valid now, has been revoked, "
        "or was not issued by the National Certification Centre."
    ),
    SignInRefusal.NOT_AN_AUTHENTICATION_KEY: N_(
        "This key is for signing documents, not for signing in. In NCALayer choose your GOST "
        "2015 key (an NCA kit since 2022 signs and signs in with one key) or, in an older kit, "
        "the authentication key whose file name begins with AUTH."
    ),
    SignInRefusal.NO_IDENTITY: N_(
        "The certificate carries no IIN, so it cannot be used to sign in to this service."
    ),
}


@router.get("/login")
def login_page(
    request: Request, prefs: PreferencesDep, person: OptionalPersonDep, next: str = "/cabinet"
) -> Response:
    """The sign-in page; a signed-in person goes straight on to where they were going."""
    if person is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    expired = request.query_params.get("expired") == "1"
    context = {"next": safe_next(next), "expired": expired, "refusal": None}
    return render(request, prefs, "login.html", context)


@router.post("/login/challenge", response_class=JSONResponse)
def challenge(
    request: Request,
    bus: BusDep,
    csrf: Annotated[str | None, Header(alias="X-CSRF-Token")] = None,
) -> JSONResponse:
    """A fresh nonce for NCALayer to sign, as the base64 NCALayer's `sign` takes."""
    check_csrf(request, csrf)
    issued = bus.handle(IssueChallenge())
    data = base64.b64encode(issued.nonce.encode()).decode("ascii")
    return JSONResponse({"nonce": issued.nonce, "data_b64": data})


@router.post("/login")
def login(
    request: Request,
    prefs: PreferencesDep,
    bus: BusDep,
    cms: Annotated[str, Form(max_length=4 * MAX_CMS_BYTES // 3 + 4)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/cabinet",
) -> Response:
    """Open a session for the signer of the challenge, or say why not in the person's words."""
    check_csrf(request, csrf_token)
    back_to = safe_next(next)
    try:
        der = base64.b64decode(cms, validate=True)
        if not der:
            raise ValueError
    except (binascii.Error, ValueError):
        return _refused(request, prefs, back_to, SignInRefusal.MALFORMED_SIGNATURE)
    try:
        issued = bus.handle(LogIn(cms=der))
    except SignInRefusedError as refused:
        return _refused(request, prefs, back_to, refused.code)
    response = RedirectResponse(back_to, status_code=303)
    open_session(request, response, issued.token)
    return response


def _refused(
    request: Request, prefs: PreferencesDep, back_to: str, code: SignInRefusal
) -> HTMLResponse:
    context = {"next": back_to, "expired": False, "refusal": REFUSALS[code]}
    return render(request, prefs, "login.html", context, status_code=401)


@router.post("/logout")
def logout(
    request: Request,
    bus: BusDep,
    person: OptionalPersonDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """End the session and forget the cookie."""
    if person is not None:
        # Only ending a live session needs the token; a session that has already ended is
        # just forgotten (its page's token was bound to the person no longer signed in).
        check_csrf(request, csrf_token)
        bus.handle(LogOut(person.token))
    response = RedirectResponse("/", status_code=303)
    close_session(response)
    return response
