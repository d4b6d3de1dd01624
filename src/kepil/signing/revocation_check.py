"""The shape every revocation check has, so that the OCSP client can take CRL checks too."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cryptography import x509


class RevocationChecker(Protocol):
    """Raises certificate_revoked or revocation_unknown; returns when the certificate is good."""

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Check one certificate, whose issuer is known, as of `at`."""
