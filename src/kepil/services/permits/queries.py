"""Read side of the permit service: an applicant sees its own cases, officials see all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kepil.domain.auth import Principal
from kepil.domain.permits import Application, PermitRole
from kepil.domain.permits.codec import EventRecord, attachment_to_dict
from kepil.services.errors import NotFoundError
from kepil.services.permits.ports import (
    ApplicationSummary,
    IssuedDocument,
    Notification,
    StoredApplication,
    StoredFile,
)
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is reading, and what they may see."""

    principal: Principal
    roles: frozenset[PermitRole]

    @property
    def is_official(self) -> bool:
        """Any Ministry duty lets one read every case."""
        return bool(self.roles)

    def owns(self, applicant_id: str) -> bool:
        """Whether the case is the viewer's own (by IIN, or the BIN of its organisation)."""
        return applicant_id in {self.principal.iin, self.principal.bin}


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """An application as its applicant or an official sees it."""

    application: Application
    history: list[EventRecord]
    documents: list[IssuedDocument]
    attachments: list[dict[str, Any]]
    state_facts: dict[str, Any] | None


def viewer(principal: Principal, uow: UnitOfWork) -> Viewer:
    """The principal with its Ministry duties, if any."""
    with uow:
        duties = uow.staff.roles_of(principal.iin)
    return Viewer(principal, frozenset(member.role for member in duties))


def view_application(number: str, who: Viewer, uow: UnitOfWork) -> ApplicationView:
    """One case; a stranger's case is reported as not found, not as forbidden."""
    with uow:
        stored = _visible(uow.applications.get(number), number, who)
        application = stored.application
        return ApplicationView(
            application=application,
            history=uow.applications.history(number),
            documents=uow.documents.for_application(number),
            attachments=[attachment_to_dict(a) for a in application.form.attachments],
            # What the state systems said about the applicant is for the examiner (§4).
            state_facts=stored.state_facts if who.is_official else None,
        )


def list_applications(
    who: Viewer, status: str | None, limit: int, offset: int, uow: UnitOfWork
) -> tuple[list[ApplicationSummary], int]:
    """A page of cases: all for officials, one's own for applicants."""
    with uow:
        if who.is_official:
            return uow.applications.summaries(
                applicant_id=None, status=status, limit=limit, offset=offset
            )
        own = who.principal.bin or who.principal.iin
        return uow.applications.summaries(
            applicant_id=own, status=status, limit=limit, offset=offset
        )


def attachment(number: str, sha256: str, who: Viewer, uow: UnitOfWork) -> StoredFile:
    """One attached file's bytes."""
    with uow:
        _visible(uow.applications.get(number), number, who)
        found = uow.applications.attachment(number, sha256)
    if found is None:
        raise NotFoundError("attachment_not_found", f"no attachment {sha256} on {number}")
    return found


def document(number: str, who: Viewer, uow: UnitOfWork) -> IssuedDocument:
    """A signed result document, for its recipient or an official."""
    with uow:
        found = uow.documents.get(number)
    if found is None or not (who.is_official or who.owns(found.recipient_id)):
        raise NotFoundError("document_not_found", f"no document {number}")
    return found


def notifications(who: Viewer, limit: int, uow: UnitOfWork) -> list[Notification]:
    """The cabinet's messages: to the IIN and, for an organisation's employee, to its BIN."""
    with uow:
        found = uow.notifications.for_recipient(who.principal.iin, limit)
        if who.principal.bin:
            found += uow.notifications.for_recipient(who.principal.bin, limit)
    return sorted(found, key=lambda n: (n.created_at, n.id or 0), reverse=True)[:limit]


def _visible(stored: StoredApplication | None, number: str, who: Viewer) -> StoredApplication:
    if stored is None or not (
        who.is_official or who.owns(stored.application.form.applicant_identifier)
    ):
        raise NotFoundError("application_not_found", f"no application {number}")
    return stored
