"""Dependencies every router shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kepil.bootstrap import Container


def container(request: Request) -> Container:
    """The wired application behind this request."""
    return request.app.state.container  # type: ignore[no-any-return]


ContainerDep = Annotated[Container, Depends(container)]
