"""Who may act for the Ministry: the staff table turns a verified person into an actor.

The staff table is kept by an administrator (on `/desk/staff`) or by the operator (`kepil
staff`); it also holds the acting periods of Rules §9, during which a deputy acts for the head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.auth import Principal
from kepil.domain.calendar import to_almaty
from kepil.domain.clock import Clock
from kepil.domain.identity import InvalidIdentifierError, parse_iin
from kepil.domain.permits import Actor, PermitRole
from kepil.domain.permits.acting import (
    ActingPeriod,
    ActingRuleError,
    acting_at,
    nearest,
    new_acting_period,
)
from kepil.services.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.ports import StaffMember
from kepil.services.permits.views.viewer import NON_READING_DUTIES, viewer_in
from kepil.services.unit_of_work import UnitOfWork

OFFICIAL_ROLES = frozenset(PermitRole) - {PermitRole.APPLICANT}
"""Every duty the staff table may hold."""

READING_ROLES = OFFICIAL_ROLES - NON_READING_DUTIES
"""The duties that read cases and the Ministry's records: all but the contact centre's and the
administrator's."""

_ADMINISTRATOR = frozenset({PermitRole.ADMINISTRATOR})


def actor_for(
    principal: Principal,
    allowed: frozenset[PermitRole],
    uow: UnitOfWork,
    at: datetime | None = None,
) -> Actor:
    """The principal acting in one of the allowed roles; applicants need no staff entry.

    Where the head may act and the moment is given, a person without the head's duty acts as
    the head while an acting period of theirs covers the moment (Rules §9), with the period's
    position ("Исполняющий обязанности руководителя"); outside it they are refused with the
    period named."""
    if PermitRole.APPLICANT in allowed:
        return Actor.from_principal(principal, PermitRole.APPLICANT)
    duties = [m for m in uow.staff.roles_of(principal.iin) if m.role in allowed]
    if duties:
        duty = sorted(duties, key=lambda member: str(member.role))[0]
        return Actor.from_principal(principal, duty.role, position=duty.position or None)
    reads = any(m.role in READING_ROLES for m in uow.staff.roles_of(principal.iin))
    if PermitRole.HEAD in allowed and at is not None and reads:
        # A period recorded for someone whose duties were revoked since gives nothing.
        periods = [p for p in uow.staff.acting_periods(principal.iin) if p.role is PermitRole.HEAD]
        period = acting_at(periods, at)
        if period is not None:
            return Actor.from_principal(principal, PermitRole.HEAD, position=period.position)
        named = nearest(periods, at)
        if named is not None:
            raise ForbiddenError(
                "acting_period_not_in_force",
                f"{principal.iin} acts for the head only {named.described()}, "
                f"not on {to_almaty(at):%Y-%m-%d %H:%M} (Almaty time)",
            )
    needed = ", ".join(sorted(str(role) for role in allowed))
    raise ForbiddenError("role_required", f"this needs a Ministry official with the role: {needed}")


def duties_at(principal: Principal, uow: UnitOfWork, at: datetime) -> frozenset[PermitRole]:
    """The person's duties at the moment: the staff table's, and the head's while an acting
    period of theirs covers the moment (for a workspace that shows the head's work to them)."""
    held = frozenset(member.role for member in uow.staff.roles_of(principal.iin))
    reads = bool(held & READING_ROLES)
    if reads and acting_at(uow.staff.acting_periods(principal.iin), at) is not None:
        return held | {PermitRole.HEAD}
    return held


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
    """The operator gives a Ministry official a duty in the permit service (`kepil staff`)."""

    iin: str
    role: PermitRole
    name: str
    position: str
    granted_by: str


@dataclass(frozen=True, slots=True)
class RevokeRole(Command[bool]):
    """The operator takes a duty away from a Ministry official (`kepil staff`)."""

    iin: str
    role: PermitRole


@dataclass(frozen=True, slots=True)
class GrantDuty(Command[bool]):
    """An administrator gives a Ministry official a duty (on `/desk/staff`)."""

    administrator: Principal
    iin: str
    role: PermitRole
    name: str
    position: str


@dataclass(frozen=True, slots=True)
class RevokeDuty(Command[bool]):
    """An administrator takes a duty away; never the last administrator's own."""

    administrator: Principal
    iin: str
    role: PermitRole


@dataclass(frozen=True, slots=True)
class RecordActingPeriod(Command[int]):
    """An administrator records that an official acts for the head on the days from
    first_day to last_day (Almaty, both included), on the stated basis (Rules §9)."""

    administrator: Principal
    iin: str
    first_day: date
    last_day: date
    basis: str
    position: str = ""
    """How the documents they sign name their position; empty for "Исполняющий обязанности
    руководителя"."""


@dataclass(frozen=True, slots=True)
class EndActingPeriod(Command[ActingPeriod]):
    """An administrator ends an acting period now (cancels it if it has not begun)."""

    administrator: Principal
    period_id: int


@dataclass(frozen=True, slots=True)
class StaffTable:
    """What the administrator's page shows: every duty held and every acting period."""

    members: list[StaffMember]
    periods: list[ActingPeriod]
    names: dict[str, str]
    """Known officials' names by IIN, to say who granted or recorded what."""
    administrator_iin: str
    now: datetime


def grant_role(command: GrantRole, uow: UnitOfWork, clock: Clock) -> bool:
    """Record the duty; False when the official already held it."""
    member = _member(
        command.iin, command.role, command.name, command.position, clock.now(), command.granted_by
    )
    with uow:
        granted = uow.staff.grant(member)
        uow.commit()
        return granted


