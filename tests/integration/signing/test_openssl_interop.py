"""Interop with OpenSSL, a peer nobody here wrote: CMS both ways, attached and detached."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing.certificates import load_certificates
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import verify_cms
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_ca_files import DevCaDirectory, IssuedFiles
from kepil.signing.nca_profile import Role
from kepil.signing.trust import TrustStore

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl binary is not on PATH")

# OpenSSL checks certificates against the real clock, so these tests use it too.
NOW = datetime.now(UTC).replace(microsecond=0)
DATA = "Разрешение № 1 на выпуск ОЦА".encode()


def _openssl_version() -> tuple[int, int]:
    if OPENSSL is None:
        return (0, 0)
    words = subprocess.run(
        [OPENSSL, "version"], capture_output=True, check=False, text=True, timeout=10
    ).stdout.split()
    major, minor = (int(part) for part in words[1].split(".")[:2])
    return major, minor


# OpenSSL before 3.2 cannot sign or verify Ed25519 CMS with signed attributes
# ("eddsa_digest_signverify_init: invalid digest"), whoever made the CMS.
ED25519_BROKEN = _openssl_version() < (3, 2)


def _openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *map(str, args)], capture_output=True, check=False, timeout=30)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> DevCaDirectory:
    """A test CA on disk."""
    return DevCaDirectory.create(tmp_path_factory.mktemp("pki"), NOW)


@pytest.fixture(scope="module", params=list(KeyAlgorithm))
def issued(request: pytest.FixtureRequest, ca: DevCaDirectory) -> IssuedFiles:
    """A legal-entity head's PEM credential for each key algorithm."""
    holder = Holder(
        Profile.LEGAL_HEAD, "850315400124", "АХМЕТОВ АЙДАР", "050840001233", "ТОО «Кепіл»"
    )
    algorithm: KeyAlgorithm = request.param
    if algorithm is KeyAlgorithm.ED25519 and ED25519_BROKEN:
        pytest.skip("OpenSSL < 3.2 cannot do Ed25519 CMS with signed attributes")
    return ca.issue(holder, NOW - timedelta(hours=1), algorithm=algorithm)


@pytest.mark.parametrize("detached", [False, True])
def test_a_cms_made_by_openssl_verifies_in_kepil(
    ca: DevCaDirectory, issued: IssuedFiles, tmp_path: Path, detached: bool
) -> None:
    data, out, chain = tmp_path / "data.bin", tmp_path / "signed.p7s", tmp_path / "chain.pem"
    data.write_bytes(DATA)
    cert_path, key_path = issued.paths
    chain.write_bytes(issued.chain[0].public_bytes(Encoding.PEM))
    attach = [] if detached else ["-nodetach"]  # `openssl cms -sign` detaches by default
    made = _openssl(
        "cms",
        "-sign",
        "-binary",
        *attach,
        "-md",
        "sha256",
        "-in",
        data,
        "-signer",
        cert_path,
        "-inkey",
        key_path,
        "-certfile",
        chain,
        "-outform",
        "DER",
        "-out",
        out,
    )
    assert made.returncode == 0, made.stderr.decode()
    result = verify_cms(
        out.read_bytes(),
        trust_store=TrustStore.from_directory(ca.trust_directory),
        at=datetime.now(UTC),  # openssl stamps the time it signs, not NOW (module import)
        data=DATA if detached else None,
    )
    assert result.valid, result.errors
    signer = result.sole_signer()
    assert (signer.iin, signer.bin, signer.role) == ("850315400124", "050840001233", Role.HEAD)
    assert result.content == DATA


@pytest.mark.parametrize("detached", [False, True])
def test_a_cms_made_by_kepil_verifies_with_openssl(
    ca: DevCaDirectory, issued: IssuedFiles, tmp_path: Path, detached: bool
) -> None:
    credential = SignerCredential(issued.key, issued.certificate, issued.chain)
    signed, data, recovered = tmp_path / "s.p7s", tmp_path / "data.bin", tmp_path / "out.bin"
    signed.write_bytes(sign_cms(DATA, [credential], signing_time=NOW, detached=detached))
    data.write_bytes(DATA)
    root = next(ca.trust_directory.iterdir())
    content = ["-content", data] if detached else []
    checked = _openssl(
        "cms",
        "-verify",
        "-in",
        signed,
        "-inform",
        "DER",
        "-binary",
        "-purpose",
        "any",
        "-CAfile",
        root,
        "-out",
        recovered,
        *content,
    )
    assert checked.returncode == 0, checked.stderr.decode()
    assert recovered.read_bytes() == DATA


def test_openssl_rejects_a_kepil_cms_over_other_data(
    ca: DevCaDirectory, issued: IssuedFiles, tmp_path: Path
) -> None:
    credential = SignerCredential(issued.key, issued.certificate, issued.chain)
    signed, other = tmp_path / "s.p7s", tmp_path / "other.bin"
    signed.write_bytes(sign_cms(DATA, [credential], signing_time=NOW, detached=True))
    other.write_bytes(b"something else")
    root = next(ca.trust_directory.iterdir())
    checked = _openssl(
        "cms",
        "-verify",
        "-in",
        signed,
        "-inform",
        "DER",
        "-binary",
        "-purpose",
        "any",
        "-CAfile",
        root,
        "-content",
        other,
        "-out",
        tmp_path / "o",
    )
    assert checked.returncode != 0


def test_a_multi_signer_cms_by_kepil_verifies_with_openssl(
    ca: DevCaDirectory, tmp_path: Path
) -> None:
    people = [
        ca.issue(Holder(Profile.INDIVIDUAL, iin, "ТЕСТОВ ТЕСТ"), NOW - timedelta(hours=1))
        for iin in ("900101300126", "900101300136")
    ]
    credentials = [SignerCredential(p.key, p.certificate, p.chain) for p in people]
    signed = tmp_path / "s.p7s"
    signed.write_bytes(sign_cms(DATA, credentials, signing_time=NOW))
    root = next(ca.trust_directory.iterdir())
    checked = _openssl(
        "cms",
        "-verify",
        "-in",
        signed,
        "-inform",
        "DER",
        "-binary",
        "-purpose",
        "any",
        "-CAfile",
        root,
        "-out",
        tmp_path / "o",
    )
    assert checked.returncode == 0, checked.stderr.decode()


def test_the_test_ca_files_say_not_for_production(ca: DevCaDirectory) -> None:
    names = [path.name for path in ca.directory.rglob("*") if path.is_file()]
    marked = [name for name in names if name.endswith((".pem", ".key", ".der"))]
    assert marked
    assert all("TEST-PKI-NOT-FOR-PRODUCTION" in name for name in marked)
    root = load_certificates(next(ca.trust_directory.iterdir()).read_bytes())
    assert "NOT FOR PRODUCTION" in root[0].subject.rfc4514_string()
