"""The whole story, act by act, each step checked; where to look is printed as it goes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from kepil.entrypoints.demo import assets, permit, suspension
from kepil.entrypoints.demo.assets import Holding
from kepil.entrypoints.demo.people import Cast, make_cast
from kepil.entrypoints.demo.permit import IssuedPermit
from kepil.entrypoints.demo.platform import (
    CHAIN_ID,
    NODES,
    Platform,
    prepare_platform,
    start_chain,
    start_nodes,
)
from kepil.entrypoints.demo.processes import Children
from kepil.entrypoints.demo.server import Server, grant_officials, start_server
from kepil.entrypoints.demo.service import ServiceClient
from kepil.entrypoints.demo.steps import Story

ISSUED: Final = 1000
MOVED: Final = 100
PLEDGED: Final = 300
REDEEMED: Final = 50


@dataclass
class Stage:
    """What the acts so far have set up for the next ones."""

    root: Path
    children: Children
    cast: Cast
    server: Server

    @property
    def client(self) -> ServiceClient:
        """The server's API."""
        return self.server.client()


def tell(story: Story, root: Path, children: Children) -> None:
    """Run every step under `root`; the first that fails raises StepFailed."""
    stage = _set_the_stage(story, root, children)
    issued = _permit_procedure(story, stage)
    platform = _platform(story, stage, issued)
    _assets(story, platform)
    _registry_obeyed(story, stage, issued, platform)


def _set_the_stage(story: Story, root: Path, children: Children) -> Stage:
    with story.step("Make a TEST PKI: a TEST CA, an applicant's director, 3 officials") as step:
        cast = make_cast(root / "pki", datetime.now(UTC))
        step.note(f"TEST identities only; the server and the nodes trust {cast.trust_dir}")
    with story.step("Start kepil serve (embedded default) trusting the TEST PKI") as step:
        server = start_server(root / "serve", cast.trust_dir, children)
        step.look("service", server.url)
        step.note(f"log: {server.log}")
        granted = grant_officials(server, cast.trust_dir)
        step.note("kepil staff grant: " + "; ".join(granted))
    return Stage(root, children, cast, server)


def _permit_procedure(story: Story, stage: Stage) -> IssuedPermit:
    cast, client, url = stage.cast, stage.client, stage.server.url
    with story.step("Everyone signs in with their EDS authentication key") as step:
        for person in (cast.applicant, cast.clerk, cast.examiner, cast.head):
            permit.sign_in(client, person)
            step.check(bool(person.token), f"{person.name} got no session")
        step.note("the applicant's director, the clerk, the examiner, the head: signed in")

    with story.step("The applicant files the EDS-signed application (Appendix 2)") as step:
        number = permit.file_application(client, cast.applicant)
        status = permit.status_of(client, cast.applicant, number)
        step.check(status == "submitted", f"application {number} is {status}, not submitted")
        step.note(f"application {number}: {status}")
        step.look("applicant's cabinet", f"{url}/cabinet/applications/{number}")

    officials = (
        ("The clerk registers it: the completeness check passes", cast.clerk, "register",
         "registered"),
        ("The examiner reviews it", cast.examiner, "start_review", "under_review"),
    )  # fmt: skip
    for title, official, action, expected in officials:
        with story.step(title) as step:
            permit.decide(client, official, number, action)
            status = permit.status_of(client, cast.applicant, number)
            step.check(status == expected, f"application {number} is {status}, not {expected}")
            step.note(f"{action}, signed by {official.name}: {status}")

    with story.step("The head decides: signs the permit; it enters the state registry") as step:
        permit_number = permit.sign_permit(client, cast.head, number)
        issued = permit.fetch_permit(client, cast, number, permit_number)
        status = permit.status_of(client, cast.applicant, number)
        step.check(status == "permit_issued", f"application {number} is {status}")
        entry = client.expect(
            client.get(f"/api/v1/registry/{issued.registry_number}"), 200, "the registry entry"
        )
        step.check(entry["status"] == "active", f"the registry entry is {entry['status']}")
        step.note(f"permit {permit_number}, registry entry {issued.registry_number}: active")
        step.look("registry entry", f"{url}/registry/{issued.registry_number}")
        step.look("the permit", f"{url}/cabinet/documents/{permit_number}")
        step.look("check it", f"{url}/check?number={permit_number}")
    return issued


