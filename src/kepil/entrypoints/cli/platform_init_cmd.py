"""`kepil platform init`: a platform's genesis from the permit the Ministry signed.

The permit is judged here exactly as the nodes will judge it (the same CmsPermitVerifier, over
the anchors and Ministry BIN written into their node.toml), and refused before anything is
written when it would not commit: a signature that does not verify, a permit not in force, a
holder who is not the operator. The genesis lists the checkpoint key of every node it is for
(the embedded node's own, or each network node's), so their receipts confirm.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final
from urllib.parse import quote, urlsplit

import typer

from kepil.entrypoints.cli.errors import EXIT_INVALID, EXIT_UNREADABLE, fail, os_reason

if TYPE_CHECKING:
    from kepil.config import Settings
    from kepil.ledger import PermitVerifier, SignedTx
    from kepil.ledger.crypto import SigningKey
    from kepil.ledger.permits import PermitFacts
    from kepil.ledger.records import NodeKey

OPERATOR_KEY_FILE: Final = "operator.key"
# Where a network for other machines gets a copy of the NCA anchors (node.toml names it relatively).
TRUST_COPY: Final = "trust"
# --node-addresses: a hostname (RFC 1123 labels), an IPv4 address or a bracketed IPv6 address.
_HOSTNAME: Final = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")
# sigrules.GENESIS_RULES and LATEST_RULES (a test keeps them equal): the ledger package is imported
# only where it is used, so that every other command starts fast.
OLDEST_RULES: Final = 1
NEWEST_RULES: Final = 2
# The genesis envelope's validity window: a week to start the platform after `init`.
GENESIS_LIFETIME: Final = 7 * 24 * 3600
_EARLY: Final = 60  # the window opens a minute before now: clocks of the nodes differ
_SEED_HEX_LENGTH: Final = 64
_HTTP_TIMEOUT: Final = 30.0
_NODES, _API_PORT, _RAFT_PORT = 5, 8101, 9101  # a network's defaults
_MAX_ANSWER: Final = 4 * 1024 * 1024  # a permit's JSON and CMS are some kilobytes


class PlatformInitError(Exception):
    """Why no genesis is written; `code` is the exit status (1: refused, 2: unreadable)."""

    def __init__(self, message: str, code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class PlatformPermit:
    """A permit the nodes will accept: its CMS, what it says, the names it carries."""

    cms: bytes
    facts: PermitFacts
    holder_name: str
    platform_name: str


def read_permit_cms(cms_file: Path, permit_file: Path | None) -> bytes:
    """The permit's attached CMS; with `permit_file`, it must sign exactly those bytes."""
    cms = _read_bytes(cms_file)
    if permit_file is not None:
        _require_signs(cms, _read_bytes(permit_file), str(cms_file), str(permit_file))
    return cms


def fetch_permit(server: str, number: str, token: str) -> bytes:
    """The permit's attached CMS from the permit service, as its holder downloads it.

    `GET /api/v1/documents/{number}` answers the recipient (or an official) with the signed
    JSON and the head's CMS; `token` is the bearer token of the holder's session (sign-in with
    the operator's EDS, README "Sign-in"). The registry is then asked, publicly, whether the
    permit is in force today (`/documents/{number}/check`): a suspended permit is refused.
    """
    path = f"/api/v1/documents/{quote(number, safe='')}"
    document = _get_json(server, path, token)
    kind = (document.get("document") or {}).get("document_type")
    if kind != "permit":
        raise PlatformInitError(f"{number} is a {kind or 'document'}, not a permit")
    try:
        content = base64.b64decode(str(document["content_b64"]), validate=True)
        cms = base64.b64decode(str(document["signature_b64"]), validate=True)
    except (KeyError, ValueError):
        raise PlatformInitError(f"{server}{path} did not answer a signed document") from None
    _require_signs(cms, content, f"the CMS {server} sent", f"the permit {number}")
    check = _get_json(server, f"{path}/check", None)
    if check.get("in_force") is not True:
        status = check.get("status") or "not registered"
        reason = f" ({check['status_reason']})" if check.get("status_reason") else ""
        raise PlatformInitError(
            f"the permit {number} is not in force in the state registry: {status}{reason}"
        )
    return cms


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: the holder's session token must reach --server and nothing else."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> None:
        fp.close()  # it holds the connection
        raise PlatformInitError(
            f"{req.full_url} answered HTTP {code}, a redirect to {newurl}: refused, so the "
            "holder's session token goes nowhere else; pass the service's own address as --server",
            EXIT_UNREADABLE,
        )


