"""`kepil staff`: which Ministry officials hold which duty in the permit service."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from kepil.entrypoints.cli.errors import fail
from kepil.entrypoints.cli.local_database import console_operator, existing_database

if TYPE_CHECKING:
    from kepil.services.messagebus import MessageBus

staff_app = typer.Typer(
    help=(
        "Ministry officials' duties: clerk, examiner, head, complaint_reviewer, auditor, "
        "contact_centre, administrator (who keeps the staff table on /desk/staff)."
    ),
    no_args_is_help=True,
)
_ROLES = "clerk | examiner | head | complaint_reviewer | auditor | contact_centre | administrator"


@staff_app.command("grant")
def grant(
    iin: Annotated[str, typer.Argument(help="The official's IIN, as in their EDS certificate.")],
    role: Annotated[str, typer.Argument(help=_ROLES)],
    name: Annotated[str, typer.Option("--name", help="Full name, as on the certificate.")],
    position: Annotated[
        str, typer.Option("--position", help="Position printed on signed documents.")
    ] = "",
) -> None:
    """Give an official a duty; their EDS sign-in then acts in that role."""
    from kepil.services.errors import ServiceError
    from kepil.services.permits.officials import GrantRole

    command = GrantRole(
        iin.strip(), _role(role), name.strip(), position.strip(), console_operator()
    )
    bus, where = _bus()
    try:
        granted = bus.handle(command)
    except ServiceError as error:
        raise fail(error.message) from None
    typer.echo(f"{iin}: {role} {'granted' if granted else 'was already held'} in {where}")


@staff_app.command("revoke")
def revoke(
    iin: Annotated[str, typer.Argument(help="The official's IIN.")],
    role: Annotated[str, typer.Argument(help=_ROLES)],
) -> None:
    """Take a duty away, effective for the official's next request."""
    from kepil.services.permits.officials import RevokeRole

    bus, where = _bus()
    revoked = bus.handle(RevokeRole(iin.strip(), _role(role)))
    if not revoked:
        raise fail(f"{iin} does not hold {role} in {where}", 1)
    typer.echo(f"{iin}: {role} revoked in {where}")


@staff_app.command("list")
def list_staff(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
) -> None:
    """Every duty held, by IIN."""
    from kepil.services.permits.officials import list_staff as members

    found = members(existing_database()[0].unit_of_work())
    if as_json:
        rows = [
            {
                "iin": m.iin,
                "role": str(m.role),
                "name": m.name,
                "position": m.position,
                "granted_at": m.granted_at.isoformat(),
                "granted_by": m.granted_by,
            }
            for m in found
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not found:
        typer.echo("no officials yet: `kepil staff grant IIN ROLE --name ...`")
    for m in found:
        typer.echo(f"{m.iin}\t{m.role}\t{m.name}\t{m.position}")


def _role(text: str) -> PermitRoleType:
    from kepil.domain.permits import PermitRole

    try:
        return PermitRole(text.strip().lower())
    except ValueError:
        raise fail(f"unknown role {text!r}; one of {_ROLES}") from None


def _bus() -> tuple[MessageBus, str]:
    from kepil.adapters.clock import SystemClock

    db, where = existing_database()
    return db.staff_bus(SystemClock()), where


if TYPE_CHECKING:
    from kepil.domain.permits import PermitRole as PermitRoleType
