"""`kepil permit-tx`: the permit_status transaction relaying the Ministry's signed files.

Prints the envelope for `kepil wallet submit`. The files are the registry's: the
`permit_status_change` document and the head's CMS over it (attached or detached), or, with no
--document, a renewed or new permit as an attached CMS. No key of anyone's is needed: the
envelope's signature carries no authority; the node checks the Ministry's own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail


def permit_tx(
    cms: Annotated[
        Path,
        typer.Option("--cms", help="The Ministry's CMS (DER, BER or PEM).", show_default=False),
    ],
    chain: Annotated[str, typer.Option("--chain", help="The platform's chain id.")],
    document: Annotated[
        Path | None,
        typer.Option(
            "--document",
            help="The signed permit_status_change document; omit for a renewal (permit CMS).",
            show_default=False,
        ),
    ] = None,
    now: Annotated[
        int | None,
        typer.Option(help="Unix seconds the transaction is valid from; default: now."),
    ] = None,
) -> None:
    """Print the permit_status transaction carrying the Ministry's signed change or permit."""
    from kepil.adapters.ledger_permit import permit_change_tx

    try:
        signed = cms.read_bytes()
        content = None if document is None else document.read_bytes()
    except OSError as error:
        raise fail(f"cannot read {error.filename}: {error.strerror}") from None
    try:
        tx = permit_change_tx(chain, signed, content, int(time.time()) if now is None else now)
    except ValueError as error:
        raise fail(str(error)) from None
    typer.echo(tx.to_bytes().decode())
