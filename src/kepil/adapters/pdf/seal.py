"""What the signature card shows, read from the head's CMS as it is (not judged here).

Whether the signature holds is `kepil doc verify`'s and the check page's question; the card
only states what the CMS says: who, which certificate, when and on whose clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kepil.signing.certificates import accept_any_number, parse_certificate
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_signer_info import candidate_certificates
from kepil.signing.errors import SigningError

# The signing moment's sources, most trusted first; the card names the one it shows.
SOURCE_SIGNING_TIME: Final = "signing_time"
SOURCE_NONE: Final = "none"


@dataclass(frozen=True, slots=True)
class Seal:
    """The signature card's facts."""

    signer_name: str
    certificate_serial: str
    not_before: datetime | None
    not_after: datetime | None
    signed_at: datetime | None
    moment_source: str
    sha256: str


def read_seal(content: bytes, cms: bytes) -> Seal:
    """The facts of the first SignerInfo; a CMS that cannot be read gives an empty card."""
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        loaded = load_cms(cms)
    except SigningError:
        return Seal("", "", None, None, None, SOURCE_NONE, sha256)
    if not loaded.signers:
        return Seal("", "", None, None, None, SOURCE_NONE, sha256)
    view = loaded.signers[0]
    source = SOURCE_NONE
    if view.signing_time is not None:
        source = SOURCE_SIGNING_TIME
    # A time-stamp token is named as the source only once its time is read and checked
    # (kepil.signing's TSP work); until then the card says the signer's clock, honestly.
    found = candidate_certificates(view, loaded.certificates)
    if not found:
        return Seal("", "", None, None, view.signing_time, source, sha256)
    try:
        signer = parse_certificate(found[0], accept_any_number)
    except SigningError:
        certificate = found[0]
        serial = format(certificate.serial_number, "x")
        return Seal("", serial, None, None, view.signing_time, source, sha256)
    name = signer.common_name or " ".join(
        part for part in (signer.surname, signer.given_name) if part
    )
    return Seal(
        signer_name=name,
        certificate_serial=format(signer.serial_number, "x"),
        not_before=signer.not_before,
        not_after=signer.not_after,
        signed_at=view.signing_time,
        moment_source=source,
        sha256=sha256,
    )
