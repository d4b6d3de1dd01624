"""`kepil wallet`: make a key, build, sign and co-sign ledger transactions, submit them, and
show holdings.

A key file holds an Ed25519 seed in hex under a comment that says it is secret; it is written
with mode 0600 and never printed. Transactions are printed and read as the envelope JSON the
node accepts at POST /api/v1/ledger/transactions.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from kepil.entrypoints.cli.errors import EXIT_INVALID, fail

if TYPE_CHECKING:
    from kepil.adapters.node_client import NodeClient

wallet_app = typer.Typer(
    help="Ledger wallet: keys, signed transactions, submission, holdings.", no_args_is_help=True
)

KEY_HEADER = "# kepil wallet key: Ed25519 seed (hex). SECRET: anyone with this file signs as you."
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000  # = Settings.host and Settings.port defaults
UrlOption = Annotated[
    str | None,
    typer.Option(
        help="Base URL of the kepil server; default http://KEPIL_HOST:KEPIL_PORT "
        "(127.0.0.1:8000), where `kepil serve` listens.",
        show_default=False,
    ),
]
DEFAULT_CHAIN = "kepil-local"  # = Settings.ledger_chain_id's default
_SEED_HEX_LENGTH = 64
# A slow server still answers a wallet; a wait asked for (`--wait`) comes on top.
_HTTP_TIMEOUT = 40.0


@wallet_app.command()
def keygen(
    out: Annotated[Path, typer.Option(help="Key file to create (mode 0600; never overwritten).")],
) -> None:
    """Make a new Ed25519 key; print its public key as JSON."""
    from kepil.ledger.crypto import SigningKey, public_key_hex

    key = SigningKey.generate()
    public = public_key_hex(key)
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise fail(f"{out} exists; choose another --out (keys are never overwritten)") from None
    except OSError as error:
        raise fail(f"cannot create {out}: {error.strerror}") from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(f"{KEY_HEADER}\n# public key: {public}\n{bytes(key).hex()}\n")
    _print({"key_file": str(out), "public_key": public})


class _BuildCommand(TyperCommand):
    """`build TYPE --help` starts with TYPE's payload fields and signers."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer vendors click
        """Before the usual help, TYPE's (the first argument naming a type)."""
        if "--help" in args:
            from kepil.ledger.schemas import SHAPES, help_text

            named = [arg for arg in args if arg in SHAPES]
            if named:
                typer.echo(help_text(named[0]) + "\n")
        return super().parse_args(ctx, args)


@wallet_app.command()
def types(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print docs/ledger-transactions.md instead.")
    ] = False,
) -> None:
    """List the transaction types, one line each; `build TYPE --help` shows a type's fields."""
    from kepil.ledger.schemas import SHAPES, one_line
    from kepil.ledger.schemas import markdown as render

    if markdown:
        typer.echo(render(), nl=False)
        return
    for name in SHAPES:
        typer.echo(one_line(name))


@wallet_app.command(cls=_BuildCommand)
def build(
    tx_type: Annotated[
        str,
        typer.Argument(
            metavar="TYPE",
            help="Transaction type, e.g. transfer (`kepil wallet types` lists them).",
        ),
    ],
    payload: Annotated[str, typer.Option(help="Payload JSON, or @FILE to read it from a file.")],
    signer: Annotated[str, typer.Option(help="Your IIN/BIN (or 'ministry').")],
    key: Annotated[Path, typer.Option(help="Your key file (from `kepil wallet keygen`).")],
    nonce: Annotated[
        int | None,
        typer.Option(min=1, help="Your next nonce (last used + 1); default: ask --url."),
    ] = None,
    url: UrlOption = None,
    chain: Annotated[
        str, typer.Option(envvar="KEPIL_LEDGER_CHAIN_ID", help="Chain id of the node.")
    ] = DEFAULT_CHAIN,
    cosigner: Annotated[
        list[str] | None,
        typer.Option(
            help="Another party who must sign, as ID:NONCE or ID (nonce from --url); repeatable."
        ),
    ] = None,
    not_before: Annotated[
        int | None, typer.Option(help="Unix time the transaction becomes valid (default: now-60).")
    ] = None,
    lifetime: Annotated[int, typer.Option(min=0, help="Seconds it stays valid.")] = 3600,
) -> None:
    """Build a transaction of TYPE, sign it, and print its envelope JSON.

    `kepil wallet build TYPE --help` lists TYPE's payload fields and who must sign.
    """
    from kepil.adapters.clock import SystemClock
    from kepil.ledger import PAYLOAD_TYPES, Refusal, build_tx, payload_from_json, window_at

    url = server_url(url)

    if tx_type not in PAYLOAD_TYPES:
        raise fail(f"unknown type {tx_type!r}; one of: {', '.join(sorted(PAYLOAD_TYPES))}")
    signing_key = _read_key(key)
    nonces = {
        signer: nonce if nonce is not None else _next_nonce(url, signer),
        **_cosigners(cosigner or [], signer, url),
    }
    start = not_before if not_before is not None else int(SystemClock().now().timestamp()) - 60
    data = _json_object(payload, "--payload")
    try:
        parsed = payload_from_json(tx_type, data)
        _require_parties(tx_type, data, nonces)
        unsigned = build_tx(chain, parsed, nonces, window_at(start, lifetime))
        signed = unsigned.sign({signer: signing_key})
    except Refusal as refusal:
        raise fail(f"the transaction is malformed: {refusal}") from None
    _emit(signed.to_bytes())


