"""The relay: every registry status change reaches every platform registered for the permit.

The permit wing writes an outbox row per registered platform in the transaction that changes
the registry (services/permits/platforms.py); this relay reads those rows, builds the
`permit_status` transaction from the Ministry's signed files, submits it to any of the
platform's nodes that answers and waits for the block that applied it. A row is delivered when
a node says a block applied the transaction with `ok` and the chain's permit, read back, shows
the change (any HTTP server can say `ok`). The ledger's nonce rule (the "ministry"
nonce is the CMS signing moment, and any change in a block uses it up, applied or refused) makes
`permit_change_replayed` (in a block) and `stale_nonce` (at the door) say only that something
not older was signed and reached a block: the relay then reads the chain's permit back and
counts the row delivered when the chain's reference is this change's (sha256 of the signed
bytes), `superseded` when it is a later change of the permit's that leaves the chain in the
status the registry holds now, `refused` otherwise. A change refused in a block for any other
reason is `refused` too, terminal, with the ledger's code for officials to see: built anew it
would only meet `stale_nonce`. Anything else is an attempt that failed: the row keeps its error
and is tried again after an exponential back-off, capped, never dropped. Rows are claimed with
a lease, so two relays do not send the same row at once; a relay that dies leaves a lease that
simply runs out.

The relay reaches the database, the nodes and the transaction builder through the ports below:
the bridge imports neither wing, and unit tests use fakes.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Protocol

from kepil.domain.clock import Clock

log = logging.getLogger("kepil.relay")

REPLAYED: Final = "permit_change_replayed"
"""The ledger's code, in a block, for a change not newer than the last applied."""
STALE_NONCE: Final = "stale_nonce"
"""The node's code, at the door, for the same: a `permit_status` has the one nonce "ministry",
the signing moment, so a stale one means this change or a later one of the Ministry applied."""
REPLAY_CODES: Final = frozenset({REPLAYED, STALE_NONCE})
DELIVERED, SUPERSEDED, REFUSED, ABANDONED = "delivered", "superseded", "refused", "abandoned"
SETTLED: Final = frozenset({DELIVERED, SUPERSEDED, REFUSED, ABANDONED})
"""Row states the relay never sends again; the next change for the platform may go."""
NOT_APPLIED: Final = "permit_change_not_applied"
"""Our code when the chain's nonce moved past a change the chain's permit does not show."""
ACTION_STATUS: Final = {"suspend": "suspended", "reinstate": "active", "revoke": "revoked"}
"""The permit status (the ledger's words) each registry action leaves."""
FAILING_NOTICE_AFTER: Final = 5
"""After this many failed attempts the holder is told, once, that delivery keeps failing."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row: a signed status change on its way to one platform."""

    id: int
    permit_number: str
    platform: str
    chain_id: str
    nodes: tuple[str, ...]
    document: bytes
    cms: bytes
    attempts: int = 0
    built_at: int | None = None
    """The `now` the transaction was built with: kept, so a retry sends the same transaction."""
    later: tuple[str, ...] = ()
    """References (`change_reference`) of the permit's changes the registry recorded after
    this one, hence signed later (the registry refuses a change not signed later)."""
    registry_status: str | None = None
    """The status the permit's latest change in the registry leaves (ACTION_STATUS)."""


def change_reference(document: bytes) -> str:
    """How a chain's permit names the change it applied last: sha256 hex of the signed bytes."""
    return hashlib.sha256(document).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainPermit:
    """A platform's permit as its chain holds it now."""

    status: str
    reference: str


@dataclass(frozen=True, slots=True)
class BuiltTx:
    """A signed `permit_status` envelope and its id."""

    tx_id: str
    envelope: bytes


@dataclass(frozen=True, slots=True)
class Committed:
    """A node's word that a block holds the transaction, with its result code."""

    height: int
    code: str


@dataclass(frozen=True, slots=True)
class Notice:
    """What the permit's holder reads in the cabinet, in Russian and Kazakh."""

    kind: str
    ru: str
    kk: str


class NodeUnavailable(Exception):  # noqa: N818 - names the situation
    """The node could not be reached or cannot take transactions now (busy, stopped)."""


