"""`/api/v1/auth`: sign in with an EDS signature over a single-use challenge."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from kepil.domain.auth import Session, SignInRefusal, SignInRefusedError
from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.services.identity import sign_in as auth

router = APIRouter(prefix="/api/v1/auth", tags=["sign-in"])

# A CMS over a nonce with a certificate chain is a few kilobytes; this bounds the work per call.
MAX_CMS_BYTES = 64 * 1024


class ChallengeOut(BaseModel):
    """A nonce to sign with the EDS authentication key, and when it stops being accepted."""

    nonce: str
    expires_at: datetime


class LoginIn(BaseModel):
    """A CMS SignedData (base64 DER) over the nonce; give `nonce` when the CMS is detached."""

    cms: str = Field(description="base64 of the DER-encoded CMS", max_length=MAX_CMS_BYTES * 2)
    nonce: str | None = Field(default=None, max_length=64)


class PrincipalOut(BaseModel):
    """Who signed in, as the certificate says."""

    iin: str
    bin: str | None
    name: str
    organization: str | None
    role: str | None
    certificate_serial: str
    certificate_issuer: str


class SessionOut(BaseModel):
    """The signed-in person and the session's lifetime."""

    principal: PrincipalOut
    created_at: datetime
    expires_at: datetime


class LoginOut(SessionOut):
    """A new session: send `token` as `Authorization: Bearer <token>`."""

    token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth scheme name, not a secret)


_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "sign-in refused"}
}


@router.post("/challenge", response_model=ChallengeOut, status_code=201)
def challenge(app: ContainerDep) -> ChallengeOut:
    """Issue a single-use nonce, valid for two minutes."""
    issued = auth.issue_challenge(auth.IssueChallenge(), app.uow(), app.clock)
    return ChallengeOut(nonce=issued.nonce, expires_at=issued.expires_at)


@router.post("/login", response_model=LoginOut, responses=_REFUSED)
def login(body: LoginIn, app: ContainerDep) -> LoginOut:
    """Exchange an EDS signature over an unused nonce for a session."""
    try:
        cms = base64.b64decode(body.cms, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, SignInRefusal.MALFORMED_SIGNATURE, "cms is not base64") from None
    if len(cms) > MAX_CMS_BYTES:
        raise ApiError(413, "too_large", f"the CMS exceeds {MAX_CMS_BYTES} bytes")
    command = auth.LogIn(cms=cms, nonce=body.nonce)
    try:
        issued = auth.log_in(
            command, app.uow(), app.sign_in_verifier, app.clock, app.session_secrets
        )
    except SignInRefusedError as refused:
        raise ApiError(401, refused.code, refused.detail) from None
    return LoginOut(token=issued.token, **_session_out(issued.session).model_dump())


def current_session(
    app: ContainerDep, authorization: Annotated[str | None, Header()] = None
) -> tuple[str, Session]:
    """The active session named by the bearer token, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "not_signed_in", "send Authorization: Bearer <token>")
    session = auth.current_session(token, app.uow(), app.clock, app.session_secrets)
    if session is None:
        raise ApiError(401, "session_expired", "the session has ended; sign in again")
    return token, session


SessionDep = Annotated[tuple[str, Session], Depends(current_session)]


@router.get("/session", response_model=SessionOut, responses=_REFUSED)
def whoami(signed_in: SessionDep) -> SessionOut:
    """The session the bearer token opens."""
    return _session_out(signed_in[1])


@router.post("/logout", status_code=204, responses=_REFUSED)
def logout(signed_in: SessionDep, app: ContainerDep) -> Response:
    """End the session now."""
    auth.log_out(signed_in[0], app.uow(), app.clock, app.session_secrets)
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