def _loopback(host: str | None) -> bool:
    """Whether `host` names this machine (a token may cross plain http only there)."""
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _get_json(server: str, path: str, token: str | None) -> dict[str, Any]:
    """A JSON object from the permit service, or PlatformInitError naming what went wrong.

    Redirects are refused (urllib would replay the Authorization header to wherever they point)
    and a token crosses plain http only to loopback, where no one between can read it.
    """
    if not server.startswith(("http://", "https://")):
        raise PlatformInitError(f"--server {server!r} is not an http:// or https:// address")
    url = server.rstrip("/") + path
    try:
        host = urlsplit(url).hostname
    except ValueError as error:
        raise PlatformInitError(f"--server {server!r} is not a URL: {error}") from None
    headers = {"accept": "application/json"}
    if token:
        if url.startswith("http://") and not _loopback(host):
            raise PlatformInitError(
                f"{url}: the holder's session token is not sent over plain http to another "
                "machine; use the service's https:// address as --server",
                EXIT_UNREADABLE,
            )
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - checked above
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=_HTTP_TIMEOUT) as answer:
            data: Any = json.loads(answer.read(_MAX_ANSWER))
    except urllib.error.HTTPError as error:
        error.close()  # it holds the connection
        if error.code == 401:
            raise PlatformInitError(
                f"{url}: the permit service asks for the holder's session: pass --token "
                "(or KEPIL_TOKEN), the bearer token of signing in with the operator's EDS",
                EXIT_UNREADABLE,
            ) from None
        if error.code == 404:
            raise PlatformInitError(f"{url}: no such document for this session") from None
        raise PlatformInitError(f"{url}: HTTP {error.code}", EXIT_UNREADABLE) from None
    except urllib.error.URLError as error:
        raise PlatformInitError(f"cannot reach {url}: {error.reason}", EXIT_UNREADABLE) from None
    except (OSError, ValueError) as error:
        raise PlatformInitError(f"cannot ask {url}: {error}", EXIT_UNREADABLE) from None
    if not isinstance(data, dict):
        raise PlatformInitError(f"{url} did not answer a JSON object", EXIT_UNREADABLE)
    return data


def _require_signs(cms: bytes, content: bytes, cms_name: str, content_name: str) -> None:
    """Refuse unless `cms` is an attached CMS over exactly `content`."""
    from kepil.signing.cms_verify import encapsulated_content
    from kepil.signing.errors import SigningError

    try:
        signed = encapsulated_content(cms)
    except (SigningError, ValueError) as error:
        raise PlatformInitError(f"{cms_name} is not a CMS: {error}", EXIT_UNREADABLE) from None
    if signed is None:
        raise PlatformInitError(
            f"{cms_name} is a detached signature: the genesis needs the permit's attached CMS "
            "(the one the permit service issued)",
            EXIT_UNREADABLE,
        )
    if signed != content:
        raise PlatformInitError(f"{cms_name} does not sign the bytes of {content_name}")


def check_permit(
    verifier: PermitVerifier, cms: bytes, operator: str | None, now: int
) -> PlatformPermit:
    """The permit in `cms` if the nodes will accept it at `now` for `operator` (None: its
    holder), else PlatformInitError saying why."""
    from kepil.ledger.permits import PermitRefusal
    from kepil.signing.cms_verify import encapsulated_content

    result = verifier.verify(cms)
    if isinstance(result, PermitRefusal):
        raise PlatformInitError(
            f"the permit is refused ({result.code.value}): {result.reason}; the nodes trust "
            "a Ministry head's EDS under their NCA anchors (--trust-dir) and Ministry BIN "
            "(--ministry-bin)"
        )
    if operator is not None and result.holder != operator:
        raise PlatformInitError(
            f"the permit {result.number} is held by {result.holder}, not the operator {operator}"
        )
    if not result.valid_from <= now < result.valid_until:
        raise PlatformInitError(
            f"the permit {result.number} is not in force now: valid from "
            f"{_day(result.valid_from)} until the end of {_day(result.valid_until - 1)}"
        )
    document = json.loads(encapsulated_content(cms) or b"{}")
    recipient = document.get("recipient") or {}
    return PlatformPermit(
        cms, result, str(recipient.get("name") or ""), str(document.get("platform_name") or "")
    )


