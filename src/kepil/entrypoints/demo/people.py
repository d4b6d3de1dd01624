"""Act 1: a TEST PKI for the run and the people who hold its keys (TEST identities only).

Each person has the two NCA keys: authentication for signing in, signing for documents. The
CA is made in the demo's folder, and only the demo's server and nodes are told to trust it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

# TEST identities: numbers that pass their check digits, belonging to no one real (the same
# the test suite's people and the local e-gov sample use, so the server recognises them).
APPLICANT_BIN: Final = "120440056787"
APPLICANT_IIN: Final = "900101300126"
APPLICANT_NAME: Final = "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
APPLICANT_ORGANIZATION: Final = "ТОО «Тест»"
MINISTRY_BIN: Final = "210240044100"
MINISTRY: Final = "МЦРИАП РК"
CLERK: Final = ("850315400124", "КАНЦЕЛЯРОВА АЙГУЛЬ")
EXAMINER: Final = ("781102303459", "ЭКСПЕРТОВ АРМАН")
HEAD: Final = ("900101300136", "РУКОВОДИТЕЛЕВ ЕРЛАН")
KEY_DAYS: Final = 365
TEST_NOTICE: Final = (
    "TEST PKI made by `kepil demo`. Every key and certificate here is for testing only: trust it\n"
    "nowhere but in the demo's own server and nodes.\n"
)


@dataclass
class Person:
    """Someone holding an authentication and a signing credential; a session once signed in."""

    iin: str
    name: str
    auth: SignerCredential
    sign: SignerCredential
    token: str = ""

    def signed(self, data: bytes, at: datetime) -> bytes:
        """An attached CMS over `data` by the signing key, stating `at` as its signing time."""
        return sign_cms(data, [self.sign], signing_time=at)

    def authenticated(self, data: bytes, at: datetime) -> bytes:
        """An attached CMS over `data` by the authentication key (for signing in)."""
        return sign_cms(data, [self.auth], signing_time=at)


@dataclass
class Cast:
    """The TEST PKI and its people: the applicant's director and the Ministry's officials."""

    pki: DevPki
    trust_dir: Path
    applicant: Person
    clerk: Person
    examiner: Person
    head: Person


def make_cast(directory: Path, now: datetime) -> Cast:
    """A fresh TEST PKI valid from a day before `now`; its root alone in `directory`/trust."""
    start = now - timedelta(days=1)
    pki = DevPki.create(start)
    trust = directory / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    (trust / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    (directory / "TEST-PKI.txt").write_text(TEST_NOTICE, encoding="utf-8")

    def person(profile: Profile, iin: str, name: str, bin_: str, org: str) -> Person:
        keys = {
            usage: pki.issue(
                Holder(profile, iin=iin, name=name, bin=bin_, organization=org, usage=usage),
                start,
                days=KEY_DAYS,
            )
            for usage in (KeyKind.AUTH, KeyKind.SIGN)
        }
        return Person(iin, name, keys[KeyKind.AUTH], keys[KeyKind.SIGN])

    def official(who: tuple[str, str]) -> Person:
        return person(Profile.OFFICIAL, who[0], who[1], MINISTRY_BIN, MINISTRY)

    applicant = person(
        Profile.LEGAL_HEAD, APPLICANT_IIN, APPLICANT_NAME, APPLICANT_BIN, APPLICANT_ORGANIZATION
    )
    return Cast(pki, trust, applicant, official(CLERK), official(EXAMINER), official(HEAD))
