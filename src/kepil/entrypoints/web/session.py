"""Who is signed in on the pages (a session cookie) and the CSRF token every form carries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response

from kepil.bootstrap import Container
from kepil.entrypoints.api.dependencies import CurrentSession
from kepil.services.identity.sign_in import current_session as find_session

SESSION_COOKIE = "kepil_session"
# Before sign-in there is no session to bind a form to: a random cookie stands in for it.
BROWSER_COOKIE = "kepil_browser"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_BROWSER_AGE = 365 * 24 * 3600


class SignInRequiredError(Exception):
    """A page that needs a signed-in person was opened without a live session."""

    def __init__(self, back_to: str, *, expired: bool) -> None:
        super().__init__(back_to)
        self.back_to = back_to
        self.expired = expired


class CsrfRefusedError(Exception):
    """A form arrived without the token of the page it was sent from."""


def _container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


def signed_in(request: Request) -> CurrentSession | None:
    """The live session the cookie opens, or None; looked up once per request."""
    if hasattr(request.state, "web_session"):
        known: CurrentSession | None = request.state.web_session
        return known
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        app = _container(request)
        session = find_session(token, app.uow(), app.clock, app.session_secrets)
        found = CurrentSession(token, session) if session is not None else None
    request.state.web_session = found
    return found


def require_person(request: Request) -> CurrentSession:
    """The signed-in person, or a trip to the sign-in page that comes back here afterwards."""
    found = signed_in(request)
    if found is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequiredError(back_to, expired=SESSION_COOKIE in request.cookies)
    return found


OptionalPersonDep = Annotated[CurrentSession | None, Depends(signed_in)]
PersonDep = Annotated[CurrentSession, Depends(require_person)]


def _binding(request: Request) -> str:
    """What a form's token is bound to: this browser, and the person signed in on it.

    Not the session itself: a person whose session ended while a form was open signs in again
    (a new session) and must still be able to send that form. The browser cookie is HttpOnly
    and random, and the person's IIN keeps a token got by someone else's sign-in from working.
    """
    browser = request.cookies.get(BROWSER_COOKIE) or getattr(request.state, "new_browser", None)
    if not browser:
        browser = secrets.token_urlsafe(24)
        request.state.new_browser = browser
    person = signed_in(request)
    return f"browser:{browser}|person:{person.principal.iin if person is not None else ''}"


def csrf_token(request: Request) -> str:
    """The token this person's forms carry: an HMAC of browser and person, never stored."""
    key = _container(request).session_secrets.key
    return hmac.new(key, b"csrf|" + _binding(request).encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, sent: str | None) -> None:
    """Refuse a form whose token is missing or is not this person's."""
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfRefusedError


def keep_browser_cookie(request: Request, response: Response) -> None:
    """Set the pre-sign-in cookie a rendered token was bound to, if it was just made."""
    new = getattr(request.state, "new_browser", None)
    if new:
        response.set_cookie(
            BROWSER_COOKIE,
            new,
            max_age=_BROWSER_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def open_session(request: Request, response: Response, token: str) -> None:
    """Give the browser the new session: HttpOnly, SameSite, Secure under HTTPS, no max-age."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def close_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def safe_next(value: str | None) -> str:
    """A local address to return to after sign-in; anything else goes to the cabinet."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/cabinet"


def sign_in_address(back_to: str, *, expired: bool) -> str:
    """The sign-in page that brings the person back to where they were."""
    address = "/login?next=" + quote(back_to, safe="/")
    return address + "&expired=1" if expired else address
