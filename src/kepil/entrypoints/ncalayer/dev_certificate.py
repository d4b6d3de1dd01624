"""The stand-in's TLS certificate: self-signed for 127.0.0.1, made once into the data directory.

Browsers open NCALayer at wss://127.0.0.1:13579/, so the stand-in must speak TLS there too.
The real NCALayer installs its own certificate into the system; this one is accepted once by
hand (docs/ncalayer.md). It is a development certificate: never commit it, never reuse it.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_FILE = "DEV-ONLY-ncalayer-stand-in-cert.pem"
KEY_FILE = "DEV-ONLY-ncalayer-stand-in-key.pem"
_NAME = "kepil NCALayer stand-in — DEVELOPMENT ONLY"


@dataclass(frozen=True)
class TlsFiles:
    """Where a certificate and its key are kept."""

    certificate: Path
    key: Path


def ensure_dev_certificate(directory: Path, now: datetime, days: int = 825) -> TlsFiles:
    """The development certificate in `directory`, made there first if it is not yet."""
    files = TlsFiles(directory / CERT_FILE, directory / KEY_FILE)
    if files.certificate.is_file() and files.key.is_file():
        return files
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _NAME)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        # Browsers refuse server certificates valid longer than 825 days.
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_pem)
    files.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return files