def genesis_tx(
    chain_id: str,
    permit: PlatformPermit,
    operator_key: SigningKey,
    nodes: Sequence[NodeKey],
    now: int,
    *,
    platform: str = "",
    operator_name: str = "",
    signature_rules: int = NEWEST_RULES,
) -> SignedTx:
    """The genesis envelope: the platform, its operator (the permit's holder, signing with
    `operator_key`), the permit's CMS, `nodes` and the chain's signature rules (a new chain
    starts under the latest: it has no old blocks to verify as they were); valid for
    GENESIS_LIFETIME from `now`."""
    from kepil.ledger import Window, build_tx, public_key_hex
    from kepil.ledger.handlers.genesis import Genesis, OperatorEntry

    holder = permit.facts.holder
    payload = Genesis(
        platform=platform or permit.platform_name or f"platform of {holder}",
        operator=OperatorEntry(
            holder, operator_name or permit.holder_name or holder, public_key_hex(operator_key), ()
        ),
        permit=base64.b64encode(permit.cms).decode(),
        nodes=tuple(nodes),
        signature_rules=signature_rules,
    )
    window = Window(now - _EARLY, now + GENESIS_LIFETIME)
    return build_tx(chain_id, payload, {holder: 1}, window).sign({holder: operator_key})


def trust_of(settings: Settings, trust_dir: Path | None, ministry_bin: str | None) -> Settings:
    """`settings` with the anchors and Ministry BIN the nodes will be told to trust.

    With neither option nor KEPIL_TRUST_DIR (dev mode), the test PKI of the data directory,
    named explicitly so the nodes trust exactly what the permit was judged under here.
    """
    from kepil.signing.dev_ca_files import DevCaDirectory

    update: dict[str, object] = {}
    if trust_dir is not None:
        update["trust_dir"] = trust_dir.resolve()
    elif settings.trust_dir is not None:
        update["trust_dir"] = settings.trust_dir.resolve()
    elif settings.test_pki_dir.exists():
        update["trust_dir"] = DevCaDirectory(settings.test_pki_dir).trust_directory.resolve()
    if ministry_bin is not None:
        update["ledger_ministry_bin"] = ministry_bin
    return settings.model_copy(update=update)


