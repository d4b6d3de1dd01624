"""`/api/v1/auth`: sign in with an EDS signature over a single-use challenge."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Response

from kepil.domain.auth import Session, SignInRefusal, SignInRefusedError
from kepil.entrypoints.api.dependencies import BusDep, SessionDep
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.entrypoints.api.schemas.auth import (
    MAX_CMS_BYTES,
    ChallengeOut,
    LoginIn,
    LoginOut,
    PrincipalOut,
    SessionOut,
)
from kepil.services.identity.sign_in import IssueChallenge, LogIn, LogOut

router = APIRouter(prefix="/api/v1/auth", tags=["sign-in"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "sign-in refused"}
}


@router.post("/challenge", response_model=ChallengeOut, status_code=201)
def challenge(bus: BusDep) -> ChallengeOut:
    """Issue a single-use nonce, valid for two minutes."""
    issued = bus.handle(IssueChallenge())
    return ChallengeOut(nonce=issued.nonce, expires_at=issued.expires_at)


@router.post("/login", response_model=LoginOut, responses=_REFUSED)
def login(body: LoginIn, bus: BusDep) -> LoginOut:
    """Exchange an EDS signature over an unused nonce for a session."""
    try:
        cms = base64.b64decode(body.cms, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, SignInRefusal.MALFORMED_SIGNATURE, "cms is not base64") from None
    if len(cms) > MAX_CMS_BYTES:
        raise ApiError(413, "too_large", f"the CMS exceeds {MAX_CMS_BYTES} bytes")
    try:
        issued = bus.handle(LogIn(cms=cms, nonce=body.nonce))
    except SignInRefusedError as refused:
        raise ApiError(401, refused.code, refused.detail) from None
    return LoginOut(token=issued.token, **_session_out(issued.session).model_dump())


@router.get("/session", response_model=SessionOut, responses=_REFUSED)
def whoami(signed_in: SessionDep) -> SessionOut:
    """The session the bearer token opens."""
    return _session_out(signed_in.session)


@router.post("/logout", status_code=204, responses=_REFUSED)
def logout(signed_in: SessionDep, bus: BusDep) -> Response:
    """End the session now."""
    bus.handle(LogOut(signed_in.token))
    return Response(status_code=204)


def _session_out(session: Session) -> SessionOut:
    p = session.principal
    return SessionOut(
        principal=PrincipalOut(
            iin=p.iin,
            bin=p.bin,
            name=p.name,
            organization=p.organization,
            role=p.role,
            certificate_serial=p.certificate_serial,
            certificate_issuer=p.certificate_issuer,
        ),
        created_at=session.created_at,
        expires_at=session.expires_at,
    )
