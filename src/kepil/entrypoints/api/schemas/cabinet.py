"""The cabinet: signed result documents and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kepil.entrypoints.api.schemas.base import AlmatyModel


class DocumentOut(AlmatyModel):
    """A result document: its canonical JSON, the exact signed bytes and the head's CMS."""

    number: str
    kind: str
    application_number: str
    issued_at: datetime
    signer_iin: str
    sha256: str
    document: dict[str, Any]
    content_b64: str
    signature_b64: str


class NotificationOut(AlmatyModel):
    """A message in the cabinet."""

    case_number: str
    kind: str
    message: str
    message_kk: str = Field(
        description="The same message in Kazakh where the service says it in both languages "
        '(every step of an application); "" otherwise.'
    )
    created_at: datetime
