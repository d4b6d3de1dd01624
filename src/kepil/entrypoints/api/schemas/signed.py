"""The body of every EDS-signed request: an attached CMS, base64 in JSON."""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, Field

from kepil.entrypoints.api.errors import ApiError

# A CMS with a certificate chain and a document is tens of kilobytes; this bounds the work.
MAX_CMS_BYTES = 256 * 1024


class SignedIn(BaseModel):
    """An attached CMS (base64 DER) made with the EDS signing key; its content is the act."""

    cms: str = Field(description="base64 of the DER-encoded CMS", max_length=MAX_CMS_BYTES * 2)

    def der(self) -> bytes:
        """The CMS bytes, or a 422/413 error in the common envelope."""
        try:
            cms = base64.b64decode(self.cms, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "malformed_signature", "cms is not base64") from None
        if len(cms) > MAX_CMS_BYTES:
            raise ApiError(413, "too_large", f"the CMS exceeds {MAX_CMS_BYTES} bytes")
        return cms