def _require_parties(tx_type: str, payload: dict[str, Any], nonces: dict[str, int]) -> None:
    """Refuse to build what can never commit: a party the payload names as signer is left out."""
    from kepil.ledger.schemas import field_signers

    for path, account in field_signers(tx_type, payload).items():
        if account not in nonces:
            raise fail(
                f"a {tx_type} is signed by payload.{path} ({account}), who is not a signer: "
                f"add --cosigner {account}, then they add their signature with "
                "`kepil wallet cosign`"
            )


@wallet_app.command()
def cosign(
    tx_file: Annotated[str, typer.Argument(metavar="FILE", help="Envelope JSON, or - for stdin.")],
    signer: Annotated[str, typer.Option(help="Your IIN/BIN; must be a party of the transaction.")],
    key: Annotated[Path, typer.Option(help="Your key file.")],
) -> None:
    """Add your signature to a multi-party transaction (swap, agreement, ...); print it."""
    from kepil.ledger import Refusal, decode_tx

    signing_key = _read_key(key)
    try:
        tx = decode_tx(_read_input(tx_file))
    except Refusal as refusal:
        raise fail(f"{tx_file} is not a transaction envelope: {refusal}") from None
    if signer not in tx.unsigned.nonces:
        parties = ", ".join(sorted(tx.unsigned.nonces))
        raise fail(f"{signer} is not a party of this transaction ({parties})")
    _emit(tx.with_signature(signer, signing_key).to_bytes())


@wallet_app.command()
def submit(
    tx_file: Annotated[str, typer.Argument(metavar="FILE", help="Envelope JSON, or - for stdin.")],
    url: UrlOption = None,
    wait: Annotated[
        float, typer.Option(min=0, max=30, help="Seconds to wait for the commit (0: don't).")
    ] = 0.0,
) -> None:
    """Submit a signed transaction; print its status. Exit 1 if it committed with a refusal."""
    url = server_url(url)
    envelope = _read_input(tx_file)
    node = _node(url)
    accepted = _ask(url, lambda: node.submit(envelope))
    status = accepted
    if wait > 0:
        status = _ask(url, lambda: node.status(accepted["tx_id"], wait))
    _print(status)
    if status.get("code") not in (None, "ok"):
        raise typer.Exit(EXIT_INVALID)


@wallet_app.command()
def status(
    tx_id: Annotated[str, typer.Argument(metavar="TX_ID", help="The transaction id (hex).")],
    url: UrlOption = None,
    wait: Annotated[float, typer.Option(min=0, max=30, help="Seconds to wait for it.")] = 0.0,
) -> None:
    """Print a transaction's status: pending, committed (height, code), rejected or unknown."""
    url = server_url(url)
    node = _node(url)
    _print(_ask(url, lambda: node.status(tx_id, wait)))


