"""Who is reading, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass

from kepil.domain.auth import Principal
from kepil.domain.permits import PermitRole
from kepil.services.unit_of_work import UnitOfWork

NON_READING_DUTIES = frozenset({PermitRole.CONTACT_CENTRE, PermitRole.ADMINISTRATOR})
"""Ministry duties that read no case: the contact centre answers callers about a status, the
administrator keeps the staff table."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person with their Ministry duties, if any."""

    principal: Principal
    roles: frozenset[PermitRole]

    @property
    def is_official(self) -> bool:
        """Any Ministry duty lets one read every case, except the contact centre's and the
        administrator's."""
        return bool(self.roles - NON_READING_DUTIES)

    @property
    def keeps_staff_table(self) -> bool:
        """Whether one grants and revokes duties and records acting periods."""
        return PermitRole.ADMINISTRATOR in self.roles

    @property
    def answers_callers(self) -> bool:
        """Whether one tells callers a case's status by its number and applicant (§11 item 3)."""
        return PermitRole.CONTACT_CENTRE in self.roles

    def owns(self, applicant_id: str) -> bool:
        """Whether the case is the viewer's own (by IIN, or the BIN of its organisation)."""
        return applicant_id in self.principal.identifiers

    def may_see(self, owner: str) -> bool:
        """The one rule of who may know a case exists: any Ministry duty but the contact
        centre's and the administrator's sees every case, an applicant its own. Whoever may
        not, gets the same 404 as for a missing case."""
        return self.is_official or self.owns(owner)


def viewer_in(uow: UnitOfWork, principal: Principal) -> Viewer:
    """The principal with its duties, read in the open unit of work."""
    return Viewer(principal, frozenset(member.role for member in uow.staff.roles_of(principal.iin)))


def in_own_cabinet(principal: Principal) -> Viewer:
    """The principal as their own cabinet reads for them: whatever their Ministry duties, only
    their own cases exist there (the officials' workspace is elsewhere)."""
    return Viewer(principal, frozenset())