def init(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="Where to write genesis.json (and, for a network, its node files).",
        ),
    ],
    permit_number: Annotated[
        str | None,
        typer.Option(
            "--permit",
            metavar="PRM-…",
            help="The permit's number: fetched with its CMS from --server, with the holder's "
            "session (--token), and checked in force in the state registry.",
        ),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(
            help="The permit service; default http://KEPIL_HOST:KEPIL_PORT (127.0.0.1:8000)."
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="KEPIL_TOKEN",
            help="Bearer token of the operator's session at --server (sign-in with its EDS).",
            show_default=False,
        ),
    ] = None,
    cms: Annotated[
        Path | None,
        typer.Option(
            "--cms",
            help="Offline instead of --permit: the permit's attached CMS (PERMIT.p7s), as "
            "downloaded from the cabinet.",
        ),
    ] = None,
    permit_file: Annotated[
        Path | None,
        typer.Option(
            "--permit-file",
            help="With --cms: the permit's signed JSON (PERMIT.json), checked to be what it signs.",
        ),
    ] = None,
    operator_bin: Annotated[
        str | None,
        typer.Option(help="The operator's BIN: refused unless the permit is held by it."),
    ] = None,
    operator_key: Annotated[
        Path | None,
        typer.Option(
            help="The operator's wallet key (kepil wallet keygen), which signs genesis and "
            "later admits participants; default DIR/operator.key, made (mode 0600) if missing."
        ),
    ] = None,
    operator_name: Annotated[
        str, typer.Option(help="The operator's name; default: the permit's recipient.")
    ] = "",
    platform: Annotated[
        str, typer.Option(help="The platform's name; default: the permit's platform name.")
    ] = "",
    embedded: Annotated[
        bool,
        typer.Option(
            "--embedded",
            help="Genesis for the node `kepil serve` runs (its key in KEPIL_DATA_DIR/ledger); "
            "submit DIR/genesis.json with `kepil wallet submit`.",
        ),
    ] = False,
    nodes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=15,
            help="How many network nodes (5+ for a platform); default 5.",
            show_default=False,
        ),
    ] = None,
    node_addresses: Annotated[
        str | None,
        typer.Option(
            help="Instead of --nodes: one node per comma-separated HOST (listening on --api-port "
            "and --raft-port) or HOST:API_PORT:RAFT_PORT, e.g. 10.0.0.1,10.0.0.2,10.0.0.3."
        ),
    ] = None,
    chain_id: Annotated[
        str | None, typer.Option(help="The chain; default KEPIL_LEDGER_CHAIN_ID (kepil-local).")
    ] = None,
    trust_dir: Annotated[
        Path | None,
        typer.Option(
            help="NCA anchors the nodes trust (roots/, intermediates/); default KEPIL_TRUST_DIR "
            "(dev: the test PKI of KEPIL_DATA_DIR)."
        ),
    ] = None,
    ministry_bin: Annotated[
        str | None,
        typer.Option(
            help="The Ministry's BIN whose head must have signed the permit; default "
            "KEPIL_LEDGER_MINISTRY_BIN, else KEPIL_PROVIDER_BIN."
        ),
    ] = None,
    api_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="First node's API port; default 8101.", show_default=False
        ),
    ] = None,
    raft_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="First node's consensus port; default 9101.", show_default=False
        ),
    ] = None,
    signature_rules: Annotated[
        int,
        typer.Option(
            min=OLDEST_RULES,
            max=NEWEST_RULES,
            help="Signature rules of the chain's blocks: 2 (ZIP 215, ed25519-zebra) by default; "
            "1 (libsodium) for nodes whose software predates version 2. See "
            "docs/ledger-network.md, Signature rules.",
        ),
    ] = NEWEST_RULES,
) -> None:
    """Create a platform's genesis from its operator's permit, for a network or the embedded node.

    The permit is the attached CMS the permit service issued (a Ministry head's signature over
    the permit's JSON): fetched with --permit PRM-… from --server as its holder (--token), or
    read offline from --cms PERMIT.p7s [--permit-file PERMIT.json]. It is judged as the nodes
    will judge it: refused, with exit status 1 and nothing written, when its signature does not
    verify under the nodes' NCA anchors and Ministry BIN, when it is not in force today (nor,
    with --permit, in the state registry), or when --operator-bin is not its holder. Exit
    status 2: unreadable input or an unreachable server.

    A network (default, --nodes N): DIR gets what `kepil cluster init` writes (node-N.toml with
    trust_dir and ministry_bin, each node's checkpoint key, cluster.json) and genesis.json, which
    lists every node's key; `kepil cluster up --dir DIR` starts the nodes and submits it. With
    --node-addresses (nodes on other machines) DIR also gets trust/, a copy of the anchors, and
    the steps to start each node and submit the genesis are printed.

    On a DIR that holds a network already (cluster.json), a new genesis.json is made for its
    nodes and chain, replacing the old one only once it has expired; node keys stay.

    --embedded: genesis.json lists the checkpoint key of the node `kepil serve` runs (created
    once in KEPIL_DATA_DIR/ledger/node-key.seed, mode 0600); start `kepil serve` with the same
    KEPIL_TRUST_DIR and Ministry BIN, then `kepil wallet submit DIR/genesis.json --wait 10`.

    Everything is made beside DIR and moved in at the end: a failure writes nothing. Offline
    (--cms) the registry is not asked; its check is advisory anyway, the nodes never ask it.

    genesis.json is signed by the operator's key and valid for 7 days.
    """
    from kepil.entrypoints.node.network import CLUSTER_FILE

    settings = _settings(trust_dir, ministry_bin)
    holder_bin = None if operator_bin is None else operator_bin.strip()
    if holder_bin == "":
        raise fail("--operator-bin is empty: give the operator's BIN or leave the option out")
    now = int(datetime.now(UTC).timestamp())
    if (permit_number is None) == (cms is None):
        raise fail("name the permit: --permit PRM-… (fetched) or --cms PERMIT.p7s (offline)")
    if embedded and node_addresses:
        raise fail("--embedded is the one node `kepil serve` runs: drop --node-addresses")
    renew = not embedded and (directory / CLUSTER_FILE).exists()
    options = {
        "--nodes": nodes, "--node-addresses": node_addresses, "--api-port": api_port,
        "--raft-port": raft_port, "--server": server, "--permit-file": permit_file,
    }  # fmt: skip
    given = {name for name, value in options.items() if value is not None}
    _refuse_ignored(given, embedded=embedded, offline=cms is not None, renew=renew, path=directory)
    nodes, api_port, raft_port = nodes or _NODES, api_port or _API_PORT, raft_port or _RAFT_PORT
    places = _places(node_addresses, api_port, raft_port) if node_addresses else ()
    remote = _remote(f"http://{host}" for host, _, _ in places)
    network = _prepare(
        directory, settings, embedded, renew, chain_id, (len(places) or nodes, remote), now
    )
    chain = network["chain_id"] if network is not None else chain_id or settings.ledger_chain_id
    try:
        if permit_number is not None:
            from kepil.entrypoints.cli.wallet_cmd import server_url

            cms_bytes = fetch_permit(server_url(server), permit_number.strip(), token or "")
        else:
            assert cms is not None  # noqa: S101 - one of the two, checked above
            cms_bytes = read_permit_cms(cms, permit_file)
        permit = check_permit(_verifier(settings), cms_bytes, holder_bin, now)
        if permit_number is not None and permit.facts.number != permit_number.strip():
            raise PlatformInitError(f"{permit_number} was answered with {permit.facts.number}")
        key_path = operator_key or directory / OPERATOR_KEY_FILE
        key, key_file = _operator_key_or_new(key_path)
        if embedded:
            network = {"chain_id": chain, "nodes": [embedded_ledger_key(settings).to_json()]}
    except PlatformInitError as error:
        raise fail(str(error), error.code) from None
    if key_file is not None and operator_key is not None:
        # A key outside DIR is written first: a retry finds and reuses it.
        _write(key_path, key_file)
        typer.echo(f"made the operator's key {key_path} (mode 0600): keep it secret", err=True)

    def genesis(nodes: Sequence[NodeKey]) -> SignedTx:
        return genesis_tx(
            chain, permit, key, nodes, now, platform=platform, operator_name=operator_name,
            signature_rules=signature_rules,
        )  # fmt: skip

    own_key = key_file if operator_key is None else None
    written, tx = _build(directory, settings, network, own_key, genesis,
                         (len(places) or nodes, places, chain, (api_port, raft_port)))  # fmt: skip
    if own_key is not None:
        typer.echo(f"made the operator's key {key_path} (mode 0600): keep it secret", err=True)
    if cms is not None:
        typer.echo(OFFLINE_WARNING, err=True)
    _report(directory, written, permit, tx, embedded=embedded)


