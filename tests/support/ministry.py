"""A TEST Ministry: a test PKI, its head's signing certificate, the permits and status changes
the head signs, and the node's verifier trusting that PKI's root and the Ministry's BIN."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.ledger import OPERATOR

from kepil.adapters.ledger_permit import CmsPermitVerifier
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


def official(bin_: str, *, head: bool = True, iin: str = "850314312344") -> Holder:
    """An official of the organisation `bin_`: its head, or one with the NCA signer role."""
    return Holder(
        Profile.OFFICIAL,
        iin=iin,
        name="ИВАНОВ ИВАН ИВАНОВИЧ",
        bin=bin_,
        organization="Министерство",
        official_is_head=head,
    )


@dataclass
class Ministry:
    """The test PKI and the Ministry's credential."""

    pki: DevPki
    credential: SignerCredential

    @classmethod
    def create(cls, epoch: datetime = PKI_EPOCH, *, head: bool = True) -> Ministry:
        """A fresh test PKI and a Ministry head's signing credential valid for a year.

        With head=False the official holds the NCA signer role (an acting head's)."""
        pki = DevPki.create(epoch)
        return cls(pki, pki.issue(official(MINISTRY_BIN, head=head), epoch))

    def verifier(self, ministry_bin: str = MINISTRY_BIN) -> CmsPermitVerifier:
        """A node's verifier: this PKI's root as its anchor, `ministry_bin` as the Ministry's."""
        return CmsPermitVerifier(self.pki.trust_store(), ministry_bin)

    def status_change(
        self,
        action: str,
        at: datetime,
        number: str = "KZ-OCA-0001",
        *,
        detached: bool = True,
    ) -> tuple[bytes, bytes]:
        """The registry's signed change: the document's canonical bytes and the head's CMS."""
        document = canonical_bytes(
            {
                "document_type": "permit_status_change",
                "registry_number": "REG-2025-000001",
                "permit_number": number,
                "action": action,
                "reason": "Rules §11: a TEST reason",
            }
        )
        return document, self.sign(document, at, detached=detached)

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
