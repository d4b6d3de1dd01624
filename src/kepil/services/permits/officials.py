"""Who may act for the Ministry: the staff table turns a verified person into an actor."""

from __future__ import annotations

from dataclasses import dataclass

from kepil.domain.auth import Principal
from kepil.domain.clock import Clock
from kepil.domain.identity import InvalidIdentifierError, parse_identifier
from kepil.domain.permits import Actor, PermitRole
from kepil.services.errors import ForbiddenError, InvalidInputError
from kepil.services.messagebus import Command
from kepil.services.permits.ports import StaffMember
from kepil.services.permits.views.viewer import viewer_in
from kepil.services.unit_of_work import UnitOfWork

OFFICIAL_ROLES = frozenset(PermitRole) - {PermitRole.APPLICANT}


def actor_for(principal: Principal, allowed: frozenset[PermitRole], uow: UnitOfWork) -> Actor:
    """The principal acting in one of the allowed roles; applicants need no staff entry."""
    if PermitRole.APPLICANT in allowed:
        return Actor.from_principal(principal, PermitRole.APPLICANT)
    duties = [m for m in uow.staff.roles_of(principal.iin) if m.role in allowed]
    if not duties:
        needed = ", ".join(sorted(str(role) for role in allowed))
        raise ForbiddenError(
            "role_required", f"this needs a Ministry official with the role: {needed}"
        )
    duty = sorted(duties, key=lambda member: str(member.role))[0]
    return Actor.from_principal(principal, duty.role, position=duty.position or None)


def may_see(principal: Principal, owner: str, uow: UnitOfWork) -> bool:
    """Whether the principal may know the case exists: any Ministry duty sees every case, an
    applicant its own (by IIN or the certificate's BIN). Whoever may not, gets the same 404."""
    return viewer_in(uow, principal).may_see(owner)


def require_signing_right(principal: Principal, owner: str) -> None:
    """ForbiddenError unless the principal may sign for the owner of the case it is theirs to
    act on: a legal entity's employee sees its cases but may not file, withdraw or complain."""
    if owner in principal.identifiers and not principal.may_sign_for(owner):
        raise ForbiddenError(
            "signature_right_required",
            f"acting for {owner} needs the EDS of its first head or of a person with the right "
            f"of signature; this certificate's role is {principal.role or 'not stated'}",
        )


@dataclass(frozen=True, slots=True)
class GrantRole(Command[bool]):
    """Give a Ministry official a duty in the permit service."""

    iin: str
    role: PermitRole
    name: str
    position: str
    granted_by: str


@dataclass(frozen=True, slots=True)
class RevokeRole(Command[bool]):
    """Take a duty away from a Ministry official."""

    iin: str
    role: PermitRole


def grant_role(command: GrantRole, uow: UnitOfWork, clock: Clock) -> bool:
    """Record the duty; False when the official already held it."""
    now = clock.now()
    try:
        parse_identifier(command.iin)
    except InvalidIdentifierError as error:
        raise InvalidInputError("invalid_iin", str(error)) from None
    if command.role not in OFFICIAL_ROLES:
        raise InvalidInputError("invalid_role", f"{command.role} is not a Ministry duty")
    with uow:
        granted = uow.staff.grant(
            StaffMember(
                command.iin, command.role, command.name, command.position, now, command.granted_by
            )
        )
        uow.commit()
        return granted


def revoke_role(command: RevokeRole, uow: UnitOfWork) -> bool:
    """Take a duty away; False when it was not held."""
    with uow:
        revoked = uow.staff.revoke(command.iin, command.role)
        uow.commit()
        return revoked


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    """Every duty held."""
    with uow:
        return uow.staff.all()
