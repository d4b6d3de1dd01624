"""`kepil platform`: a platform operator's commands (issue 21): start a platform from its permit
(`init`, platform_init_cmd.py), register it for the registry's changes (`register`)."""

from __future__ import annotations

from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail
from kepil.entrypoints.cli.platform_init_cmd import init

platform_app = typer.Typer(
    help="A platform operator's commands: start a platform from its permit; register it, so "
    "the registry's status changes of the permit are relayed to its nodes.",
    no_args_is_help=True,
)
platform_app.command("init")(init)


@platform_app.command("register")
def register(
    permit: Annotated[str, typer.Option("--permit", help="The permit's number (PRM-…).")],
    chain_id: Annotated[str, typer.Option("--chain-id", help="The platform's chain id.")],
    nodes: Annotated[
        list[str],
        typer.Option(
            "--node", help="A node's base URL (http:// or https://); repeat for each node."
        ),
    ],
    name: Annotated[
        str, typer.Option("--name", help="The platform's name; the chain id when omitted.")
    ] = "",
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="The permit has a platform on this chain already: give it these nodes (and "
            "name) instead; its changes still on their way are tried again at once.",
        ),
    ] = False,
) -> None:
    """Register a platform for a permit in the local database: from then on the relay sends it
    every status change of the permit in the registry (and the latest suspension or revocation
    made before, if any). With --replace, change the nodes of the one registered."""
    from kepil.adapters.clock import SystemClock
    from kepil.adapters.node_addresses import NodeAddressGuard
    from kepil.config import Settings
    from kepil.entrypoints.cli.local_database import console_operator, existing_database
    from kepil.services.errors import ServiceError
    from kepil.services.messagebus import Fresh, MessageBus, inject
    from kepil.services.permits.platforms import RegisterPlatform, register_platform

    db, where = existing_database()  # an existing database, as `kepil staff` requires
    bus = MessageBus()
    guard = NodeAddressGuard(Settings().relay_private_allowed)
    dependencies = {"uow": Fresh(db.unit_of_work), "clock": SystemClock(), "node_guard": guard}
    bus.register(RegisterPlatform, inject(register_platform, dependencies))
    command = RegisterPlatform(
        permit.strip(), name, chain_id, tuple(nodes), operator=console_operator(), replace=replace
    )
    try:
        platform = bus.handle(command)
    except ServiceError as error:
        raise fail(error.message) from None
    finally:
        db.engine.dispose()
    owed = sum(d.state in {"pending", "failing"} for d in platform.deliveries)
    typer.echo(
        f"platform {platform.id} «{platform.name}» ({platform.chain_id}, "
        f"{len(platform.nodes)} node(s)) registered for {platform.permit_number} in {where}"
        + (f"; {owed} change(s) queued for it" if owed else "")
    )
