"""Composition root: builds adapters from Settings, puts every handler on the message bus with
its dependencies, and hands entry points the bus and the read models (docs/architecture.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from kepil.adapters.clock import SystemClock
from kepil.adapters.db import migrate
from kepil.adapters.db.engine import make_engine
from kepil.adapters.db.probe import DatabaseProbe
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.adapters.eds import EdsSignInVerifier, identity_number_check
from kepil.adapters.eds_documents import EdsDocumentVerifier
from kepil.adapters.egov.local import LocalEgovGateway
from kepil.adapters.node_addresses import NodeAddressGuard
from kepil.config import Mode, Settings
from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar
from kepil.domain.clock import Clock
from kepil.services.health import Probe
from kepil.services.identity.ports import SignInVerifier
from kepil.services.identity.sign_in import COMMAND_HANDLERS as SIGN_IN_HANDLERS
from kepil.services.identity.sign_in import SessionSecrets
from kepil.services.messagebus import Fresh, MessageBus, inject
from kepil.services.permits.context import PermitContext
from kepil.services.permits.handlers import COMMAND_HANDLERS as PERMIT_HANDLERS
from kepil.services.permits.officials import GrantRole, RevokeRole
from kepil.services.permits.policies import POLICIES as PERMIT_POLICIES
from kepil.services.permits.views.reader import PermitViews
from kepil.services.unit_of_work import EventPolicies, UnitOfWork
from kepil.signing.dev_ca_files import DevCaDirectory
from kepil.signing.revocation import CrlChecker, OcspChecker, RevocationChecker
from kepil.signing.trust import TrustStore, TrustStoreError

log = logging.getLogger("kepil.bootstrap")


class ConfigurationError(Exception):
    """The settings cannot be turned into a working application."""


@dataclass
class Container:
    """The wired application: entry points send commands to `bus` and render `views`."""

    settings: Settings
    engine: Engine
    clock: Clock
    calendar: WorkingCalendar
    probes: list[Probe]
    uow: Callable[[], UnitOfWork]
    sign_in_verifier: SignInVerifier
    session_secrets: SessionSecrets
    permits: PermitContext
    bus: MessageBus
    views: PermitViews

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


@dataclass(frozen=True)
class Database:
    """The database alone, with units of work that run the permit wing's policies."""

    engine: Engine
    calendar: WorkingCalendar
    policies: EventPolicies

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work (one transaction at a time)."""
        return SqlUnitOfWork(self.engine, self.calendar, self.policies)

    def staff_bus(self, clock: Clock) -> MessageBus:
        """A bus of the commands that need the database alone: granting and revoking duties."""
        bus = MessageBus()
        dependencies = {"uow": Fresh(self.unit_of_work), "clock": clock}
        for command in (GrantRole, RevokeRole):
            handler = PERMIT_HANDLERS[command]
            bus.register(command, inject(handler, dependencies, on_commit=bus.publish))
        return bus


def database(settings: Settings, *, migrate_schema: bool = True) -> Database:
    """The database for commands that need nothing else (`kepil staff`, `kepil monitoring
    verify`): no trust store, no test PKI, no gateway."""
    engine = make_engine(settings.effective_database_url)
    if migrate_schema:
        migrate.upgrade(engine)
        status = migrate.schema_status(engine)
        url = engine.url.render_as_string(hide_password=True)
        log.info("database ready", extra={"database": url, "revision": status.current})
    return Database(engine, kazakhstan_calendar(), EventPolicies(PERMIT_POLICIES))


def bootstrap(
    settings: Settings | None = None, *, migrate_schema: bool = True, clock: Clock | None = None
) -> Container:
    """Wire the application; by default bring the database schema up to date first."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    db = database(settings, migrate_schema=migrate_schema)
    engine, calendar = db.engine, db.calendar
    trust_store, revocation = _trust_store(settings, clock), _revocation(settings, clock)
    # KEPIL_MODE=dev accepts the NCA test kits' IINs (they fail the check digit); prod refuses.
    check_number = identity_number_check(accept_test_identities=settings.mode is Mode.DEV)
    verifier = EdsSignInVerifier(trust_store, revocation, check_number)
    egov = (
        LocalEgovGateway.from_file(settings.egov_data)
        if settings.egov_data is not None
        else LocalEgovGateway.sample()
    )
    uow = db.unit_of_work

    permits = PermitContext(
        clock=clock,
        calendar=calendar,
        verifier=EdsDocumentVerifier(trust_store, revocation, check_number),
        egov=egov,
        provider=settings.provider(),
    )
    session_secrets = SessionSecrets(settings.session_secret.get_secret_value().encode())
    bus = MessageBus()
    dependencies = {
        "uow": Fresh(uow),
        "clock": clock,
        "context": permits,
        "sign_in_verifier": verifier,
        "session_secrets": session_secrets,
        "node_guard": NodeAddressGuard(settings.relay_private_allowed),
    }
    for command, handler in {**SIGN_IN_HANDLERS, **PERMIT_HANDLERS}.items():
        bus.register(command, inject(handler, dependencies, on_commit=bus.publish))
    return Container(
        settings=settings,
        engine=engine,
        clock=clock,
        calendar=calendar,
        probes=[DatabaseProbe(engine)],
        uow=uow,
        sign_in_verifier=verifier,
        session_secrets=session_secrets,
        permits=permits,
        bus=bus,
        views=PermitViews(uow, clock, permits),
    )


