"""Real NCA test kits over HTTP: a GOST 2015 key signs in, an older kit's signing key does not.

The keys are the NCA's own test PKCS#12 files (tests/fixtures/nca, provenance in its README),
used through the NCALayer stand-in's key loader, which signs as Kalkan does. The clock stands
inside each certificate's validity; the trust folder holds the NCA test root and issuing CA.
"""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.ncalayer import sign_request
from tests.support.provider import TEST_PROVIDER

from kepil.bootstrap import bootstrap
from kepil.config import Mode, Settings
from kepil.entrypoints.api.app import create_app
from kepil.entrypoints.ncalayer.keys import OfferedKey, load_key_file
from kepil.entrypoints.ncalayer.protocol import StandIn, pem_cms_der

pytestmark = pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")

NCA = Path(__file__).parents[2] / "fixtures" / "nca"
GOST_2015_KEY = NCA / "WithTestData.KEY_INDIVIDUAL_VALID_2015.p12"  # 2022-07-28 .. 2023-07-28
RSA_SIGNING_KEY = NCA / "WithTestData.KEY_INDIVIDUAL_VALID_SIGN_2004.p12"  # 2021-01-18 .. 2022
GOST_2015_MOMENT = datetime(2023, 1, 10, 6, 0, tzinfo=UTC)
RSA_MOMENT = datetime(2021, 6, 1, 6, 0, tzinfo=UTC)
SECRET = "x7Jq2vR9mLp4Tz8Wn3Kc6Yb1Hd5Fg0Sa"


def _trust(directory: Path, root: str, intermediate: str) -> Path:
    (directory / "roots").mkdir(parents=True)
    (directory / "intermediates").mkdir()
    shutil.copy(NCA / root, directory / "roots")
    shutil.copy(NCA / intermediate, directory / "intermediates")
    return directory


@pytest.fixture
def gost_trust(tmp_path: Path) -> Path:
    return _trust(tmp_path / "trust-gost", "root_test_gost_2022.cer", "nca_gost2022_test.cer")


@pytest.fixture
def rsa_trust(tmp_path: Path) -> Path:
    return _trust(tmp_path / "trust-rsa", "root_rsa_test.crt", "nca_rsa_test.crt")


def _client(settings: Settings, at: datetime) -> TestClient:
    return TestClient(create_app(bootstrap(settings, clock=MovableClock(at))))


def _login(client: TestClient, key: OfferedKey, at: datetime) -> dict[str, object]:
    """Sign the server's challenge as NCALayer would (attached CMS) and log in."""
    challenge = client.post("/api/v1/auth/challenge")
    assert challenge.status_code == 201, challenge.text
    nonce = str(challenge.json()["nonce"]).encode()
    cms = key.signer.sign(nonce, at, detached=False)
    response = client.post("/api/v1/auth/login", json={"cms": base64.b64encode(cms).decode()})
    return {"status": response.status_code, "body": response.json()}


@pytest.fixture
def gost_key() -> OfferedKey:
    (key,) = load_key_file(GOST_2015_KEY, "Aa123456")
    return key


def test_an_nca_gost_2015_test_key_signs_in_through_the_api_in_dev_mode(
    database_url: str, tmp_path: Path, gost_trust: Path, gost_key: OfferedKey
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=gost_trust)
    assert settings.mode is Mode.DEV
    with _client(settings, GOST_2015_MOMENT) as client:
        answer = _login(client, gost_key, GOST_2015_MOMENT)
        assert answer["status"] == 200, answer
        body = answer["body"]
        assert isinstance(body, dict)
        assert body["principal"]["iin"] == "123456789012"
        assert body["principal"]["role"] == "individual"
        session = client.get(
            "/api/v1/auth/session", headers={"Authorization": f"Bearer {body['token']}"}
        )
        assert session.status_code == 200
        assert session.json()["principal"]["iin"] == "123456789012"


def test_in_prod_mode_the_nca_test_identity_is_refused(
    database_url: str, tmp_path: Path, gost_trust: Path, gost_key: OfferedKey
) -> None:
    settings = Settings(
        mode=Mode.PROD,
        database_url=database_url,
        data_dir=tmp_path,
        trust_dir=gost_trust,
        session_secret=SECRET,
        **TEST_PROVIDER,  # type: ignore[arg-type]
    )
    with _client(settings, GOST_2015_MOMENT) as client:
        answer = _login(client, gost_key, GOST_2015_MOMENT)
    assert answer["status"] == 401
    error = answer["body"]["error"]  # type: ignore[index]
    assert "invalid_identity_number" in error["message"]
    assert "123456789012" in error["message"]


def test_the_same_gost_key_is_refused_with_only_the_issuing_ca_trusted(
    database_url: str, tmp_path: Path, gost_key: OfferedKey
) -> None:
    trust = tmp_path / "trust-flat"
    trust.mkdir()
    shutil.copy(NCA / "nca_gost2022_test.cer", trust)
    (trust / "roots").mkdir()
    shutil.copy(NCA / "root_rsa_test.crt", trust / "roots")  # a root, but not this chain's
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    with _client(settings, GOST_2015_MOMENT) as client:
        answer = _login(client, gost_key, GOST_2015_MOMENT)
    assert answer["status"] == 401
    error = answer["body"]["error"]  # type: ignore[index]
    assert error["code"] == "invalid_signature"
    assert "untrusted_chain" in error["message"]
    assert "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022' is not configured" in error["message"]


def test_an_older_kits_rsa_signing_key_is_refused_at_sign_in_with_a_clear_error(
    database_url: str, tmp_path: Path, rsa_trust: Path
) -> None:
    (key,) = load_key_file(RSA_SIGNING_KEY, "Qwerty12")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=rsa_trust)
    with _client(settings, RSA_MOMENT) as client:
        answer = _login(client, key, RSA_MOMENT)
    assert answer["status"] == 401
    error = answer["body"]["error"]  # type: ignore[index]
    assert error["code"] == "not_an_authentication_key"
    assert "NCA signing key (RSA256_/GOSTKNCA_)" in error["message"]
    assert "AUTH_RSA256_" in error["message"]


def test_an_nca_gost_2015_test_key_signs_in_through_the_ncalayer_stand_in(
    database_url: str, tmp_path: Path, gost_trust: Path, gost_key: OfferedKey
) -> None:
    # The request ncalayer.js sends for signing in: no EKU filter (the key has no clientAuth).
    stand_in = StandIn((gost_key,), lambda: GOST_2015_MOMENT)
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=gost_trust)
    with _client(settings, GOST_2015_MOMENT) as client:
        nonce = str(client.post("/api/v1/auth/challenge").json()["nonce"]).encode()
        reply = stand_in.reply(sign_request(base64.b64encode(nonce).decode()))
        assert reply["status"] is True, reply
        cms = pem_cms_der(reply["body"]["result"])
        response = client.post("/api/v1/auth/login", json={"cms": base64.b64encode(cms).decode()})
    assert response.status_code == 200, response.text
    assert response.json()["principal"]["iin"] == "123456789012"
