"""A TEST Ministry: a test PKI, the Ministry's signing certificate, and permits it signs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.ledger import OPERATOR

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import (
    ActivityAddress,
    ApplicantKind,
    Permit,
    Provider,
    Recipient,
    Signer,
)
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki

PKI_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
SIGNED_AT = datetime(2025, 12, 31, 9, 0, tzinfo=UTC)
MINISTRY_BIN = "210240044100"


def permit(holder: str = OPERATOR, issued: date = date(2025, 12, 31)) -> Permit:
    """The permit service's permit for `holder`, issued on `issued`."""
    return Permit(
        number="KZ-OCA-0001",
        application_number="A-1",
        issue_date=issued,
        provider=Provider(),
        recipient=Recipient(
            "Kepil Operator LLP", ApplicantKind.LEGAL_ENTITY, holder, "Astana", "+7", "a@b.kz"
        ),
        platform_name="Kepil",
        purpose="a digital platform for secured digital assets",
        activity_addresses=(ActivityAddress("010000", "Mangilik El", "55"),),
        signer=Signer("Vice minister", "Ivanov I.I.", "850314312344"),
    )


@dataclass
class Ministry:
    """The test PKI and the Ministry's credential."""

    pki: DevPki
    credential: SignerCredential

    @classmethod
    def create(cls, epoch: datetime = PKI_EPOCH) -> Ministry:
        """A fresh test PKI and a Ministry official's signing credential valid for a year."""
        pki = DevPki.create(epoch)
        holder = Holder(
            Profile.OFFICIAL,
            iin="850314312344",
            name="ИВАНОВ ИВАН ИВАНОВИЧ",
            bin=MINISTRY_BIN,
            organization="Министерство",
        )
        return cls(pki, pki.issue(holder, epoch))

    @property
    def certificate(self) -> bytes:
        """The Ministry's signing certificate, DER."""
        return self.credential.certificate.public_bytes(Encoding.DER)

    def sign(self, content: bytes, at: datetime = SIGNED_AT, *, detached: bool = False) -> bytes:
        """An attached (or detached) CMS over `content` signed at `at`."""
        return sign_cms(content, [self.credential], signing_time=at, detached=detached)

    def permit_document(self, document: Permit | None = None, at: datetime = SIGNED_AT) -> bytes:
        """The signed permit, as the permit service issues it."""
        return self.sign(canonical_bytes((document or permit()).to_canonical_dict()), at)
