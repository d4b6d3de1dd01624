"""The one validated Settings object, read from KEPIL_* environment variables."""

from __future__ import annotations

import enum
import os
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kepil.domain.identity.iin_bin import InvalidIdentifierError, parse_bin
from kepil.domain.permits.documents import Provider

# Values that ship in examples and defaults; a production deployment must replace every one.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "password", "dev-only"})
MIN_SECRET_LENGTH = 32
PROVIDER_SETTINGS = (
    "provider_name_kk",
    "provider_name_ru",
    "provider_bin",
    "provider_address_kk",
    "provider_address_ru",
    "provider_phone",
    "provider_email",
    "provider_site",
)


class Mode(enum.StrEnum):
    """How strictly the settings are checked: dev accepts placeholder secrets, prod refuses."""

    DEV = "dev"
    PROD = "prod"


class LogFormat(enum.StrEnum):
    """Log line format: JSON for machines, console for people."""

    JSON = "json"
    CONSOLE = "console"


def default_data_dir() -> Path:
    """Where the embedded default keeps its files: $XDG_DATA_HOME/kepil or ~/.local/share/kepil."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kepil"


class Settings(BaseSettings):
    """Everything kepil can be configured with; see `kepil config show`."""

    model_config = SettingsConfigDict(env_prefix="KEPIL_", extra="ignore", frozen=True)

    mode: Mode = Mode.DEV
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data directory"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s?#]+$",
        description="the address people reach kepil at, printed in the documents' QR codes "
        "(https://…); default: the address each request came to",
    )
    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.JSON
    session_secret: SecretStr = SecretStr("dev-only")
    trust_dir: Path | None = Field(
        default=None,
        description="CA certificates trusted for EDS; dev default: the test PKI in the data dir",
    )
    crl_dir: Path | None = Field(default=None, description="CRL files checked for revocation")
    ocsp: bool = Field(default=False, description="ask each certificate's OCSP responder")
    sweep_interval_seconds: float = Field(default=60.0, gt=0)
    relay: bool = Field(
        default=True,
        description="run the relay of registry status changes to the platforms inside "
        "`kepil serve` (off: run `kepil relay run` on its own, or not at all)",
    )
    relay_interval_seconds: float = Field(
        default=1.0, gt=0, le=3600, description="how often the relay looks for due changes"
    )
    relay_backoff_max_seconds: float = Field(
        default=300.0,
        gt=0,
        le=86400,
        description="the longest wait between two attempts to reach a platform (back-off cap)",
    )
    relay_allow_private: bool | None = Field(
        default=None,
        description="let platform nodes be on loopback, private, link-local or multicast "
        "addresses (the relay connects to URLs others registered); default: true in dev "
        "mode only",
    )
    egov_data: Path | None = Field(
        default=None,
        description="JSON file the local e-gov gateway answers from; the bundled sample if unset",
    )
    ledger_enabled: bool = Field(
        default=True, description="host the embedded platform ledger node under /api/v1/ledger"
    )
    ledger_chain_id: str = Field(
        default="kepil-local",
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9][a-z0-9._-]*$",
        description="the chain the embedded ledger node runs; transactions name it",
    )
    ledger_ministry_bin: str = Field(
        default="",
        description="the Ministry's BIN: a ledger node accepts a permit or a permit status change "
        "only when a head of this BIN signed it under KEPIL_TRUST_DIR; default: KEPIL_PROVIDER_BIN",
    )
    ledger_signature_workers: int = Field(
        default=1, ge=0, le=64, description="processes verifying batch submissions (0: inline)"
    )
    # The state body's name and requisites, printed on every result document (App.3, App.4).
    # Dev leaves what is unset empty and the documents say "not configured": an example value
    # would look real on a signed document; the names fall back to the Ministry's (App.1 item 2).
    provider_name_kk: str = Field(default="", description="the state body's name in Kazakh")
    provider_name_ru: str = Field(default="", description="the state body's name in Russian")
    # App.2's addressee declines the name («Руководителю Министерства …», «… министрлігінің
    # басшысына»); no rule derives that from a configured name, so it is configured beside it.
    provider_name_kk_genitive: str = Field(
        default="", description="the Kazakh name in the genitive («… министрлігінің»)"
    )
    provider_name_ru_genitive: str = Field(
        default="", description="the Russian name in the genitive («Министерства …»)"
    )
    provider_bin: str = Field(default="", description="the state body's BIN (12 digits)")
    provider_address_kk: str = Field(default="", description="its address in Kazakh")
    provider_address_ru: str = Field(default="", description="its address in Russian")
    provider_phone: str = Field(default="", description="its telephone")
    provider_email: str = Field(default="", description="its e-mail")
    provider_site: str = Field(default="", description="its web site")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.mode is Mode.DEV:
            return self
        for name in ("session_secret",):
            value = getattr(self, name).get_secret_value()
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH:
                env = f"KEPIL_{name.upper()}"
                raise ValueError(
                    f"{env} is a placeholder or shorter than {MIN_SECRET_LENGTH} characters; "
                    f"set a real secret in {self.mode.value} mode"
                )
        return self

    @model_validator(mode="after")
    def _require_trust_outside_dev(self) -> Settings:
        if self.mode is not Mode.DEV and self.trust_dir is None:
            raise ValueError(
                "KEPIL_TRUST_DIR must name the NCA CA certificates to trust in "
                f"{self.mode.value} mode (the test PKI is for dev mode only)"
            )
        return self

    @model_validator(mode="after")
    def _require_provider_outside_dev(self) -> Settings:
        if self.provider_bin.strip():
            try:
                parse_bin(self.provider_bin.strip())
            except InvalidIdentifierError as error:
                raise ValueError(f"KEPIL_PROVIDER_BIN is not a valid BIN: {error}") from None
        if self.mode is Mode.DEV:
            return self
        missing = [
            f"KEPIL_{name.upper()}"
            for name in PROVIDER_SETTINGS
            if not str(getattr(self, name)).strip()
        ]
        if missing:
            raise ValueError(
                f"the state body's requisites are printed on every permit and refusal "
                f"(App.3, App.4); set {', '.join(missing)} in {self.mode.value} mode"
            )
        # The QR code of every document PDF holds this address and the check accepts no other:
        # taken from each request's Host header it would follow whatever a client sent.
        if not (self.public_base_url or "").startswith("https://"):
            raise ValueError(
                "KEPIL_PUBLIC_BASE_URL must be the https:// address people reach kepil at "
                f"(printed in every document's QR code) in {self.mode.value} mode"
            )
        # Every application is addressed to the body in the genitive (App.2) and the service
        # refuses a form whose addressee is not the current text: a name configured without
        # its genitive would make every applicant sign ungrammatical words, or the old body's.
        undeclined = [
            f"KEPIL_{name.upper()}_GENITIVE"
            for name in ("provider_name_kk", "provider_name_ru")
            if str(getattr(self, name)).strip()
            and not str(getattr(self, f"{name}_genitive")).strip()
        ]
        if undeclined:
            raise ValueError(
                "App.2 addresses the application to the state body in the genitive "
                "(«Руководителю Министерства …», «… министрлігінің басшысына»), which cannot be "
                f"derived from a configured name; set {', '.join(undeclined)} in "
                f"{self.mode.value} mode"
            )
        return self

    @model_validator(mode="after")
    def _check_ministry_bin(self) -> Settings:
        if self.ledger_ministry_bin.strip():
            try:
                parse_bin(self.ledger_ministry_bin.strip())
            except InvalidIdentifierError as error:
                raise ValueError(f"KEPIL_LEDGER_MINISTRY_BIN is not a valid BIN: {error}") from None
        return self

    @property
    def relay_private_allowed(self) -> bool:
        """Whether the relay may reach nodes inside this server's networks (dev: yes)."""
        if self.relay_allow_private is not None:
            return self.relay_allow_private
        return self.mode is Mode.DEV

    @property
    def ministry_bin(self) -> str:
        """The BIN whose head's EDS the ledger nodes trust for the operator's permit."""
        return self.ledger_ministry_bin.strip() or self.provider_bin.strip()

    @property
    def test_pki_dir(self) -> Path:
        """Where dev mode keeps its self-made test CA when no trust directory is configured."""
        return self.data_dir / "test-pki"

    @cached_property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'kepil.sqlite3'}"

    def provider(self) -> Provider:
        """The state body as the documents name it; unset names fall back to the Ministry's.

        A configured name's genitive is the configured one; dev, which may leave it unset,
        falls back to the name itself (prod refuses to start without it)."""
        default = Provider()
        name_kk, name_ru = self.provider_name_kk.strip(), self.provider_name_ru.strip()
        return Provider(
            name_kk=name_kk or default.name_kk,
            name_ru=name_ru or default.name_ru,
            name_kk_genitive=_genitive(name_kk, self.provider_name_kk_genitive, default, "kk"),
            name_ru_genitive=_genitive(name_ru, self.provider_name_ru_genitive, default, "ru"),
            bin=self.provider_bin.strip(),
            address_kk=self.provider_address_kk.strip(),
            address_ru=self.provider_address_ru.strip(),
            phone=self.provider_phone.strip(),
            email=self.provider_email.strip(),
            site=self.provider_site.strip(),
        )


def _genitive(name: str, genitive: str, default: Provider, language: str) -> str:
    # The default name keeps its known genitive unless one is configured.
    if genitive.strip():
        return genitive.strip()
    return name if name else default.genitive[language]
