"""Who acts in the permit service: the applicant and the provider's officials."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kepil.domain.auth import Principal


class PermitRole(StrEnum):
    """The roles the permit workflow knows; anything else is denied by default."""

    APPLICANT = "applicant"
    CLERK = "clerk"
    EXAMINER = "examiner"
    HEAD = "head"
    COMPLAINT_REVIEWER = "complaint_reviewer"
    AUDITOR = "auditor"
    """Reads cases, documents and the monitoring feed; decides nothing."""
    CONTACT_CENTRE = "contact_centre"
    """The Unified contact centre (App.1 §11 item 3): tells a caller the status of a case whose
    number and applicant's IIN/BIN they give, and reads nothing else."""
    ADMINISTRATOR = "administrator"
    """Keeps the staff table: grants and revokes duties, records who acts for the head (§9);
    reads no case and decides nothing."""


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting in a role, identified by the IIN (and BIN) of their EDS certificate."""

    role: PermitRole
    name: str
    iin: str
    bin: str | None = None
    position: str | None = None

    @classmethod
    def from_principal(
        cls, principal: Principal, role: PermitRole, position: str | None = None
    ) -> Actor:
        """The actor a verified EDS signature speaks for, in the role the service assigned."""
        # The certificate's own role (NCA EKU) says nothing about ministry duties; the service
        # maps staff to clerk/examiner/head, so the role is given, not read from the principal.
        return cls(
            role=role,
            name=principal.name,
            iin=principal.iin,
            bin=principal.bin,
            position=position,
        )

    def identifies(self, iin_or_bin: str) -> bool:
        """Whether this actor's certificate names the given IIN or BIN."""
        number = iin_or_bin.strip()
        return number in {self.iin, self.bin}
