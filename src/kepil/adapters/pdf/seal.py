"""What the signature card shows, read from the head's CMS as it is (not judged here).

Whether the signature holds is `kepil doc verify`'s and the check page's question; the card
only states what the CMS says: who, which certificate, when and on whose clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from cryptography.exceptions import UnsupportedAlgorithm

from kepil.signing.certificates import accept_any_number, parse_certificate
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_signer_info import SignerInfoView, candidate_certificates
from kepil.signing.errors import SigningError
from kepil.signing.timestamp import check_imprint
from kepil.signing.tst_info import read_token

# The signing moment's sources, most trusted first; the card names the one it shows.
SOURCE_TIMESTAMP: Final = "timestamp"
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
    signed_at, source = _moment(view)
    found = candidate_certificates(view, loaded.certificates)
    if not found:
        return Seal("", "", None, None, signed_at, source, sha256)
    try:
        signer = parse_certificate(found[0], accept_any_number)
    except (SigningError, ValueError, UnsupportedAlgorithm):
        # A damaged certificate (an unknown curve, a broken field) still gives a card: the
        # verdict on it is verify_cms's, and a drawing must not crash on what it only shows.
        certificate = found[0]
        serial = format(certificate.serial_number, "x")
        return Seal("", serial, None, None, signed_at, source, sha256)
    name = signer.common_name or " ".join(
        part for part in (signer.surname, signer.given_name) if part
    )
    return Seal(
        signer_name=name,
        certificate_serial=format(signer.serial_number, "x"),
        not_before=signer.not_before,
        not_after=signer.not_after,
        signed_at=signed_at,
        moment_source=source,
        sha256=sha256,
    )


def _moment(view: SignerInfoView) -> tuple[datetime | None, str]:
    """The time-stamp's time when a token stamps this very signature, else the signer's clock.

    The card states, it does not judge: the token's own signature and its TSA's chain are
    checked by `kepil doc verify` and the check page (verify_cms), which say whether the TSA is
    trusted. Only the imprint is checked here, so that a token stamping another signature is
    never shown as this one's moment; it costs a hash, not a GOST verification.
    """
    for token in view.timestamp_tokens:
        try:
            parsed = read_token(token)
            info = parsed.tst_info
            check_imprint(info.imprint_algorithm, info.imprint, view.signature)
        except SigningError:
            continue
        return info.gen_time, SOURCE_TIMESTAMP
    if view.signing_time is not None:
        return view.signing_time, SOURCE_SIGNING_TIME
    return None, SOURCE_NONE
