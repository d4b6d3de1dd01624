"""Settings: the embedded default, PostgreSQL by URL, and no placeholder secrets in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from tests.support.provider import TEST_PROVIDER

from kepil.config import Mode, Settings


def test_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'kepil.sqlite3'}"


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEPIL_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    assert Settings().effective_database_url == "postgresql://postgres@127.0.0.1:5432/test"


def test_dev_mode_accepts_the_placeholder_secret() -> None:
    assert Settings(mode=Mode.DEV).session_secret.get_secret_value() == "dev-only"


@pytest.mark.parametrize("secret", ["dev-only", "change-me", "short-but-not-placeholder"])
def test_prod_mode_refuses_placeholder_or_short_secrets(secret: str) -> None:
    with pytest.raises(ValidationError, match="KEPIL_SESSION_SECRET"):
        Settings(mode=Mode.PROD, session_secret=secret)  # type: ignore[arg-type]


def test_prod_mode_accepts_a_real_secret(tmp_path: Path) -> None:
    secret = "x7Jq2vR9mLp4Tz8Wn3Kc6Yb1Hd5Fg0Sa"
    settings = Settings(
        mode=Mode.PROD,
        session_secret=secret,  # type: ignore[arg-type]
        trust_dir=tmp_path,
        **TEST_PROVIDER,  # type: ignore[arg-type]
    )
    assert settings.session_secret.get_secret_value() == secret


def test_prod_mode_requires_a_configured_trust_directory() -> None:
    secret = "x7Jq2vR9mLp4Tz8Wn3Kc6Yb1Hd5Fg0Sa"
    with pytest.raises(ValidationError, match="KEPIL_TRUST_DIR"):
        Settings(mode=Mode.PROD, session_secret=secret)  # type: ignore[arg-type]


def test_secrets_never_appear_in_the_settings_repr() -> None:
    settings = Settings(session_secret="x7Jq2vR9mLp4Tz8Wn3Kc6Yb1Hd5Fg0Sa")  # type: ignore[arg-type]
    assert "x7Jq2v" not in repr(settings)


def test_an_out_of_range_port_is_refused() -> None:
    with pytest.raises(ValidationError, match="port"):
        Settings(port=70000)


_SECRET = "x7Jq2vR9mLp4Tz8Wn3Kc6Yb1Hd5Fg0Sa"


def test_prod_mode_refuses_to_start_without_the_state_body_requisites_naming_each(
    tmp_path: Path,
) -> None:
    given = {k: v for k, v in TEST_PROVIDER.items() if k not in {"provider_bin", "provider_site"}}
    with pytest.raises(ValidationError) as refused:
        Settings(mode=Mode.PROD, session_secret=_SECRET, trust_dir=tmp_path, **given)  # type: ignore[arg-type]
    message = str(refused.value)
    assert "KEPIL_PROVIDER_BIN" in message
    assert "KEPIL_PROVIDER_SITE" in message
    assert "KEPIL_PROVIDER_PHONE" not in message


def test_the_state_body_requisites_come_from_kepil_provider_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in TEST_PROVIDER.items():
        monkeypatch.setenv(f"KEPIL_{name.upper()}", value)
    provider = Settings().provider()
    assert provider.configured
    assert provider.bin == TEST_PROVIDER["provider_bin"]
    assert provider.name_kk == TEST_PROVIDER["provider_name_kk"]
    assert provider.address_ru == TEST_PROVIDER["provider_address_ru"]


def test_dev_mode_without_requisites_leaves_them_empty_and_not_configured() -> None:
    provider = Settings(mode=Mode.DEV).provider()
    assert not provider.configured
    assert provider.bin == provider.phone == provider.site == ""
    assert provider.requisites("ru") == ""
    assert provider.name_ru.startswith("Министерство цифрового развития")


def test_a_provider_bin_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError, match="KEPIL_PROVIDER_BIN"):
        Settings(provider_bin="210240044101")


def test_kepil_serve_in_prod_without_requisites_stops_before_serving_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from kepil.entrypoints.cli.main import app

    monkeypatch.setenv("KEPIL_MODE", "prod")
    monkeypatch.setenv("KEPIL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEPIL_SESSION_SECRET", _SECRET)
    monkeypatch.setenv("KEPIL_TRUST_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "KEPIL_PROVIDER_NAME_KK" in result.output
    assert "KEPIL_PROVIDER_SITE" in result.output


def test_prod_mode_refuses_to_start_without_an_https_public_address_for_the_qr_codes(
    tmp_path: Path,
) -> None:
    given = {k: v for k, v in TEST_PROVIDER.items() if k != "public_base_url"}
    with pytest.raises(ValidationError, match="KEPIL_PUBLIC_BASE_URL"):
        Settings(mode=Mode.PROD, session_secret=_SECRET, trust_dir=tmp_path, **given)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="KEPIL_PUBLIC_BASE_URL"):
        Settings(
            mode=Mode.PROD,
            session_secret=_SECRET,
            trust_dir=tmp_path,
            **{**given, "public_base_url": "http://kepil.example.kz"},  # type: ignore[arg-type]
        )


def test_dev_mode_without_a_public_address_falls_back_to_each_requests_address() -> None:
    assert Settings(mode=Mode.DEV).public_base_url is None


def test_prod_refuses_a_configured_name_without_its_genitive_naming_the_setting(
    tmp_path: Path,
) -> None:
    given = {k: v for k, v in TEST_PROVIDER.items() if k != "provider_name_ru_genitive"}
    with pytest.raises(ValidationError) as refused:
        Settings(mode=Mode.PROD, session_secret=_SECRET, trust_dir=tmp_path, **given)  # type: ignore[arg-type]
    message = str(refused.value)
    assert "KEPIL_PROVIDER_NAME_RU_GENITIVE" in message
    assert "KEPIL_PROVIDER_NAME_KK_GENITIVE" not in message
    assert "Руководителю Министерства" in message


def test_the_genitive_names_come_from_settings_and_default_to_the_ministry_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(mode=Mode.DEV).provider().genitive["ru"].startswith("Министерства цифрового")
    for name, value in TEST_PROVIDER.items():
        monkeypatch.setenv(f"KEPIL_{name.upper()}", value)
    provider = Settings().provider()
    assert provider.genitive == {
        "kk": TEST_PROVIDER["provider_name_kk_genitive"],
        "ru": TEST_PROVIDER["provider_name_ru_genitive"],
    }