def _platform(story: Story, stage: Stage, issued: IssuedPermit) -> Platform:
    title = f"The operator prepares a {NODES}-node platform and its genesis from the permit"
    with story.step(title) as step:
        platform = prepare_platform(
            stage.root / "platform",
            stage.cast.trust_dir,
            issued,
            stage.server,
            stage.cast.applicant,
        )
        step.note(f"kepil platform init --permit {issued.permit_number}: {platform.directory}")
        step.note(
            "node.toml configures each node to trust the TEST PKI root and the Ministry's BIN; "
            "the genesis brings no trust of its own"
        )

    with story.step(f"Start the {NODES} nodes, each a process of its own") as step:
        start_nodes(platform, stage.children)
        # Each node serves the explorer pages for its own replica; its JSON is there too.
        for node in platform.nodes:
            step.look(node["name"], f"{node['api']}/explorer")
        step.look("node-1's status (JSON)", f"{platform.urls[0]}/api/v1/ledger/node")

    with story.step("The genesis commits: the nodes accept the head's permit") as step:
        genesis = start_chain(platform)
        step.note(f"chain {CHAIN_ID}: genesis {genesis[:16]}… committed ok")
        step.look("the genesis", f"{platform.urls[0]}/explorer/tx/{genesis}")
        step.look("the genesis (JSON)", f"{platform.urls[0]}/api/v1/ledger/transactions/{genesis}")
    return platform


def _assets(story: Story, platform: Platform) -> None:
    with story.step("The operator onboards an issuer and two holders") as step:
        for line in assets.onboard(platform):
            step.note(line)

    with story.step(f"The issuer defines wheat and issues {ISSUED} kg to Alice") as step:
        assets.define_and_issue(platform, ISSUED)
        held = assets.holding(platform, assets.ALICE)
        step.check(held.free == ISSUED, f"Alice holds {held}, not {ISSUED} free")
        step.look("Alice's account", f"{platform.urls[1]}/explorer/accounts/{assets.ALICE}")
        step.look(
            "Alice's holdings (JSON)", f"{platform.urls[1]}/api/v1/ledger/holdings/{assets.ALICE}"
        )

    with story.step(f"Alice transfers {MOVED} kg to Bob") as step:
        assets.transfer(platform, MOVED)
        alice, bob = (assets.holding(platform, who) for who in (assets.ALICE, assets.BOB))
        moved = (alice.free, bob.free) == (ISSUED - MOVED, MOVED)
        step.check(moved, f"Alice holds {alice}, Bob {bob}")

    with story.step(f"Alice pledges {PLEDGED} kg to Bob; Bob releases the pledge") as step:
        pledge = assets.pledge(platform, PLEDGED)
        held = assets.holding(platform, assets.ALICE)
        # A pledge locks units Alice already holds: they leave her free balance, nothing is
        # added or lost (a pledged count alone would pass a pledge that minted units).
        locked = Holding(ISSUED - MOVED - PLEDGED, PLEDGED, 0)
        step.check(held == locked, f"after the pledge Alice holds {held}, not {locked}")
        assets.release(platform, pledge)
        held = assets.holding(platform, assets.ALICE)
        unlocked = Holding(ISSUED - MOVED, 0, 0)
        step.check(held == unlocked, f"after the release Alice holds {held}, not {unlocked}")
        step.note(f"pledge {pledge[:16]}… made and released")

    with story.step(f"Bob redeems {REDEEMED} kg with the issuer") as step:
        assets.redeem(platform, REDEEMED)
        bob = assets.holding(platform, assets.BOB)
        step.check(bob == Holding(MOVED - REDEEMED, 0, 0), f"Bob holds {bob}")
        alice = assets.holding(platform, assets.ALICE)
        step.check(alice == unlocked, f"after Bob's redeem Alice holds {alice}, not {unlocked}")
        step.look("Bob's account and history", f"{platform.urls[2]}/explorer/accounts/{assets.BOB}")


def _registry_obeyed(story: Story, stage: Stage, issued: IssuedPermit, platform: Platform) -> None:
    cast, client = stage.cast, stage.client
    with story.step("The operator registers the platform's nodes for the permit") as step:
        registered = suspension.register_platform(client, cast, issued, platform)
        step.note(f"the relay inside kepil serve will deliver the permit's changes to {registered}")

    signed_at = None
    for action, want, title in (
        ("suspend", suspension.SUSPENDED,
         "The Ministry suspends the permit in the registry; the platform refuses to issue"),
        ("reinstate", "ok", "The Ministry reinstates it; the platform issues again"),
    ):  # fmt: skip
        with story.step(title) as step:
            status, signed_at = suspension.change_status(client, cast, issued, action, signed_at)
            expected = "suspended" if action == "suspend" else "active"
            step.check(status == expected, f"the registry entry is {status}, not {expected}")
            began = time.monotonic()
            obeyed = suspension.wait_for_issue(platform, want, began)
            step.note(
                f"registry: {status}; {obeyed.seconds:.1f} s after the registry's answer, with "
                f"no human step, an issue ends {obeyed.code!r} on all {len(obeyed.codes)} nodes"
            )
            step.check(
                set(obeyed.codes) == {want}, f"the nodes disagree on the issue: {obeyed.codes}"
            )
            step.note(suspension.delivered(client, cast, issued, action))
