"""Typed dependencies every router shares: the bus, the read models and the signed-in session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from kepil.bootstrap import Container
from kepil.domain.auth import Principal, Session
from kepil.entrypoints.api.errors import ApiError
from kepil.services.identity.sign_in import current_session as find_session
from kepil.services.messagebus import MessageBus
from kepil.services.permits.views.reader import PermitViews


def container(request: Request) -> Container:
    """The wired application behind this request."""
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(container)]


def bus(request: Request) -> MessageBus:
    """The application's message bus, which every command goes through."""
    return request.app.state.bus  # type: ignore[no-any-return]


def views(request: Request) -> PermitViews:
    """The permit wing's read models."""
    return container(request).views


BusDep = Annotated[MessageBus, Depends(bus)]
ViewsDep = Annotated[PermitViews, Depends(views)]


@dataclass(frozen=True, slots=True)
class CurrentSession:
    """The session the request's bearer token opens, and the token itself (to end it)."""

    token: str
    session: Session

    @property
    def principal(self) -> Principal:
        """Who is signed in."""
        return self.session.principal


def current_session(
    app: ContainerDep, authorization: Annotated[str | None, Header()] = None
) -> CurrentSession:
    """The active session named by the bearer token, or 401."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "not_signed_in", "send Authorization: Bearer <token>")
    session = find_session(token, app.uow(), app.clock, app.session_secrets)
    if session is None:
        raise ApiError(401, "session_expired", "the session has ended; sign in again")
    return CurrentSession(token, session)


SessionDep = Annotated[CurrentSession, Depends(current_session)]