class NodeRefusal(Exception):  # noqa: N818 - names the situation
    """The node refused the transaction before any block, with the ledger's code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class PlatformNodes(Protocol):
    """A platform's ledger nodes, by base URL."""

    def submit(self, url: str, envelope: bytes) -> None:
        """Hand the node the envelope; one it already knows is no error.

        Raises NodeUnavailable or NodeRefusal."""

    def committed(self, url: str, tx_id: str, wait: float) -> Committed | None:
        """The block that holds `tx_id`, waiting up to `wait` seconds; None if none yet.

        Raises NodeUnavailable."""

    def permit(self, url: str) -> ChainPermit:
        """The chain's permit as the node holds it. Raises NodeUnavailable."""


class TransactionBuilder(Protocol):
    """Builds the `permit_status` transaction; the same arguments give the same transaction."""

    def __call__(self, chain_id: str, cms: bytes, document: bytes, now: int) -> BuiltTx:
        """The envelope valid from `now`; ValueError when the files cannot be relayed."""


class RelayStore(Protocol):
    """The outbox, where every attempt's outcome is kept (state survives restarts)."""

    def claim(
        self,
        owner: str,
        now: datetime,
        lease: timedelta,
        limit: int,
        skip: frozenset[int] = frozenset(),
    ) -> list[Delivery]:
        """Lease up to `limit` due rows not in `skip`, each platform's oldest unsettled change
        only, the least tried first (then the longest due): a platform that keeps failing
        goes after one whose change is new."""

    def built(self, delivery_id: int, owner: str, built_at: int | None, tx_id: str) -> None:
        """Remember the transaction a row is sent as (None: build afresh next time)."""

    def delivered(
        self,
        delivery_id: int,
        owner: str,
        committed: Committed | None,
        code: str,
        at: datetime,
        notice: Notice,
        state: str = DELIVERED,
    ) -> bool:
        """Settle the row in `state` (one of SETTLED) and tell the holder; False if the lease
        was lost."""

    def failed(
        self,
        delivery_id: int,
        owner: str,
        error: str,
        next_attempt: datetime,
        at: datetime,
        notice: Notice | None,
    ) -> bool:
        """Count a failed attempt and when to try again; False if the lease was lost."""