@wallet_app.command()
def holdings(
    holder: Annotated[str, typer.Argument(metavar="HOLDER", help="IIN/BIN of the holder.")],
    url: UrlOption = None,
) -> None:
    """Print a holder's free, pledged and escrowed units per asset class."""
    url = server_url(url)
    node = _node(url)
    _print(_ask(url, lambda: node.holdings(holder)))


@wallet_app.command()
def account(
    signer: Annotated[str, typer.Argument(metavar="ID", help="IIN/BIN, or 'ministry'.")],
    url: UrlOption = None,
) -> None:
    """Print a signer's participant record (roles, key, status) and its next nonce."""
    url = server_url(url)
    node = _node(url)
    _print(_ask(url, lambda: node.account(signer)))


@wallet_app.command()
def history(
    holder: Annotated[str, typer.Argument(metavar="HOLDER", help="IIN/BIN of the holder.")],
    url: UrlOption = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Entries per page.")] = 50,
    before: Annotated[
        int | None, typer.Option(min=0, help="next_before of the previous page.")
    ] = None,
) -> None:
    """Print the transactions a holder took part in, newest first."""
    url = server_url(url)
    node = _node(url)
    _print(_ask(url, lambda: node.history(holder, limit, before)))


def server_url(url: str | None) -> str:
    """The URL given, or where `kepil serve` listens by the same environment (KEPIL_HOST/PORT)."""
    if url is not None:
        return url
    host = os.environ.get("KEPIL_HOST", "").strip() or DEFAULT_HOST
    port = os.environ.get("KEPIL_PORT", "").strip() or str(DEFAULT_PORT)
    if not (port.isdigit() and 0 < int(port) < 65536):
        raise fail(f"KEPIL_PORT={port!r} is not a port 1-65535; pass --url")
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - a server on every address answers on loopback
        host = DEFAULT_HOST
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _read_key(path: Path) -> Any:
    from kepil.ledger.crypto import SigningKey

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise fail(f"cannot read key file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise fail(f"{path} is not a kepil wallet key file (it is not text)") from None
    seeds = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if len(seeds) != 1 or len(seeds[0]) != _SEED_HEX_LENGTH:
        raise fail(f"{path} is not a kepil wallet key file")
    try:
        return SigningKey(bytes.fromhex(seeds[0]))
    except ValueError:
        raise fail(f"{path} is not a kepil wallet key file") from None


def _cosigners(items: list[str], signer: str, url: str) -> dict[str, int]:
    nonces: dict[str, int] = {}
    for item in items:
        party, colon, number = item.partition(":")
        given = number.isdigit() and int(number) >= 1
        if not party or party == signer or (colon and not given):
            raise fail(
                f"--cosigner {item!r} must be ID:NONCE or ID for a party other than --signer"
            )
        nonces[party] = int(number) if colon else _next_nonce(url, party)
    return nonces


def _next_nonce(url: str, signer: str) -> int:
    node = _node(url)
    account = _ask(url, lambda: node.account(signer))
    return int(account["next_nonce"])


def _json_object(text: str, what: str) -> dict[str, Any]:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise fail(f"cannot read {what} file {text[1:]}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise fail(f"{what} file {text[1:]} is not UTF-8 JSON text") from None
    try:
        value = json.loads(text)
    except ValueError as error:
        raise fail(f"{what} is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise fail(f"{what} must be a JSON object")
    return value


def _read_input(name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise fail(f"cannot read {name}: {error.strerror}") from None


def _node(url: str) -> NodeClient:
    from kepil.adapters.node_client import NodeClient

    try:
        return NodeClient(url, _HTTP_TIMEOUT)
    except ValueError:
        raise fail(f"--url {url!r} must start with http:// or https://") from None


def _ask(url: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The node's answer, or one line on stderr and exit 2 saying why there is none."""
    from kepil.adapters.node_client import NodeError, NodeUnreachable

    try:
        return call()
    except NodeError as error:
        hint = ""
        if error.code == "missing_signature":
            hint = (
                "; each co-signer adds theirs with `kepil wallet cosign FILE --signer ID --key KEY`"
            )
        raise fail(f"the server refused: {error}{hint}") from None
    except NodeUnreachable as error:
        raise fail(f"cannot reach {url}: {error.reason}") from None


def _emit(envelope: bytes) -> None:
    typer.echo(envelope.decode())


def _print(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
