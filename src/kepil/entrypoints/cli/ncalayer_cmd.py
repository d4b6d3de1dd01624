"""`kepil ncalayer`: a stand-in for NCALayer that signs with test keys (development and tests)."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail, os_reason
from kepil.entrypoints.ncalayer.protocol import Choice

# Paragraphs without hard line breaks: the help formatter keeps every newline it is given.
_HELP = "\n\n".join(
    [
        "Stand in for NCALayer: a TEST DOUBLE of the NCA's NCALayer, for development and tests.",
        "Speaks NCALayer's WebSocket protocol on wss://HOST:PORT/ (kz.gov.pki.knca.basics sign; "
        "commonUtils getActiveTokens, getKeyInfo, createCAdESFromBase64, changeLocale) with "
        "NCALayer's reply shapes, and signs CMS with the keys of the PKCS#12 files given.",
        "Where the real NCALayer shows its key-choice dialog, the stand-in picks the first key "
        "that the request's filters let through (--choose first) or presses Cancel "
        "(--choose cancel). When no key passes the filters it answers as NCALayer does when "
        "the person closes the dialog: cancelled.",
        "Keys: PKCS#12 files with an RSA, ECDSA or Ed25519 key, such as `kepil pki issue DIR "
        "... --p12 --password P` writes and the NCA's RSA test kits, or with a GOST R 34.10-2015 "
        "key (the NCA's GOST 2015 test kits, signed in Kalkan's layout). GOST 34.310-2004 keys "
        "are refused.",
        "Several files: repeat --p12. One --password serves every file; otherwise give one "
        "--password per --p12, in the same order.",
        "TLS: --cert and --key, or a self-signed development certificate for 127.0.0.1, made "
        "on first start in the data directory. Open https://HOST:PORT/ once in the browser "
        "to accept it. See docs/ncalayer.md.",
    ]
)


def ncalayer(
    p12: Annotated[
        list[Path],
        typer.Option("--p12", metavar="FILE", help="PKCS#12 key file to offer (repeatable)"),
    ],
    password: Annotated[
        list[str],
        typer.Option(
            metavar="P", help="its password: one for all files, or one per --p12 in order"
        ),
    ],
    host: Annotated[
        str, typer.Option(help="loopback address to listen on (127.0.0.1, localhost or ::1)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="port (NCALayer's is 13579)")] = 13579,
    choose: Annotated[
        Choice, typer.Option(help="the person's answer in the key dialog: first key or Cancel")
    ] = Choice.FIRST,
    cert: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM); default: a development one")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="TLS private key (PEM) for --cert")] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(envvar="KEPIL_DATA_DIR", help="where the development certificate is kept"),
    ] = None,
    origin: Annotated[
        list[str] | None,
        typer.Option(
            metavar="URL",
            help="a portal address (scheme://host[:port]) off this computer whose pages may ask "
            "for signatures (repeatable); pages on loopback always may",
        ),
    ] = None,
) -> None:
    """Stand in for NCALayer with test keys (a test double; see docs/ncalayer.md)."""
    from kepil.adapters.clock import SystemClock
    from kepil.config import default_data_dir
    from kepil.entrypoints.ncalayer.dev_certificate import ensure_dev_certificate
    from kepil.entrypoints.ncalayer.keys import KeyFileError, load_key_file
    from kepil.entrypoints.ncalayer.protocol import StandIn, describe
    from kepil.entrypoints.ncalayer.server import LOOPBACK_HOSTS, run, tls_context

    if host not in LOOPBACK_HOSTS:
        raise fail(
            f"--host {host}: the stand-in signs without asking, so it listens on loopback only"
        )
    if len(password) not in (1, len(p12)):
        raise fail(f"{len(p12)} --p12 files and {len(password)} passwords: give one or {len(p12)}")
    passwords = password * len(p12) if len(password) == 1 else password
    offered = []
    for path, secret in zip(p12, passwords, strict=True):
        try:
            offered.extend(load_key_file(path, secret))
        except KeyFileError as error:
            raise fail(str(error)) from None
    if (cert is None) != (key is None):
        raise fail("--cert and --key go together")
    clock = SystemClock()
    if cert is None or key is None:
        try:
            files = ensure_dev_certificate(data_dir or default_data_dir(), clock.now())
        except OSError as error:
            raise fail(f"cannot make the development certificate: {os_reason(error)}") from None
        cert, key = files.certificate, files.key
    try:
        context = tls_context(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise fail(f"cannot use {cert} and {key} for TLS: {error}") from None

    def say(line: str) -> None:
        typer.echo(f"kepil ncalayer: {line}", err=True)

    stand_in = StandIn(tuple(offered), clock.now, choose, say)

    def ready(bound: int) -> None:
        typer.echo(f"NCALayer stand-in (a test double, not NCALayer) on wss://{host}:{bound}/")
        typer.echo(f"certificate: {cert} (open https://{host}:{bound}/ once to accept it)")
        typer.echo(f"the person's choice in the key dialog: {choose.value}")
        typer.echo("keys offered:")
        for line in describe(offered):
            typer.echo(f"  {line}")

    try:
        run(stand_in, host, port, context, ready, frozenset(o.rstrip("/") for o in origin or []))
    except OSError as error:
        raise fail(f"cannot listen on {host}:{port}: {os_reason(error)}") from None
    typer.echo("NCALayer stand-in stopped")


ncalayer.__doc__ = _HELP
