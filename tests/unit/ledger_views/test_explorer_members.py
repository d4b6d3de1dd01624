"""The explorer's overview on a network member lists the members as its consensus sees them."""

from __future__ import annotations

from kepil.services.ledger.consensus import ConsensusStatus
from kepil.services.ledger.explorer import MemberView, members


def status(address: str, leader: str | None, peers: dict[str, bool]) -> ConsensusStatus:
    return ConsensusStatus(
        address=address,
        leader=leader,
        is_leader=leader == address,
        term=3,
        commit_index=10,
        last_applied=10,
        has_quorum=True,
        peers=peers,
    )


def test_every_member_is_listed_with_the_leader_and_who_is_out_of_reach() -> None:
    seen = status(
        "127.0.0.1:9102",
        "127.0.0.1:9101",
        {"127.0.0.1:9103": False, "127.0.0.1:9101": True},
    )
    assert members(seen) == (
        MemberView("127.0.0.1:9101", this_node=False, leader=True, connected=True),
        MemberView("127.0.0.1:9102", this_node=True, leader=False, connected=True),
        MemberView("127.0.0.1:9103", this_node=False, leader=False, connected=False),
    )


def test_a_node_alone_is_its_own_only_member() -> None:
    alone = status("127.0.0.1:9101", "127.0.0.1:9101", {})
    assert members(alone) == (
        MemberView("127.0.0.1:9101", this_node=True, leader=True, connected=True),
    )
