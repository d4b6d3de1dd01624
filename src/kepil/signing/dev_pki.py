"""An in-memory test PKI (root, issuing CA, holders) for tests and the embedded default."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509

from kepil.signing import dev_ca
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.keys import SigningKey
from kepil.signing.nca_profile import KeyKind
from kepil.signing.trust import TrustStore


@dataclass
class DevPki:
    """A TEST root and issuing CA held in memory, issuing NCA-profile credentials."""

    root_key: SigningKey
    root: x509.Certificate
    issuing_key: SigningKey
    issuing: x509.Certificate
    ocsp_url: str | None = None
    revoked: dict[int, datetime] = field(default_factory=dict)

    @classmethod
    def create(
        cls, now: datetime, algorithm: KeyAlgorithm = KeyAlgorithm.EC, ocsp_url: str | None = None
    ) -> DevPki:
        """A fresh test PKI whose CAs are valid from `now` for ten years."""
        root_key = dev_ca.generate_key(algorithm)
        root = dev_ca.make_root(root_key, now)
        issuing_key = dev_ca.generate_key(algorithm)
        issuing = dev_ca.make_issuing_ca(root_key, root, issuing_key, now)
        return cls(root_key, root, issuing_key, issuing, ocsp_url)

    def trust_store(self) -> TrustStore:
        """A store trusting this PKI's root only."""
        return TrustStore.from_certificates([self.root])

    def issue(
        self,
        holder: Holder,
        not_before: datetime,
        *,
        days: int = 365,
        algorithm: KeyAlgorithm = KeyAlgorithm.EC,
        key: SigningKey | None = None,
    ) -> SignerCredential:
        """A key and certificate for `holder`, with the issuing CA as chain."""
        key = key or dev_ca.generate_key(algorithm)
        certificate = dev_ca.issue(
            self.issuing_key,
            self.issuing,
            holder,
            key.public_key(),
            not_before,
            days,
            self.ocsp_url,
        )
        return SignerCredential(key, certificate, (self.issuing,))

    def person(
        self,
        now: datetime,
        profile: Profile = Profile.INDIVIDUAL,
        usage: KeyKind = KeyKind.SIGN,
        algorithm: KeyAlgorithm = KeyAlgorithm.EC,
    ) -> SignerCredential:
        """A ready-made holder of `profile`, valid from a day before `now`."""
        needs_bin = profile is not Profile.INDIVIDUAL
        holder = Holder(
            profile,
            iin="900101300126",
            name="ТЕСТОВ ТЕСТ ТЕСТОВИЧ",
            bin="120440056787" if needs_bin else None,
            organization="ТОО «Тест»" if needs_bin else None,
            usage=usage,
        )
        return self.issue(holder, now - timedelta(days=1), algorithm=algorithm)

    def revoke(self, certificate: x509.Certificate, at: datetime) -> None:
        """Record a revocation for the next CRL."""
        self.revoked[certificate.serial_number] = at

    def crl(self, now: datetime, days: int = 7) -> x509.CertificateRevocationList:
        """The issuing CA's current CRL."""
        return dev_ca.build_crl(self.issuing_key, self.issuing, self.revoked, now, days)
