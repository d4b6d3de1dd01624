"""`kepil node`: run one platform node of a network from its node.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail


def node(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="The node's node.toml (see `kepil cluster init`)."),
    ],
) -> None:
    """Run one ledger node (Raft replica, SQLite ledger, API) until SIGTERM or Ctrl-C."""
    import uvicorn

    from kepil.adapters.logs import configure_logging
    from kepil.entrypoints.node.config import NodeConfigError, load_node_config
    from kepil.entrypoints.node.process import create_node_app
    from kepil.entrypoints.runtime import tune_gc

    try:
        settings = load_node_config(config)
    except NodeConfigError as error:
        raise fail(str(error)) from None
    configure_logging("INFO", "json")
    tune_gc()
    app = create_node_app(settings)
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_config=None)
