"""Driving the pages in tests: the CSRF token a page carries, and sign-in as a browser does it."""

from __future__ import annotations

import base64
import re
from datetime import datetime

from fastapi.testclient import TestClient
from tests.support.pki import sign_bytes

from kepil.signing.cms_sign import SignerCredential

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def signed_challenge(client: TestClient, key: SignerCredential, at: datetime) -> tuple[str, str]:
    """The login page's CSRF token and a CMS (base64) over a fresh challenge, as NCALayer makes."""
    token = csrf(client.get("/login").text)
    challenge = client.post("/login/challenge", headers={"X-CSRF-Token": token}).json()
    cms = sign_bytes(key, base64.b64decode(challenge["data_b64"]), at)
    return token, base64.b64encode(cms).decode()


def sign_in_on_pages(client: TestClient, key: SignerCredential, at: datetime) -> None:
    """Sign in through the login page; the client keeps the session cookie."""
    token, cms = signed_challenge(client, key, at)
    answer = client.post("/login", data={"cms": cms, "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    client.cookies.set("kepil_session", answer.cookies["kepil_session"])
