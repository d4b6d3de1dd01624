"""The real NCA / Kalkan samples in tests/fixtures/nca (provenance in its README)."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from kepil.signing.trust import TrustStore

NCA = Path(__file__).parents[2] / "fixtures" / "nca"
# NCA names run past X.520's 64 characters and `cryptography` warns (issue 19 item 8, not here).
LONG_NAME_WARNING = "ignore:Attribute's length must be:UserWarning"


def sample(name: str) -> bytes:
    """The bytes of one sample file."""
    return (NCA / name).read_bytes()


def certificate(name: str) -> x509.Certificate:
    """A DER or PEM certificate from the samples."""
    data = sample(name)
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def gost_2022_trust() -> TrustStore:
    """The NCA GOST TEST 2022 root and its issuing CA."""
    return TrustStore.from_certificates(
        [certificate("root_test_gost_2022.cer"), certificate("nca_gost2022_test.cer")]
    )


def ncanode_trust() -> TrustStore:
    """What the two-signer NCANode CMS chains to: the GOST TEST 2022 and RSA test roots and CAs."""
    return TrustStore.from_certificates(
        [
            certificate("root_test_gost_2022.cer"),
            certificate("nca_gost2022_test.cer"),
            certificate("root_rsa_test.crt"),
            certificate("nca_rsa_test.crt"),
        ]
    )


def any_number(_: str) -> bool:
    """NCA test IINs fail the check digit (issue 19 item 7): these tests are not about that."""
    return True
