"""The tests' TEST PKI: one CA per session, people holding NCA keys, CMS over bytes, sign-in.

Every person has the two keys a Kazakh citizen or official gets from the NCA: an authentication
key for signing in and a signing key for documents; the service refuses to mix them up.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.identities import (
    APPLICANT_BIN,
    APPLICANT_IIN,
    APPLICANT_NAME,
    APPLICANT_ORGANIZATION,
    MINISTRY,
    MINISTRY_BIN,
)

from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PKI_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
"""When the session's CA and every person's keys begin; the CA lasts ten years, keys three."""
KEY_DAYS = 3 * 365


@cache
def session_pki() -> DevPki:
    """The TEST root and issuing CA every test of the session shares (keys are slow to make)."""
    return DevPki.create(PKI_EPOCH)


@dataclass
class Person:
    """Someone with an authentication and a signing credential, and a session once signed in."""

    iin: str
    name: str
    auth: SignerCredential
    sign: SignerCredential
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header of the person's session."""
        return bearer(self.token)


def person(
    profile: Profile,
    iin: str,
    name: str,
    bin_: str | None = None,
    organization: str | None = None,
    pki: DevPki | None = None,
) -> Person:
    """A holder of both NCA keys from the session's CA (or `pki`), valid from PKI_EPOCH."""
    ca = pki or session_pki()
    keys = {
        usage: ca.issue(
            Holder(profile, iin=iin, name=name, bin=bin_, organization=organization, usage=usage),
            PKI_EPOCH,
            days=KEY_DAYS,
        )
        for usage in (KeyKind.AUTH, KeyKind.SIGN)
    }
    return Person(iin, name, keys[KeyKind.AUTH], keys[KeyKind.SIGN])


def applicant_director(pki: DevPki | None = None) -> Person:
    """The director of ТОО «Тест», who signs its applications and complaints."""
    return person(
        Profile.LEGAL_HEAD,
        APPLICANT_IIN,
        APPLICANT_NAME,
        APPLICANT_BIN,
        APPLICANT_ORGANIZATION,
        pki,
    )


def applicant_employee(iin: str = "880715310006", pki: DevPki | None = None) -> Person:
    """An employee of ТОО «Тест» (NCA role 1.2.398.3.3.4.1.2.5): signs in, may not sign for it."""
    return person(
        Profile.LEGAL_EMPLOYEE,
        iin,
        "СОТРУДНИКОВ САМАТ",
        APPLICANT_BIN,
        APPLICANT_ORGANIZATION,
        pki,
    )


def applicant_signatory(iin: str = "880715310016", pki: DevPki | None = None) -> Person:
    """A person with the right of signature for ТОО «Тест» (NCA role 1.2.398.3.3.4.1.2.2)."""
    # The TEST CA's official profile is an organisation's signer; here the organisation is ours.
    return person(
        Profile.OFFICIAL, iin, "ПОДПИСАНТОВ АЛИ", APPLICANT_BIN, APPLICANT_ORGANIZATION, pki
    )


def ministry_official(iin: str, name: str, pki: DevPki | None = None) -> Person:
    """An official of the Ministry, signing for it."""
    return person(Profile.OFFICIAL, iin, name, MINISTRY_BIN, MINISTRY, pki)


def sign_bytes(
    credential: SignerCredential, data: bytes, at: datetime, detached: bool = False
) -> bytes:
    """A CMS over the bytes by the credential, with `at` as its signing time."""
    return sign_cms(data, [credential], signing_time=at, detached=detached)


def b64(cms: bytes) -> str:
    """A CMS as the API's JSON bodies carry it."""
    return base64.b64encode(cms).decode()


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a session token."""
    return {"Authorization": f"Bearer {token}"}


def trust_dir(directory: Path, pki: DevPki | None = None) -> Path:
    """A trust directory holding the root of the session's CA (or of `pki`) and nothing else."""
    directory.mkdir(parents=True, exist_ok=True)
    root = (pki or session_pki()).root
    (directory / "root.pem").write_bytes(root.public_bytes(Encoding.PEM))
    return directory


def sign_in(client: TestClient, credential: SignerCredential, at: datetime) -> str:
    """Sign the server's challenge with an authentication key; the session's token."""
    nonce = client.post("/api/v1/auth/challenge").json()["nonce"]
    cms = sign_bytes(credential, nonce.encode(), at)
    response = client.post("/api/v1/auth/login", json={"cms": b64(cms)})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])
