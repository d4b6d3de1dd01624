"""`kepil serve`: the HTTP service on the embedded default or the configured database."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail

log = logging.getLogger("kepil.serve")


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (KEPIL_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (KEPIL_PORT).")] = None,
) -> None:
    """Migrate the database, then serve the API until Ctrl-C."""
    # Imported here: `kepil calendar ...` runs in scripts and must not pay for the web stack.
    import uvicorn
    from pydantic import ValidationError

    from kepil.adapters.logs import configure_logging
    from kepil.bootstrap import ConfigurationError, bootstrap
    from kepil.config import Settings
    from kepil.entrypoints.api.app import create_app
    from kepil.entrypoints.runtime import tune_gc

    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise fail(f"invalid configuration: {problems}") from None
    configure_logging(settings.log_level, settings.log_format.value)
    try:
        container = bootstrap(settings)
    except ConfigurationError as error:
        raise fail(f"invalid configuration: {error}") from None
    bind_host, bind_port = host or settings.host, port or settings.port
    log.info(
        "serving",
        extra={
            "url": f"http://{bind_host}:{bind_port}",
            "data_dir": str(settings.data_dir),
            "mode": settings.mode.value,
        },
    )
    app = create_app(container)
    node = getattr(app.state, "ledger_node", None)
    if node is not None:
        # Genesis must list this name and key, or no receipt of this node is ever confirmed.
        log.info(
            "ledger node",
            extra={"node": node.name, "public_key": node.public_key, "chain_id": node.chain_id},
        )
    tune_gc()
    uvicorn.run(app, host=bind_host, port=bind_port, log_config=None)