@dataclass(frozen=True, slots=True)
class RelaySettings:
    """How the relay paces itself."""

    backoff_base: float = 1.0
    backoff_max: float = 300.0
    commit_wait: float = 5.0
    lease: float = 120.0
    batch: int = 20
    attempt_budget: float = 10.0
    """Seconds one row's attempt may take over all its nodes: the nodes left wait for the next
    attempt, so a platform that does not answer holds the others back by this much at most."""
    tx_lifetime: int = 3600
    clock_allowance: int = 30
    """Seconds a transaction's window opens before now: the nodes' clocks may lag ours."""


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the `attempts`-th failure: base, 2·base, 4·base, … up to `cap`."""
    return float(min(cap, base * 2 ** min(max(attempts - 1, 0), 30)))


@dataclass
class RelayReport:
    """What one pass did."""

    delivered: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    """Rows settled without this change applied (refused, or superseded by a later one)."""


@dataclass(frozen=True, slots=True)
class _Outcome:
    committed: Committed | None = None
    code: str | None = None
    error: str | None = None
    state: str = DELIVERED


class Relay:
    """Delivers due outbox rows, one pass at a time (`run_once`)."""

    def __init__(
        self,
        store: RelayStore,
        nodes: PlatformNodes,
        build: TransactionBuilder,
        clock: Clock,
        settings: RelaySettings | None = None,
        owner: str | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        """Relay under the name `owner` (a fresh one by default) as `settings` say, timing
        attempts by `timer` (seconds)."""
        self._timer = timer
        self._store = store
        self._nodes = nodes
        self._build = build
        self._clock = clock
        self._settings = settings or RelaySettings()
        self.owner = owner or f"relay-{uuid.uuid4().hex[:12]}"

    def run_once(self) -> RelayReport:
        """Try each due row once, up to `batch` of them."""
        settings, report = self._settings, RelayReport()
        lease = timedelta(seconds=settings.lease)
        tried: set[int] = set()
        for _ in range(settings.batch):
            # One row per claim: a lease covers one attempt, never a queue of them waiting
            # behind slow nodes, so it cannot run out while its row is still being sent. A row
            # tried in this pass waits for the next, whatever its back-off says.
            claimed = self._store.claim(self.owner, self._clock.now(), lease, 1, frozenset(tried))
            if not claimed:
                break
            delivery = claimed[0]
            tried.add(delivery.id)
            outcome = self._attempt(delivery)
            at = self._clock.now()
            if outcome.code is not None:
                notice = settled_notice(delivery, outcome.state, outcome.code)
                if self._store.delivered(
                    delivery.id,
                    self.owner,
                    outcome.committed,
                    outcome.code,
                    at,
                    notice,
                    outcome.state,
                ):
                    done = report.delivered if outcome.state == DELIVERED else report.refused
                    done.append(delivery.id)
                    log.info(
                        "status change settled",
                        extra={
                            "delivery": delivery.id,
                            "platform": delivery.platform,
                            "state": outcome.state,
                            "code": outcome.code,
                        },
                    )
                continue
            attempts = delivery.attempts + 1
            delay = backoff(attempts, settings.backoff_base, settings.backoff_max)
            error = outcome.error or "no node answered"
            failing = failing_notice(delivery) if attempts == FAILING_NOTICE_AFTER else None
            if self._store.failed(
                delivery.id, self.owner, error, at + timedelta(seconds=delay), at, failing
            ):
                report.failed.append(delivery.id)
                log.warning(
                    "status change not delivered yet",
                    extra={"delivery": delivery.id, "error": error, "retry_in": delay},
                )
        return report

    def _attempt(self, delivery: Delivery) -> _Outcome:
        settings = self._settings
        now = int(self._clock.now().timestamp())
        built_at = delivery.built_at
        # Past its window a transaction can never commit: build it anew (a new id); the
        # ledger's nonce rule still applies the change once whichever of the two lands.
        margin = settings.commit_wait + settings.lease
        if built_at is None or now >= built_at + settings.tx_lifetime - margin:
            built_at = now - settings.clock_allowance
        try:
            tx = self._build(delivery.chain_id, delivery.cms, delivery.document, built_at)
        except ValueError as error:
            return _Outcome(error=f"the signed files cannot be relayed: {error}")
        if built_at != delivery.built_at:
            self._store.built(delivery.id, self.owner, built_at, tx.tx_id)
        errors: list[str] = []
        # Nodes that time out one after another must not hold the other platforms back (nor
        # outlast the lease): the rest wait for the next attempt.
        until = self._timer() + min(settings.attempt_budget, settings.lease / 2)
        for url in delivery.nodes:
            left = until - self._timer()
            if left <= 0:
                errors.append("no time left in this attempt for the other nodes")
                break
            outcome = self._send(url, delivery, tx, errors, min(settings.commit_wait, left))
            if outcome is not None:
                return outcome
        return _Outcome(error="; ".join(errors) or "the platform names no node")

    def _send(
        self, url: str, delivery: Delivery, tx: BuiltTx, errors: list[str], wait: float
    ) -> _Outcome | None:
        """The outcome at one node, waiting up to `wait` s for the block; None (and the reason
        in `errors`) to try the next."""
        try:
            self._nodes.submit(url, tx.envelope)
            found = self._nodes.committed(url, tx.tx_id, wait)
        except NodeUnavailable as error:
            errors.append(f"{url}: {error}")
            return None
        except NodeRefusal as refusal:
            if refusal.code in REPLAY_CODES:
                return self._read_back(url, delivery, refusal.code, None, errors)
            # Another node may see it otherwise (this one diverged, or the URL is not a node).
            errors.append(f"{url}: {refusal}")
            return None
        if found is None:
            return _Outcome(error=f"{url}: accepted, not committed within {wait:g} s")
        return self._judge(url, delivery, found, errors)

    def _judge(
        self, url: str, delivery: Delivery, found: Committed, errors: list[str]
    ) -> _Outcome | None:
        """The outcome of a block that holds the transaction."""
        if found.code == "ok":
            return self._proven(url, delivery, found, errors)
        if found.code == REPLAYED:
            return self._read_back(url, delivery, found.code, found, errors)
        # Refused in a block: the block used up the change's nonce, so it can never apply.
        return _Outcome(committed=found, code=found.code, state=REFUSED)

    def _proven(
        self, url: str, delivery: Delivery, found: Committed, errors: list[str]
    ) -> _Outcome | None:
        """An `ok` counts once the chain's permit shows the change (or a later one of the
        registry's that came after it): any HTTP server can say `ok`, a node's state cannot
        be made up as easily."""
        try:
            chain = self._nodes.permit(url)
        except NodeUnavailable as error:
            errors.append(
                f"{url}: ok in block {found.height}, and the chain's permit cannot be read: {error}"
            )
            return None
        if (
            chain.reference == change_reference(delivery.document)
            or chain.reference in delivery.later
        ):
            return _Outcome(committed=found, code=found.code)
        errors.append(
            f"{url}: ok in block {found.height}, yet the chain's permit does not show the change"
        )
        return None

    def _read_back(
        self,
        url: str,
        delivery: Delivery,
        code: str,
        found: Committed | None,
        errors: list[str],
    ) -> _Outcome | None:
        """What a replay code means, from the chain's permit: this change applied, a later one
        in its place, or neither (a refused change used the nonce up, or it came too late)."""
        try:
            chain = self._nodes.permit(url)
        except NodeUnavailable as error:
            errors.append(f"{url}: {code}, and the chain's permit cannot be read: {error}")
            return None
        if chain.reference == change_reference(delivery.document):
            return _Outcome(committed=found, code=code)
        if chain.reference in delivery.later and chain.status == delivery.registry_status:
            return _Outcome(committed=found, code=code, state=SUPERSEDED)
        return _Outcome(committed=found, code=NOT_APPLIED, state=REFUSED)


def settled_notice(delivery: Delivery, state: str, code: str) -> Notice:
    """The holder's cabinet message when a row is settled in `state`."""
    if state == DELIVERED:
        return delivered_notice(delivery)
    if state == SUPERSEDED:
        return Notice(
            "permit_change_superseded",
            f"Изменение статуса разрешения {delivery.permit_number} не применялось платформой "
            f"«{delivery.platform}» ({delivery.chain_id}): она уже применила более позднее "
            "изменение, и её статус совпадает с реестром",
            f"{delivery.permit_number} рұқсатының мәртебесінің өзгерісін «{delivery.platform}» "
            f"платформасы ({delivery.chain_id}) қолданбады: ол кейінгі өзгерісті қолданып "
            "қойған, мәртебесі тізілімге сәйкес",
        )
    return Notice(
        "permit_change_refused",
        f"Платформа «{delivery.platform}» ({delivery.chain_id}) отклонила изменение статуса "
        f"разрешения {delivery.permit_number} (код {code}); повторно оно не отправляется",
        f"«{delivery.platform}» платформасы ({delivery.chain_id}) {delivery.permit_number} "
        f"рұқсатының мәртебесінің өзгерісін қабылдамады ({code} коды); ол қайта жіберілмейді",
    )


def delivered_notice(delivery: Delivery) -> Notice:
    """The holder's cabinet message when a change reached a platform."""
    return Notice(
        "permit_change_delivered",
        f"Изменение статуса разрешения {delivery.permit_number} применено платформой "
        f"«{delivery.platform}» ({delivery.chain_id})",
        f"{delivery.permit_number} рұқсатының мәртебесінің өзгерісін «{delivery.platform}» "
        f"платформасы ({delivery.chain_id}) қолданды",
    )


def failing_notice(delivery: Delivery) -> Notice:
    """The holder's cabinet message when delivery keeps failing (the relay goes on trying)."""
    return Notice(
        "permit_change_failing",
        f"Изменение статуса разрешения {delivery.permit_number} пока не доставлено на "
        f"платформу «{delivery.platform}» ({delivery.chain_id}): её узлы не подтверждают; "
        "попытки продолжаются",
        f"{delivery.permit_number} рұқсатының мәртебесінің өзгерісі «{delivery.platform}» "
        f"платформасына ({delivery.chain_id}) әлі жеткізілген жоқ: оның түйіндері растамайды; "
        "әрекеттер жалғасуда",
    )
