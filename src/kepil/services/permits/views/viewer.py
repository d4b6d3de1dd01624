"""Who is reading, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass

from kepil.domain.auth import Principal
from kepil.domain.permits import PermitRole
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person with their Ministry duties, if any."""

    principal: Principal
    roles: frozenset[PermitRole]

    @property
    def is_official(self) -> bool:
        """Any Ministry duty lets one read every case."""
        return bool(self.roles)

    def owns(self, applicant_id: str) -> bool:
        """Whether the case is the viewer's own (by IIN, or the BIN of its organisation)."""
        return applicant_id in {self.principal.iin, self.principal.bin}


def viewer_in(uow: UnitOfWork, principal: Principal) -> Viewer:
    """The principal with its duties, read in the open unit of work."""
    return Viewer(principal, frozenset(member.role for member in uow.staff.roles_of(principal.iin)))
