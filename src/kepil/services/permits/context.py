"""What every permit handler needs besides the unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.clock import Clock
from kepil.domain.permits.documents import Provider
from kepil.services.permits.ports import DocumentSignatureVerifier, EgovGateway

# Documents an applicant scans or exports: PDFs, images, XML extracts, detached signatures.
DEFAULT_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "application/xml",
        "text/xml",
        "application/pkcs7-signature",
    }
)


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """Bounds on what one submission may upload."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_total_bytes: int = 25 * 1024 * 1024
    max_files: int = 20
    media_types: frozenset[str] = field(default=DEFAULT_MEDIA_TYPES)


@dataclass(frozen=True, slots=True)
class PermitContext:
    """Clock, calendar, signature verifier, e-gov gateway, limits and the state body that
    issues the documents (from configuration), wired by bootstrap."""

    clock: Clock
    calendar: WorkingCalendar
    verifier: DocumentSignatureVerifier
    egov: EgovGateway
    limits: AttachmentLimits = AttachmentLimits()
    provider: Provider = field(default_factory=Provider)
