"""Dev mode (KEPIL_MODE=dev, the default) lets an NCA-style test identity sign in over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.pki import b64, session_pki, sign_bytes, trust_dir

from kepil.bootstrap import bootstrap
from kepil.config import Mode, Settings
from kepil.entrypoints.api.app import create_app
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.nca_profile import KeyKind

START = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)
TEST_IIN = "900101300123"  # twelve digits failing the check digit, as the NCA kits' IINs do


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    assert settings.mode is Mode.DEV
    with TestClient(create_app(bootstrap(settings, clock=MovableClock(START)))) as test_client:
        yield test_client


def test_a_test_identity_signs_in_over_the_api_in_dev_mode(client: TestClient) -> None:
    holder = Holder(Profile.INDIVIDUAL, TEST_IIN, "ТЕСТОВ ТЕСТ", usage=KeyKind.AUTH)
    credential = session_pki().issue(holder, START - timedelta(days=1))
    nonce = client.post("/api/v1/auth/challenge").json()["nonce"]
    cms = b64(sign_bytes(credential, str(nonce).encode(), START))
    response = client.post("/api/v1/auth/login", json={"cms": cms})
    assert response.status_code == 200, response.text
    assert response.json()["principal"]["iin"] == TEST_IIN
