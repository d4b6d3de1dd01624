"""The test CA kept in a directory: trust/ (root only), private/, issued/, revoked.json."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from kepil.signing import dev_ca
from kepil.signing.dev_ca import FILE_PREFIX, Holder, KeyAlgorithm
from kepil.signing.keys import SigningKey, as_signing_key

_ROOT_CERT = f"trust/{FILE_PREFIX}-root-ca.pem"
_ISSUING_CERT = f"{FILE_PREFIX}-issuing-ca.pem"
_ROOT_KEY = f"private/{FILE_PREFIX}-root-ca.key"
_ISSUING_KEY = f"private/{FILE_PREFIX}-issuing-ca.key"
_SETTINGS = "ca.json"
_REVOKED = "revoked.json"
CRL_FILE = f"{FILE_PREFIX}-crl.der"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class IssuedFiles:
    """Where an issued certificate and key were written."""

    certificate: x509.Certificate
    key: SigningKey
    chain: tuple[x509.Certificate, ...]
    paths: tuple[Path, ...]


class NoTestCaError(ValueError):
    """The directory holds no test CA (or only part of one)."""


class DevCaDirectory:
    """A test CA on disk; every file name says TEST-PKI-NOT-FOR-PRODUCTION."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def open(cls, directory: Path) -> DevCaDirectory:
        """The test CA in `directory`; NoTestCaError naming what is missing when there is none."""
        hint = "make one with `kepil pki init`"
        if not directory.is_dir():
            what = "is not a directory" if directory.exists() else "does not exist"
            raise NoTestCaError(f"{directory} {what}, so it holds no test CA; {hint}")
        needed = (_ROOT_CERT, _ISSUING_CERT, _ISSUING_KEY, _SETTINGS, _REVOKED)
        missing = [name for name in needed if not (directory / name).is_file()]
        if missing:
            raise NoTestCaError(
                f"{directory} holds no test CA (missing {', '.join(missing)}); {hint}"
            )
        return cls(directory)

    def issued_here(self, certificate: x509.Certificate) -> bool:
        """Whether this CA's issuing certificate signed `certificate`."""
        _, ca = self.issuing()
        try:
            certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            return False
        return True

    @property
    def trust_directory(self) -> Path:
        """The directory to point a trust store at: it holds the root and nothing else."""
        return self.directory / "trust"

    @classmethod
    def create(
        cls,
        directory: Path,
        now: datetime,
        algorithm: KeyAlgorithm = KeyAlgorithm.EC,
        ocsp_url: str | None = None,
    ) -> DevCaDirectory:
        """Make a new root and issuing CA in `directory` (which must not hold a CA yet)."""
        ca = cls(directory)
        if (directory / _ROOT_CERT).exists():
            raise FileExistsError(f"{directory} already holds a test CA")
        if directory.exists() and not directory.is_dir():
            raise NotADirectoryError(20, "not a directory", str(directory))
        for sub in ("trust", "private", "issued"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        (directory / "private").chmod(0o700)
        root_key = dev_ca.generate_key(algorithm)
        root = dev_ca.make_root(root_key, now)
        issuing_key = dev_ca.generate_key(algorithm)
        issuing = dev_ca.make_issuing_ca(root_key, root, issuing_key, now)
        ca._write_key(_ROOT_KEY, root_key)
        ca._write_key(_ISSUING_KEY, issuing_key)
        (directory / _ROOT_CERT).write_bytes(root.public_bytes(Encoding.PEM))
        (directory / _ISSUING_CERT).write_bytes(issuing.public_bytes(Encoding.PEM))
        (directory / _SETTINGS).write_text(json.dumps({"ocsp_url": ocsp_url}))
        (directory / _REVOKED).write_text("{}")
        return ca

    def root(self) -> x509.Certificate:
        """The root certificate."""
        return x509.load_pem_x509_certificate((self.directory / _ROOT_CERT).read_bytes())

    def issuing(self) -> tuple[SigningKey, x509.Certificate]:
        """The issuing CA's key and certificate."""
        key = serialization.load_pem_private_key(
            (self.directory / _ISSUING_KEY).read_bytes(), password=None
        )
        certificate = x509.load_pem_x509_certificate((self.directory / _ISSUING_CERT).read_bytes())
        return as_signing_key(key), certificate

    def issue(
        self,
        holder: Holder,
        not_before: datetime,
        *,
        days: int = 365,
        algorithm: KeyAlgorithm = KeyAlgorithm.EC,
        p12_password: str | None = None,
    ) -> IssuedFiles:
        """Issue for `holder`; write PEM key and certificate, or a PKCS#12 when a password."""
        ca_key, ca = self.issuing()
        key = dev_ca.generate_key(algorithm)
        settings = json.loads((self.directory / _SETTINGS).read_text())
        certificate = dev_ca.issue(
            ca_key, ca, holder, key.public_key(), not_before, days, settings.get("ocsp_url")
        )
        stem = (
            f"{FILE_PREFIX}-{holder.profile.value}-{holder.iin}-{holder.usage.value}"
            f"-{certificate.serial_number:x}"
        )
        issued = self.directory / "issued"
        chain = (ca,)
        if p12_password is not None:
            p12 = pkcs12.serialize_key_and_certificates(
                stem.encode(),
                key,
                certificate,
                list(chain),
                serialization.BestAvailableEncryption(p12_password.encode()),
            )
            paths: tuple[Path, ...] = (issued / f"{stem}.p12",)
            write_private(paths[0], p12)
        else:
            paths = (issued / f"{stem}.cert.pem", issued / f"{stem}.key.pem")
            paths[0].write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in (certificate, ca)))
            self._write_key(paths[1].relative_to(self.directory).as_posix(), key)
        return IssuedFiles(certificate, key, chain, paths)

    def revoke(self, serial_number: int, at: datetime) -> None:
        """Record a revocation; it shows in the next CRL."""
        revoked = self._revoked()
        revoked[serial_number] = at
        data = {format(s, "x"): when.isoformat() for s, when in revoked.items()}
        (self.directory / _REVOKED).write_text(json.dumps(data, indent=2))

    def write_crl(self, now: datetime, days: int = 7, path: Path | None = None) -> Path:
        """Write the issuing CA's CRL (DER) and return its path."""
        ca_key, ca = self.issuing()
        crl = dev_ca.build_crl(ca_key, ca, self._revoked(), now, days)
        target = path or self.directory / CRL_FILE
        target.write_bytes(crl.public_bytes(Encoding.DER))
        return target

    def _revoked(self) -> dict[int, datetime]:
        raw = json.loads((self.directory / _REVOKED).read_text())
        return {int(s, 16): datetime.fromisoformat(when) for s, when in raw.items()}

    def _write_key(self, relative: str, key: SigningKey) -> None:
        pem = key.private_bytes(
            Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        write_private(self.directory / relative, pem)


def write_private(path: Path, data: bytes) -> None:
    """Write key material readable by the owner only (0600) from the first byte on.

    The file is created with mode 0600 rather than chmod-ed after writing, so there is no
    moment at which the umask's default (often 0644) exposes the key; an existing file is
    narrowed to 0600 before it is truncated and rewritten.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