def eds_trust_store(settings: Settings, clock: Clock) -> TrustStore:
    """The NCA anchors of KEPIL_TRUST_DIR (dev: the test PKI), as sign-in and the ledger use."""
    return _trust_store(settings, clock)


def _trust_store(settings: Settings, clock: Clock) -> TrustStore:
    if settings.trust_dir is not None:
        if not settings.trust_dir.is_dir():
            raise ConfigurationError(f"KEPIL_TRUST_DIR {settings.trust_dir} is not a directory")
        try:
            store = TrustStore.from_directory(settings.trust_dir)
        except TrustStoreError as error:
            raise ConfigurationError(f"KEPIL_TRUST_DIR: {error.detail}") from None
    else:
        # Dev mode only (Settings refuses a missing trust dir elsewhere): a test CA of its own,
        # so sign-in works on the embedded default without any real NCA certificate.
        ca_dir = settings.test_pki_dir
        ca = (
            DevCaDirectory(ca_dir)
            if ca_dir.exists()
            else DevCaDirectory.create(ca_dir, clock.now())
        )
        log.warning("trusting the TEST PKI, dev mode only", extra={"test_pki": str(ca_dir)})
        store = TrustStore.from_directory(ca.trust_directory)
    if not store.roots:
        found = f", only {len(store.intermediates)} intermediate(s)" if store.intermediates else ""
        raise ConfigurationError(
            f"the trust directory holds no root CA certificate (self-signed){found}; "
            "paths end only at a root: put it in roots/ (see docs/eds-trust.md)"
        )
    if settings.mode is not Mode.DEV and any(
        "TEST PKI" in certificate.subject.rfc4514_string() for certificate in store.certificates
    ):
        raise ConfigurationError("a TEST PKI root is trusted outside dev mode; remove it")
    return store


def _revocation(settings: Settings, clock: Clock) -> list[RevocationChecker]:
    checkers: list[RevocationChecker] = []
    if settings.crl_dir is not None:
        blobs = [path.read_bytes() for path in sorted(settings.crl_dir.iterdir()) if path.is_file()]
        checkers.append(CrlChecker.from_bytes(blobs))
    if settings.ocsp:
        # The CRLs also answer for delegated responders whose certificate lacks ocsp-nocheck.
        checkers.append(OcspChecker(responder_revocation=list(checkers), clock=clock))
    return checkers
