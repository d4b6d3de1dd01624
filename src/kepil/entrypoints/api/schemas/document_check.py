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


class ActCheckOut(AlmatyModel):
    """What /check says of a signed act (a §8 notice, a complaint decision), as JSON: what it
    does and when, nothing about whom it was issued to."""

    case: str = Field(description="the application or complaint the act belongs to")
    kind: str = Field(description="the act's signed `action`, e.g. issue_preliminary_refusal")
    issued_on: date
    sha256: str = Field(description="SHA-256 of the act's signed bytes (its PDF's attachment)")
    issued_at: datetime = Field(
        description="when the service accepted the official's signature: the moment a copy is "
        "judged at"
    )
