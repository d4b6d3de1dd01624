"""Shared test PKI for the signing unit tests: built once, at a fixed moment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import keys
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import KeyAlgorithm, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def now() -> datetime:
    """The fixed moment the tests sign and verify at."""
    return NOW


@pytest.fixture(scope="session")
def pki() -> DevPki:
    """An EC test PKI."""
    return DevPki.create(NOW)


@pytest.fixture(scope="session")
def other_pki() -> DevPki:
    """A second, unrelated test PKI, for untrusted chains."""
    return DevPki.create(NOW)


@pytest.fixture(scope="session")
def ec_signer(pki: DevPki) -> SignerCredential:
    """An individual's EC signing credential."""
    return pki.person(NOW)


@pytest.fixture(scope="session")
def rsa_signer(pki: DevPki) -> SignerCredential:
    """A legal-entity head's RSA-2048 signing credential."""
    return pki.person(NOW, Profile.LEGAL_HEAD, algorithm=KeyAlgorithm.RSA)


@pytest.fixture(scope="session")
def ed25519_signer(pki: DevPki) -> SignerCredential:
    """An entrepreneur's Ed25519 signing credential."""
    return pki.person(NOW, Profile.ENTREPRENEUR, algorithm=KeyAlgorithm.ED25519)


@pytest.fixture(scope="session")
def auth_signer(pki: DevPki) -> SignerCredential:
    """An individual's EC sign-in (authentication) credential."""
    return pki.person(NOW, usage=KeyKind.AUTH)


def default_attributes(
    data: bytes, at: datetime, digest: hashes.HashAlgorithm | None = None
) -> list[cms.CMSAttribute]:
    """content-type data, signing-time `at` and the message digest of `data`."""
    hasher = hashes.Hash(digest or hashes.SHA256())
    hasher.update(data)
    return [
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": at})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hasher.finalize()]}),
    ]


@dataclass
class CmsParts:
    """Every part of a one-signer CMS, to be bent one at a time by the tests."""

    credential: SignerCredential
    data: bytes
    attributes: list[cms.CMSAttribute] | None
    digest_algorithm: str = "sha256"
    signature_algorithm: str = "sha256_ecdsa"
    sign_hash: hashes.HashAlgorithm = field(default_factory=hashes.SHA256)
    by_key_identifier: bool = False
    certificates: list[x509.Certificate] | None = None
    signed_bytes: bytes | None = None  # what the key signs; default: the DER attributes

    def build(self) -> bytes:
        """DER ContentInfo; the attributes go in as given, in this order."""
        certificate = self.credential.certificate
        parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
        if self.by_key_identifier:
            ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            sid = cms.SignerIdentifier({"subject_key_identifier": ski.value.digest})
        else:
            sid = cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": parsed.issuer,
                        "serial_number": parsed.serial_number,
                    }
                }
            )
        info: dict[str, object] = {
            "version": "v3" if self.by_key_identifier else "v1",
            "sid": sid,
            "digest_algorithm": {"algorithm": self.digest_algorithm},
            "signature_algorithm": {"algorithm": self.signature_algorithm},
        }
        to_sign = self.data
        if self.attributes is not None:
            attributes = cms.CMSAttributes(self.attributes)
            info["signed_attrs"] = attributes
            to_sign = attributes.dump()
        if self.signed_bytes is not None:
            to_sign = self.signed_bytes
        info["signature"] = keys.sign(self.credential.key, to_sign, self.sign_hash)
        bag = self.certificates
        if bag is None:
            bag = [certificate, *self.credential.chain]
        signed_data = cms.SignedData(
            {
                "version": "v3" if self.by_key_identifier else "v1",
                "digest_algorithms": [{"algorithm": self.digest_algorithm}],
                "encap_content_info": {"content_type": "data", "content": self.data},
                "certificates": [
                    asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in bag
                ],
                "signer_infos": [cms.SignerInfo(info)],
            }
        )
        return bytes(
            cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
        )


@pytest.fixture
def parts(ec_signer: SignerCredential) -> CmsParts:
    """A good EC one-signer CMS over DATA, ready to be changed."""
    return CmsParts(ec_signer, PARTS_DATA, default_attributes(PARTS_DATA, NOW))


PARTS_DATA = b"permit application #42"


@pytest.fixture(scope="session")
def attributes_for() -> object:
    """default_attributes, for tests that build their own attribute lists."""
    return default_attributes
