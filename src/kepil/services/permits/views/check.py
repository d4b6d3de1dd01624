"""Checking a document by its number: was it issued by this service, and is it in force?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.calendar import to_almaty
from kepil.services.permits.views.registry import RegistryEntryView, entry_view
from kepil.services.unit_of_work import UnitOfWork

PERMIT_KIND = "permit_issued"


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """A genuine document: its kind and day; for a permit, its registry entry as of today.

    Anyone may ask, so a document other than a permit says nothing of whom it was issued to:
    the registry is public (Rules §11), refusals and notices are not."""

    number: str
    kind: str
    issued_on: date
    entry: RegistryEntryView | None
    # The issued document's SHA-256: a PDF's attachment must hash to it (anyone may compare).
    sha256: str | None = None
    # When the service accepted the head's signature: the trusted moment a copy is judged at.
    issued_at: datetime | None = None


def check_document(uow: UnitOfWork, number: str, day: date) -> DocumentCheck | None:
    """The document with this number (a permit's number or its registry number), or None."""
    entry = uow.registry.get(number) or uow.registry.find_by_permit(number)
    if entry is not None:
        issued = uow.documents.get(entry.permit_number)
        return DocumentCheck(
            entry.permit_number,
            PERMIT_KIND,
            entry.issued_on,
            entry_view(entry, day),
            issued.sha256 if issued is not None else None,
            issued.issued_at if issued is not None else None,
        )
    found = uow.documents.get(number)
    if found is None:
        return None
    issued_on = to_almaty(found.issued_at).date()
    return DocumentCheck(found.number, found.kind, issued_on, None, found.sha256, found.issued_at)
