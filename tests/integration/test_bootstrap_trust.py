"""Which EDS certificates the wired application trusts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.support.pki import trust_dir
from tests.support.provider import TEST_PROVIDER

from kepil.bootstrap import ConfigurationError, bootstrap
from kepil.config import Mode, Settings

NCA = Path(__file__).parents[1] / "fixtures" / "nca"
SECRET = "x7Jq2vR9mLp4Tz8Wn3Kc6Yb1Hd5Fg0Sa"


def test_dev_mode_makes_and_trusts_its_own_test_pki_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    bootstrap(settings).close()
    root = next((tmp_path / "test-pki" / "trust").iterdir()).read_bytes()
    bootstrap(settings).close()
    assert next((tmp_path / "test-pki" / "trust").iterdir()).read_bytes() == root


def test_prod_mode_refuses_to_trust_a_test_pki_root(tmp_path: Path) -> None:
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(
        mode=Mode.PROD,
        data_dir=tmp_path,
        trust_dir=trust,
        session_secret=SECRET,  # type: ignore[arg-type]
        **TEST_PROVIDER,  # type: ignore[arg-type]
    )
    with pytest.raises(ConfigurationError, match="TEST PKI"):
        bootstrap(settings)


def test_an_empty_trust_directory_is_a_configuration_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, trust_dir=tmp_path)
    with pytest.raises(ConfigurationError, match="no root CA certificate"):
        bootstrap(settings)


def test_a_trust_directory_with_only_an_intermediate_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    trust = tmp_path / "trust"
    trust.mkdir()
    shutil.copy(NCA / "nca_gost2022_test.cer", trust)
    settings = Settings(data_dir=tmp_path, trust_dir=trust)
    with pytest.raises(
        ConfigurationError, match=r"no root CA certificate \(self-signed\), only 1 intermediate"
    ):
        bootstrap(settings)


def test_a_root_filed_under_intermediates_is_a_configuration_error(tmp_path: Path) -> None:
    trust = tmp_path / "trust"
    (trust / "intermediates").mkdir(parents=True)
    shutil.copy(NCA / "root_test_gost_2022.cer", trust / "intermediates")
    settings = Settings(data_dir=tmp_path, trust_dir=trust)
    with pytest.raises(ConfigurationError, match="self-signed; it belongs in roots/"):
        bootstrap(settings)
