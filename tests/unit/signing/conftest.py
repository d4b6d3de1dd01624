"""Shared test PKI for the signing unit tests: built once, at a fixed moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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
