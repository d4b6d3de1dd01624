"""The public answer about a document number: issued here or not, and a permit's status."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.schemas.base import AlmatyModel


class DocumentCheckOut(AlmatyModel):
    """What /check says, as JSON: nothing about whom a refusal or notice was issued to."""

    number: str
    kind: str
    issued_on: date
    registry_number: str | None
    status: RegistryStatus | None
    status_reason: str | None
    valid_until: date | None
    in_force: bool
    sha256: str | None = Field(
        description="SHA-256 of the issued signed document: a PDF's attached original must "
        "hash to it"
    )
    issued_at: datetime | None = Field(
        None,
        description="when the service accepted the head's signature: the moment a copy with "
        "this SHA-256 is judged at (its certificate may have expired since)",
    )