def revoke_role(command: RevokeRole, uow: UnitOfWork) -> bool:
    """Take a duty away; False when it was not held."""
    with uow:
        revoked = uow.staff.revoke(command.iin, command.role)
        uow.commit()
        return revoked


def grant_duty(command: GrantDuty, uow: UnitOfWork, clock: Clock) -> bool:
    """The administrator's grant, recorded with the administrator's IIN; False when held."""
    now = clock.now()
    with uow:
        administrator = actor_for(command.administrator, _ADMINISTRATOR, uow)
        _not_for_oneself(command.iin, command.role, administrator.iin)
        if not command.name.strip():
            raise InvalidInputError("name_required", "the official's full name is required")
        member = _member(
            command.iin, command.role, command.name, command.position, now, administrator.iin
        )
        granted = uow.staff.grant(member)
        uow.commit()
        return granted


def revoke_duty(command: RevokeDuty, uow: UnitOfWork) -> bool:
    """The administrator's revocation; False when the duty was not held. The last
    administrator may not take their own duty away: nobody would be left to keep the table."""
    with uow:
        administrator = actor_for(command.administrator, _ADMINISTRATOR, uow)
        own = command.iin.strip() == administrator.iin
        if own and command.role is PermitRole.ADMINISTRATOR:
            others = [
                m
                for m in uow.staff.all()
                if m.role is PermitRole.ADMINISTRATOR and m.iin != administrator.iin
            ]
            if not others:
                raise ConflictError(
                    "last_administrator",
                    "you are the only administrator: without your duty nobody could keep the "
                    "staff table; grant the duty to another official first",
                )
        revoked = uow.staff.revoke(command.iin.strip(), command.role)
        uow.commit()
        return revoked


def record_acting_period(command: RecordActingPeriod, uow: UnitOfWork, clock: Clock) -> int:
    """Record the period; its number. The person must hold a Ministry duty that reads cases
    (so that they see what they sign) and not the head's own; periods of one person may not
    overlap."""
    now = clock.now()
    iin = _iin(command.iin)
    with uow:
        administrator = actor_for(command.administrator, _ADMINISTRATOR, uow)
        _not_for_oneself(iin, PermitRole.HEAD, administrator.iin)
        duties = uow.staff.roles_of(iin)
        if any(m.role is PermitRole.HEAD for m in duties):
            raise InvalidInputError(
                "acting_holds_head", f"{iin} holds the head's duty already and acts for nobody"
            )
        readers = [m for m in duties if m.role in READING_ROLES]
        if not readers:
            raise InvalidInputError(
                "acting_not_staff",
                f"{iin} holds no Ministry duty that reads cases; grant one first, so that the "
                "person acting for the head sees the cases they sign",
            )
        proposed = ActingPeriod(
            iin=iin,
            name=readers[0].name,
            position=command.position,
            first_day=command.first_day,
            last_day=command.last_day,
            basis=command.basis,
            recorded_at=now,
            recorded_by=administrator.iin,
        )
        try:
            period = new_acting_period(proposed, uow.staff.acting_periods(iin), now)
        except ActingRuleError as error:
            raise InvalidInputError(error.code, error.message) from None
        number = uow.staff.record_acting(period)
        uow.commit()
        return number


def end_acting_period(command: EndActingPeriod, uow: UnitOfWork, clock: Clock) -> ActingPeriod:
    """End the period now; cancelled if it had not begun. Refused once over or ended."""
    now = clock.now()
    with uow:
        administrator = actor_for(command.administrator, _ADMINISTRATOR, uow)
        period = uow.staff.acting_period(command.period_id)
        if period is None:
            raise NotFoundError("acting_period_not_found", f"no acting period {command.period_id}")
        try:
            ended = period.ended(now, administrator.iin)
        except ActingRuleError as error:
            raise ConflictError(error.code, error.message) from None
        uow.staff.end_acting(ended)
        uow.commit()
        return ended


def staff_table(principal: Principal, uow: UnitOfWork, now: datetime) -> StaffTable:
    """The staff table and the acting periods, for administrators only."""
    with uow:
        actor_for(principal, _ADMINISTRATOR, uow)
        members = uow.staff.all()
        periods = uow.staff.acting_periods()
    names = {member.iin: member.name for member in members}
    return StaffTable(members, periods, names, principal.iin, now)


def list_staff(uow: UnitOfWork) -> list[StaffMember]:
    """Every duty held."""
    with uow:
        return uow.staff.all()


def _iin(text: str) -> str:
    try:
        return parse_iin(text.strip()).number
    except InvalidIdentifierError as error:
        raise InvalidInputError("invalid_iin", str(error)) from None


def _member(
    iin: str, role: PermitRole, name: str, position: str, at: datetime, granted_by: str
) -> StaffMember:
    if role not in OFFICIAL_ROLES:
        raise InvalidInputError("invalid_role", f"{role} is not a Ministry duty")
    return StaffMember(_iin(iin), role, name.strip(), position.strip(), at, granted_by)


def _not_for_oneself(iin: str, role: PermitRole, administrator_iin: str) -> None:
    # The administrator reads no case and decides nothing; giving themself a duty that does
    # would undo that, so another administrator (or the operator, `kepil staff`) must.
    if iin.strip() == administrator_iin and role is not PermitRole.ADMINISTRATOR:
        raise ForbiddenError(
            "own_duty",
            "an administrator cannot give themself a duty or an acting period; another "
            "administrator must",
        )