def _prepare(
    directory: Path,
    settings: Settings,
    embedded: bool,
    renew: bool,
    chain_id: str | None,
    nodes: tuple[int, bool],
    now: int,
) -> dict[str, Any] | None:
    """Refuse (exit 2) what would not work before anything is asked or written; the network
    already in `directory` when its genesis is (re)made (`renew`). `nodes`: how many a new
    network has, and whether some are on other machines."""
    from kepil.entrypoints.node.network import GENESIS_FILE

    if directory.exists() and not directory.is_dir():
        raise fail(f"{directory} is a file, not a directory")
    if embedded and chain_id is not None and chain_id != settings.ledger_chain_id:
        raise fail(
            f"--chain-id {chain_id}: the embedded node runs KEPIL_LEDGER_CHAIN_ID "
            f"{settings.ledger_chain_id!r}; set that (for `kepil serve` too) instead"
        )
    network = _existing_network(directory, chain_id) if renew else None
    _refuse_standing_genesis(directory / GENESIS_FILE, renew, now)
    if not renew and not embedded:
        _refuse_occupied(directory, *nodes)
    return network


def _build(
    directory: Path,
    settings: Settings,
    network: dict[str, Any] | None,
    key_file: bytes | None,
    genesis: Callable[[Sequence[NodeKey]], SignedTx],
    layout: tuple[int, tuple[tuple[str, int, int], ...], str, tuple[int, int]],
) -> tuple[dict[str, Any], SignedTx]:
    """Make everything in a scratch directory, then move it into `directory`, genesis.json last:
    a failure on the way leaves `directory` as it was, and a retry starts afresh."""
    from kepil.entrypoints.node.network import GENESIS_FILE
    from kepil.ledger import Refusal

    scratch = _scratch(directory)
    try:
        if key_file is not None:
            _write(scratch / OPERATOR_KEY_FILE, key_file)
        written = network if network is not None else _network(scratch, settings, *layout)
        try:
            tx = genesis(_keys(written))
        except Refusal as error:  # e.g. a chain id the ledger cannot carry
            raise fail(f"no genesis can be made: {error.code.value}: {error.detail}") from None
        _write(scratch / GENESIS_FILE, tx.to_bytes() + b"\n")
        _commit(scratch, directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return written, tx


def _report(
    directory: Path,
    written: dict[str, Any],
    permit: PlatformPermit,
    tx: SignedTx,
    *,
    embedded: bool,
) -> None:
    """The summary on stdout, the next steps on stderr."""
    from kepil.entrypoints.node.network import GENESIS_FILE

    summary = {
        **written,
        "permit": permit.facts.number,
        "operator": permit.facts.holder,
        "genesis": str(directory / GENESIS_FILE),
        "genesis_tx_id": tx.tx_id,
    }
    typer.echo(json.dumps(summary, indent=2))
    remote = _remote(str(node.get("api", "")) for node in written["nodes"])
    typer.echo(_next_steps(directory, written, embedded=embedded, remote=remote), err=True)


OFFLINE_WARNING: Final = (
    "warning: offline (--cms): the state registry was not asked whether the permit is in force "
    "(suspended or revoked); check it at the permit service. That check is advisory in any "
    "case: the nodes judge only the permit's signature, holder and dates, never the registry"
)


def embedded_ledger_key(settings: Settings) -> NodeKey:
    """The embedded node's checkpoint key for a new genesis; PlatformInitError (exit 2) when its
    key or ledger directory is unreadable, (exit 1) when its ledger holds a chain already."""
    from kepil.adapters.ledger_store import SqliteLedgerStore
    from kepil.bootstrap.ledger import EMBEDDED_DIR, LEDGER_FILE, embedded_node_key

    ledger = settings.data_dir / EMBEDDED_DIR
    try:
        if (ledger / LEDGER_FILE).exists():
            store = SqliteLedgerStore(ledger / LEDGER_FILE)
            try:
                head = store.head()
            finally:
                store.close()
            if head is not None:
                raise PlatformInitError(
                    f"the embedded ledger {ledger / LEDGER_FILE} holds a chain already (height "
                    f"{head.height}): its genesis cannot change; use a new KEPIL_DATA_DIR"
                )
        return embedded_node_key(settings)
    except OSError as error:
        raise PlatformInitError(
            f"the embedded node's key in {ledger}: {os_reason(error)}", EXIT_UNREADABLE
        ) from None
    except ValueError as error:
        raise PlatformInitError(
            f"the embedded node's key: {str(error).splitlines()[0]}", EXIT_UNREADABLE
        ) from None


def _settings(trust_dir: Path | None, ministry_bin: str | None) -> Settings:
    """The environment's settings with the nodes' trust; one line and exit 2 when invalid."""
    from pydantic import ValidationError

    from kepil.config import Settings

    try:
        return trust_of(Settings(), trust_dir, ministry_bin)
    except ValidationError as error:
        problems = "; ".join(
            f"KEPIL_{'.'.join(map(str, e['loc'])).upper() or 'SETTINGS'}: {e['msg']}"
            for e in error.errors()
        )
        raise fail(f"invalid configuration: {problems}") from None
    except ValueError as error:
        raise fail(f"invalid configuration: {str(error).splitlines()[0]}") from None


def _refuse_ignored(
    given: set[str], *, embedded: bool, offline: bool, renew: bool, path: Path
) -> None:
    """Exit 2 naming an option (of those `given`) that the chosen mode would silently ignore."""
    network = ("--nodes", "--node-addresses", "--api-port", "--raft-port")
    rules: list[tuple[bool, tuple[str, ...], str]] = [
        (embedded, network, "--embedded is the one node `kepil serve` runs"),
        (offline, ("--server",), "--cms reads the permit offline; nothing is fetched"),
        (not offline, ("--permit-file",), "--permit-file goes with --cms"),
        ("--node-addresses" in given, ("--nodes",), "--node-addresses makes one node per address"),
        (renew, network, f"{path} holds a network (cluster.json): its nodes stay as they are"),
    ]
    for applies, names, why in rules:
        named = [name for name in names if applies and name in given]
        if named:
            raise fail(f"{why}: drop {', '.join(named)}")


def _existing_network(directory: Path, chain_id: str | None) -> dict[str, Any]:
    """The network already in `directory`, whose genesis is (re)made; exit 2 when unreadable."""
    from kepil.entrypoints.node.network import NetworkError, read_network

    try:
        network = read_network(directory)
    except NetworkError as error:
        raise fail(str(error)) from None
    if any(not isinstance(node.get("key"), str) for node in network["nodes"]):
        raise fail(f"{directory}/cluster.json lists a node without its checkpoint key")
    if chain_id is not None and chain_id != network["chain_id"]:
        raise fail(f"--chain-id {chain_id}: the network in {directory} runs {network['chain_id']}")
    return network


def _refuse_standing_genesis(path: Path, renew: bool, now: int) -> None:
    """Exit 2 when `path` holds a genesis that may still commit; an expired one may be replaced
    (in a network's directory), since no node accepts it any more."""
    from kepil.ledger import decode_tx

    if not path.exists():
        return
    if not renew:
        raise fail(f"{path} exists: the platform is already there")
    try:
        until = decode_tx(path.read_bytes()).unsigned.not_after
    except (OSError, ValueError, AttributeError) as error:
        raise fail(f"{path} is not a readable genesis: {error}; move it away") from None
    if until > now:
        raise fail(
            f"{path} exists and stays valid until {_moment(until)}: submit it (`kepil cluster "
            "up`, or `kepil wallet submit`); it is replaced only once it has expired"
        )


def _refuse_occupied(directory: Path, nodes: int, remote: bool) -> None:
    """Exit 2 when `directory` already holds a file the new network would write."""
    from kepil.entrypoints.node.network import PASSWORD_FILE

    names = [f"node-{n}" for n in range(1, nodes + 1)]
    entries = [PASSWORD_FILE, *(f"{n}.toml" for n in names), *names]
    entries += [TRUST_COPY] if remote else []
    present = [entry for entry in entries if (directory / entry).exists()]
    if present:
        raise fail(f"{directory} already holds {', '.join(present)}: move them away")


def _scratch(directory: Path) -> Path:
    """A private scratch directory beside `directory`, where everything is made first."""
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{directory.name}-init-", dir=directory.parent))
    except OSError as error:
        raise fail(f"cannot write {os_reason(error)}") from None


def _commit(scratch: Path, directory: Path) -> None:
    """Move what `scratch` holds into `directory`, genesis.json last (replacing an expired one)."""
    from kepil.entrypoints.node.network import GENESIS_FILE, move_into

    try:
        if not directory.exists():
            scratch.rename(directory)  # one step: the directory appears complete
            return
        temp = directory / f".{GENESIS_FILE}.new"
        (scratch / GENESIS_FILE).rename(temp)
        try:
            move_into(scratch, directory, [])
            temp.replace(directory / GENESIS_FILE)  # one step: whole or not at all
        finally:
            temp.unlink(missing_ok=True)
    except OSError as error:
        raise fail(f"cannot write {os_reason(error)}") from None


def _remote(urls: Iterable[str]) -> bool:
    """Whether some node (its API URL) listens elsewhere than on this machine."""
    return any(not _loopback(urlsplit(url).hostname) for url in urls if url)


def _next_steps(directory: Path, written: dict[str, Any], *, embedded: bool, remote: bool) -> str:
    """What the operator does next, as lines for stderr."""
    from kepil.entrypoints.node.network import GENESIS_FILE, PASSWORD_FILE

    genesis = directory / GENESIS_FILE
    if embedded:
        return f"next: kepil wallet submit {genesis} --wait 10   (with `kepil serve` running)"
    if not remote:
        return f"next: kepil cluster up --dir {directory}"
    first = written["nodes"][0]["api"]
    return "\n".join(
        [
            "next, for each node N on its machine (cluster.json says where it listens):",
            f"  1. copy {directory}/node-N.toml, {directory}/node-N/ (its secret key), "
            f"{directory}/{PASSWORD_FILE} (secret) and {directory}/{TRUST_COPY}/ (the NCA "
            "anchors) into one directory there, keeping their names;",
            "  2. there: kepil node --config node-N.toml",
            "then, once a majority runs and has elected a leader:",
            f"  kepil wallet submit {genesis} --url {first} --wait 10",
        ]
    )


def _verifier(settings: Settings) -> PermitVerifier:
    from kepil.adapters.clock import SystemClock
    from kepil.bootstrap import ConfigurationError
    from kepil.bootstrap.ledger import permit_verifier

    try:
        return permit_verifier(settings, SystemClock())
    except ConfigurationError as error:
        raise PlatformInitError(f"the nodes' trust anchors: {error}", EXIT_UNREADABLE) from None


def _network(
    directory: Path,
    settings: Settings,
    nodes: int,
    places: tuple[tuple[str, int, int], ...],
    chain: str,
    ports: tuple[int, int],
) -> dict[str, Any]:
    """The network's files (`kepil cluster init`'s code): on loopback's next ports, or `places`.

    Nodes on other machines get the NCA anchors copied into DIR/trust/ and named relatively in
    their node.toml, so the directory works wherever it is copied; loopback nodes name this
    machine's anchors by their absolute path.
    """
    from kepil.entrypoints.cli.cluster_cmd import init_files

    trust = str(settings.trust_dir) if settings.trust_dir is not None else None
    if trust is not None and _remote(f"http://{host}" for host, _, _ in places):
        try:
            shutil.copytree(trust, directory / TRUST_COPY)
        except OSError as error:
            raise fail(f"cannot copy the NCA anchors: {os_reason(error)}") from None
        trust = TRUST_COPY
    elif trust is None and places:
        typer.echo(
            "warning: no NCA anchors (--trust-dir, KEPIL_TRUST_DIR): each node then needs "
            "KEPIL_TRUST_DIR on its machine, or it accepts no genesis permit",
            err=True,
        )
    return init_files(
        directory, nodes, chain, *ports,
        trust_dir=trust, ministry_bin=settings.ministry_bin, places=places,
    )  # fmt: skip


def _places(text: str, api_port: int, raft_port: int) -> tuple[tuple[str, int, int], ...]:
    """--node-addresses as (host, API port, consensus port) per node; exit 2 if unreadable."""
    places = []
    for item in (part.strip() for part in text.split(",")):
        if item.startswith("["):  # [IPv6] or [IPv6]:API_PORT:RAFT_PORT
            inside, _, rest = item[1:].partition("]")
            host, ports = f"[{inside}]", rest.split(":")[1:] if rest else []
            bad = rest != "" and not rest.startswith(":")
        else:
            host, *ports = item.split(":")
            bad = False
        bad = bad or len(ports) not in (0, 2) or not all(p.isdigit() for p in ports)
        if bad or not _host(host):
            raise fail(
                f"--node-addresses: {item!r} is neither HOST nor HOST:API_PORT:RAFT_PORT (HOST: "
                "a hostname, an IPv4 address or an [IPv6] address)"
            )
        api, raft = (int(ports[0]), int(ports[1])) if ports else (api_port, raft_port)
        places.append((host, api, raft))
    if len({(h, a) for h, a, _ in places} | {(h, r) for h, _, r in places}) != 2 * len(places):
        raise fail("--node-addresses: two nodes (or a node's two ports) share an address")
    return tuple(places)


def _host(host: str) -> bool:
    """Whether `host` is a hostname, an IPv4 address or a bracketed IPv6 address."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return isinstance(ipaddress.ip_address(host[1:-1]), ipaddress.IPv6Address)
        except ValueError:
            return False
    if host.replace(".", "").isdigit():  # all digits: only a dotted IPv4 address will do
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    return len(host) <= 253 and _HOSTNAME.fullmatch(host) is not None


def _keys(cluster: dict[str, Any]) -> list[NodeKey]:
    from kepil.ledger.records import NodeKey

    return [NodeKey(node["name"], node["key"]) for node in cluster["nodes"]]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PlatformInitError(f"cannot read {os_reason(error)}", EXIT_UNREADABLE) from None


def _operator_key(path: Path) -> SigningKey:
    """The operator's key from a wallet key file, made (mode 0600) when there is none."""
    from kepil.entrypoints.cli.wallet_cmd import KEY_HEADER
    from kepil.ledger.crypto import SigningKey, public_key_hex

    if not path.exists():
        key = SigningKey.generate()
        public = public_key_hex(key)
        _write(path, f"{KEY_HEADER}\n# public key: {public}\n{bytes(key).hex()}\n".encode())
        typer.echo(f"made the operator's key {path} (mode 0600): keep it secret", err=True)
        return key
    text = _read_bytes(path).decode("utf-8", errors="replace")
    seeds = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    try:
        if len(seeds) == 1 and len(seeds[0]) == _SEED_HEX_LENGTH:
            return SigningKey(bytes.fromhex(seeds[0]))
    except ValueError:
        pass
    raise PlatformInitError(f"{path} is not a kepil wallet key file", EXIT_UNREADABLE)


def _operator_key_or_new(path: Path) -> tuple[SigningKey, bytes | None]:
    """The operator's key from its wallet key file; a new one and its file's bytes if none."""
    from kepil.entrypoints.cli.wallet_cmd import KEY_HEADER
    from kepil.ledger.crypto import SigningKey, public_key_hex

    if path.exists():
        return _operator_key(path), None
    key = SigningKey.generate()
    text = f"{KEY_HEADER}\n# public key: {public_key_hex(key)}\n{bytes(key).hex()}\n"
    return key, text.encode()


def _write(path: Path, data: bytes) -> None:
    """A new file of mode 0600 (genesis and keys are for the operator's eyes first)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise fail(f"cannot write {os_reason(error)}") from None


def _moment(moment: int) -> str:
    return f"{datetime.fromtimestamp(moment, UTC):%Y-%m-%d %H:%M} UTC"


def _day(moment: int) -> str:
    from kepil.domain.calendar import to_almaty

    return to_almaty(datetime.fromtimestamp(moment, UTC)).date().isoformat()
