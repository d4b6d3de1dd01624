"""Sign-in: challenges, logins and sessions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kepil.entrypoints.api.schemas.base import AlmatyModel

# A CMS over a nonce with a certificate chain is a few kilobytes; this bounds the work per call.
MAX_CMS_BYTES = 64 * 1024


class ChallengeOut(AlmatyModel):
    """A nonce to sign with the EDS authentication key, and when it stops being accepted."""

    nonce: str
    expires_at: datetime


class LoginIn(BaseModel):
    """A CMS SignedData (base64 DER) over the nonce; give `nonce` when the CMS is detached."""

    cms: str = Field(description="base64 of the DER-encoded CMS", max_length=MAX_CMS_BYTES * 2)
    nonce: str | None = Field(default=None, max_length=64)


class PrincipalOut(AlmatyModel):
    """Who signed in, as the certificate says."""

    iin: str
    bin: str | None
    name: str
    organization: str | None
    role: str | None
    certificate_serial: str
    certificate_issuer: str


class SessionOut(AlmatyModel):
    """The signed-in person and the session's lifetime."""

    principal: PrincipalOut
    created_at: datetime
    expires_at: datetime


class LoginOut(SessionOut):
    """A new session: send `token` as `Authorization: Bearer <token>`."""

    token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth scheme name, not a secret)
