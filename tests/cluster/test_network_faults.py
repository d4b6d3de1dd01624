"""A network of five node processes on loopback under faults: kill -9, a node left behind,
a double spend raced at two nodes, receipts checked against genesis' node keys.

"Acknowledged" is what a client may rely on: a node's API reported the transaction committed
with code "ok". No fault may lose one, and every node must end with one chain and state root.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from bench.workload import ASSET, UNITS_EACH
from kepil.adapters.node_client import NodeClient
from kepil.ledger import SignedTx
from kepil.ledger.checkpoint import Checkpoint, checkpoint_valid
from kepil.ledger.records import NodeKey

from .network import Bootstrapped, Load, LocalNetwork

# Seconds from killing the leader and a follower to a fresh commit at each survivor: the test
# asserts that commits resume by themselves, not how fast (the time is printed; an election
# takes ~3.3 s here). 5 s failed once at 5.7 s in a full CI run on the shared 2 cores.
RECOVERY_BOUND = 10.0


def _chains_hold(
    network: LocalNetwork, acknowledged: dict[str, Any]
) -> dict[int, dict[str, tuple[int, int, str]]]:
    """Every node's chain; each acknowledged tx in every one, ok, at one height and index."""
    chains = {i: network.chain_results(i) for i in range(network.size)}
    for index, chain in chains.items():
        lost = [tx for tx in acknowledged if tx not in chain]
        assert not lost, f"node {index} lost {len(lost)} acknowledged txs, e.g. {lost[:3]}"
        bad = {tx: chain[tx] for tx in acknowledged if chain[tx][2] != "ok"}
        assert not bad, f"node {index} has acknowledged txs not ok: {list(bad.items())[:3]}"
    first = chains[0]
    for index, chain in chains.items():
        assert chain == first, f"node {index}'s chain differs from node 0's"
    return chains


def _one_root(network: LocalNetwork) -> str:
    network.wait_heights_equal(deadline=90.0, indexes=range(network.size))
    views = network.statuses(range(network.size))
    roots = {i: v["state_root"] for i, v in views.items()}
    assert len(set(roots.values())) == 1, f"state roots differ: {roots}"
    for index, view in views.items():  # and no node saw another sign a different block or root
        assert view["diverged"] is None, f"node {index} diverged: {view['diverged']}"
        assert view["divergent_peers"] == {}, f"node {index}: {view['divergent_peers']}"
    return str(next(iter(roots.values())))


def _transfers(chain: Bootstrapped, senders: list[str], count: int) -> list[SignedTx]:
    """`count` transfers of one unit around the ring of `senders`."""
    n = len(senders)
    return [chain.transfer(senders[i % n], senders[(i + 1) % n], 1) for i in range(count)]


def test_a_network_of_five_commits_transactions_submitted_at_any_node_with_one_state_root(
    network: LocalNetwork,
) -> None:
    chain = network.bootstrap(holders=200)
    holders = chain.workload.holders
    group = len(holders) // network.size
    sent: list[SignedTx] = []
    for index in range(network.size):  # each node its own senders, so nonces stay in order
        txs = _transfers(chain, holders[index * group : (index + 1) * group], 400)
        results = network.client(index).submit_batch(txs)
        assert all("tx_id" in r for r in results), [r for r in results if "tx_id" not in r][:3]
        sent.extend(txs)
    network.wait_committed([tx.tx_id for tx in sent[399::400]], deadline=60.0)
    _chains_hold(network, {tx.tx_id: None for tx in sent})
    _one_root(network)


def test_killing_the_leader_and_a_follower_under_load_loses_no_acknowledged_transaction(
    network: LocalNetwork,
) -> None:
    chain = network.bootstrap(holders=300)
    probes = chain.workload.holders[-6:]  # the load never touches these
    with Load(network, chain, threads=3, senders=chain.workload.holders[:-6]) as load:
        load.wait_count(300, deadline=60.0)
        leader = network.leader_index()
        follower = (leader + 1) % network.size
        survivors = [i for i in range(network.size) if i not in (leader, follower)]
        killed_at = time.monotonic()
        network.kill9(leader, follower)
        recovered = _fresh_commits(network, chain, survivors, probes[:3], killed_at)
        print(f"recovery after killing leader+follower: {recovered}")
        for index, seconds in recovered.items():
            assert seconds <= RECOVERY_BOUND, f"node {index} committed {seconds:.1f} s after"
        load.wait_count(load.count() + 200, deadline=60.0)
        network.restart(leader, follower)
        restarted_at = time.monotonic()
        network.wait_for(
            lambda: load.acknowledged_after(restarted_at) >= 300 or bool(load.unexpected),
            lambda: "300 acknowledgements after the restart",
            60.0,
        )
    assert not load.unexpected, load.unexpected[:5]
    print(f"load: {load.summary()}")
    network.wait_heights_equal(deadline=90.0, indexes=range(network.size))
    _chains_hold(network, load.acknowledged)
    _one_root(network)


def _fresh_commits(
    network: LocalNetwork,
    chain: Bootstrapped,
    survivors: list[int],
    senders: list[str],
    since: float,
) -> dict[int, float]:
    """A fresh transfer submitted to each survivor at once; seconds from `since` to its commit
    (code ok) there."""
    outcome: dict[int, float] = {}
    failures: list[str] = []

    def probe(index: int, sender: str) -> None:
        recipient = next(s for s in senders if s != sender)
        tx = chain.transfer(sender, recipient, 1)
        client = network.client(index, 40.0)
        try:
            results = client.submit_batch([tx])
            if "tx_id" not in results[0]:
                failures.append(f"node {index} refused a fresh tx: {results[0]}")
                return
            deadline = since + 30.0
            status: dict[str, Any] = {}
            while time.monotonic() < deadline:
                status = client.status(tx.tx_id, wait=2.0)
                if status["state"] == "committed":
                    outcome[index] = time.monotonic() - since
                    if status["code"] != "ok":
                        failures.append(f"node {index}: fresh tx committed as {status}")
                    return
            failures.append(f"node {index}: fresh tx not committed within 30 s: {status}")
        except Exception as error:
            failures.append(f"node {index}: {error!r}")

    threads = [
        threading.Thread(target=probe, args=(index, sender))
        for index, sender in zip(survivors, senders, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60.0)
    assert not failures, failures
    return outcome


def test_the_whole_network_killed_at_once_restarts_with_every_acknowledged_transaction(
    network: LocalNetwork,
) -> None:
    chain = network.bootstrap(holders=300)
    with Load(network, chain, threads=3) as load:
        load.wait_count(500, deadline=60.0)
        network.kill9(*range(network.size))
        before = dict(load.acknowledged)
        network.restart(*range(network.size))
        restarted_at = time.monotonic()
        network.leader_index()
        network.wait_for(
            lambda: load.acknowledged_after(restarted_at) >= 200 or bool(load.unexpected),
            lambda: "200 acknowledgements after the restart",
            60.0,
        )
    assert not load.unexpected, load.unexpected[:5]
    print(f"{len(before)} acknowledged before the kill; load: {load.summary()}")
    network.wait_heights_equal(deadline=90.0, indexes=range(network.size))
    _chains_hold(network, load.acknowledged)
    _one_root(network)


# The issue asks for 50,000 transfers while the node is down. Measured on this two-core machine
# (four nodes each verify and apply every transfer): 50,000 commit in 58 s when the machine is
# otherwise idle and in 179-186 s while other benchmarks share its cores, so the test takes
# 2.5-4.6 minutes. 10,000 commit in 11-38 s and the test stays under two minutes either way, so
# that is the default; KEPIL_CATCHUP_TXS=50000 runs the figure. The restarted node
# catches up from a snapshot in 2-7 s (6 s after 50,000); replaying an uncompacted log of
# 50,000 took it 34-50 s.
CATCHUP_TXS = int(os.environ.get("KEPIL_CATCHUP_TXS", "10000"))
COMPACTION_ENTRIES = 500  # RaftSettings.compaction_entries: the log is cut past this length
MAX_COMPACTION_TURNS = 600  # each turn ~2 log entries (its batch, some nodes' checkpoints)


def test_a_node_down_during_many_transactions_catches_up(network: LocalNetwork) -> None:
    chain = network.bootstrap(holders=1000)
    leader = network.leader_index()
    down = (leader + 1) % network.size
    network.kill9(down)
    live = [i for i in range(network.size) if i != down]
    stopped_at = _commit_index(network, leader)
    holders = chain.workload.holders
    group = len(holders) // len(live)
    groups = {index: holders[slot * group : (slot + 1) * group] for slot, index in enumerate(live)}
    began = time.monotonic()
    last: list[str] = []
    pushed: dict[str, None] = {}
    for index in live:  # each live node its own senders: nonces stay in order
        txs = _transfers(chain, groups[index], CATCHUP_TXS // len(live))
        for start in range(0, len(txs), 2000):
            results = network.client(index, 120.0).submit_batch(txs[start : start + 2000])
            refused = [r for r in results if "tx_id" not in r]
            assert not refused, f"node {index} refused {len(refused)}: {refused[:3]}"
        last.append(txs[-1].tx_id)
        pushed.update((tx.tx_id, None) for tx in txs)
    signed_and_sent = time.monotonic() - began
    statuses = network.wait_committed(last, indexes=live, deadline=300.0)
    assert all(s["code"] == "ok" for node in statuses.values() for s in node.values()), statuses
    committed = time.monotonic() - began
    # Then one transfer per block, each a log entry (and its checkpoints more), until the log
    # has grown past the engine's compaction threshold since the node went down, so the nodes
    # snapshot their state and the one that was down is sent a snapshot, then the entries after.
    turn = 0
    while _commit_index(network, live[0]) - stopped_at <= COMPACTION_ENTRIES + 20:
        assert turn < MAX_COMPACTION_TURNS, "the log did not grow past the compaction threshold"
        index = live[turn % len(live)]
        turn += 1
        tx = _transfers(chain, groups[index], 1)[0]
        client = network.client(index, 60.0)
        assert "tx_id" in client.submit_batch([tx])[0]
        status = client.status(tx.tx_id, wait=30.0)
        assert status["state"] == "committed", status
        assert status["code"] == "ok", status
        pushed[tx.tx_id] = None
    height = network.wait_heights_equal(deadline=60.0, indexes=live)
    restarted_at = time.monotonic()
    network.restart(down)
    caught_up = network.wait_for(
        lambda: network.height(down) == height,
        lambda: f"node {down} to reach height {height}",
        240.0,
    )
    log = network.configs[down].path.with_suffix(".log").read_text(encoding="utf-8")
    print(
        f"{CATCHUP_TXS} txs: sent in {signed_and_sent:.1f} s, committed on 4 nodes in "
        f"{committed:.1f} s; node {down} caught up {time.monotonic() - restarted_at:.1f} s "
        f"after its restart ({caught_up:.1f} s after its API answered), "
        f"{'through a snapshot' if 'snapshot installed' in log else 'replaying the log'}"
    )
    assert network.wait_heights_equal(deadline=60.0, indexes=range(network.size)) == height
    _chains_hold(network, pushed)  # every pushed transfer ok on every node, one chain
    _one_root(network)


def test_the_same_units_spent_at_two_nodes_at_once_succeeds_exactly_once_everywhere(
    network: LocalNetwork,
) -> None:
    chain = network.bootstrap(holders=30)
    holders = chain.workload.holders
    for round_, spender in enumerate(holders[:6]):  # which wins varies; both ways are checked
        first, second = holders[10 + round_], holders[20 + round_]
        more_than_half = UNITS_EACH // 2 + 1
        a = chain.transfer(spender, first, more_than_half)  # nonce n+1
        b = chain.transfer(spender, second, more_than_half)  # nonce n+2
        pair = [(round_ % network.size, a), ((round_ + 2) % network.size, b)]
        if round_ % 2:
            pair.reverse()  # the higher nonce goes first on odd rounds
        admitted = _submit_at_once(network, pair)
        network.wait_heights_equal(deadline=60.0, indexes=range(network.size))
        outcomes = {
            tx.tx_id: {i: network.client(i).status(tx.tx_id) for i in range(network.size)}
            for tx in (a, b)
        }
        winners = [
            tx
            for tx in (a, b)
            if all(
                s["state"] == "committed" and s["code"] == "ok" for s in outcomes[tx.tx_id].values()
            )
        ]
        assert len(winners) == 1, f"round {round_}: {outcomes}"
        loser = b if winners[0] is a else a
        seen = outcomes[loser.tx_id]
        if admitted[loser.tx_id] is None:  # admitted, so it is in the log: refused in a block
            codes = {(s["state"], s["code"], s["height"], s["index"]) for s in seen.values()}
            assert len(codes) == 1, f"round {round_}: the loser differs between nodes: {seen}"
            state, code, _, _ = codes.pop()
            assert state == "committed", seen
            assert code in {"insufficient_units", "stale_nonce"}, seen
        else:  # refused at admission: the winner had already used a later nonce
            assert admitted[loser.tx_id] == "stale_nonce", admitted
            assert all(s["state"] == "unknown" for s in seen.values()), seen
        recipient = first if winners[0] is a else second
        for index in range(network.size):  # the units moved once, and only to the winner's
            client = network.client(index)
            assert _free(client, spender) == UNITS_EACH - more_than_half, index
            assert _free(client, recipient) == UNITS_EACH + more_than_half, index
            assert _free(client, second if recipient == first else first) == UNITS_EACH, index
        how = "refused at admission" if admitted[loser.tx_id] else seen[0]["code"]
        print(f"round {round_}: nonce n+{1 if winners[0] is a else 2} won; the other: {how}")
    _one_root(network)


def _free(client: NodeClient, holder: str) -> int:
    holdings = client.holdings(holder)["holdings"]
    return sum(h["free"] for h in holdings if h["asset"] == ASSET)


def _submit_at_once(
    network: LocalNetwork, pairs: list[tuple[int, SignedTx]]
) -> dict[str, str | None]:
    """Submit each (node, tx) from its own thread, released together; tx id -> refusal code
    (None when admitted)."""
    barrier = threading.Barrier(len(pairs))
    outcome: dict[str, str | None] = {}

    def submit(index: int, tx: SignedTx) -> None:
        client = network.client(index)
        barrier.wait(10.0)
        result = client.submit_batch([tx])[0]
        outcome[tx.tx_id] = None if "tx_id" in result else result["error"]["code"]

    threads = [threading.Thread(target=submit, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30.0)
    assert len(outcome) == len(pairs), outcome
    return outcome


def _commit_index(network: LocalNetwork, index: int) -> int:
    consensus: dict[str, Any] = network.statuses([index])[index]["consensus"]
    return int(consensus["commit_index"])


def test_a_receipt_carries_the_checkpoints_of_a_majority(network: LocalNetwork) -> None:
    chain = network.bootstrap(holders=20)
    genesis_nodes = [NodeKey(name, key) for name, key in network.node_keys()]
    holders = chain.workload.holders
    tx = chain.transfer(holders[0], holders[1], 5)
    assert "tx_id" in network.client(3).submit_batch([tx])[0]
    first = network.client(3).receipt(tx.tx_id, wait=30.0)  # where it was submitted
    assert first.get("confirmed") is True, first
    # Elsewhere a transaction is "unknown" until its entry applies there, and `wait` does not
    # wait for an unknown one: wait for the commit everywhere first.
    network.wait_committed([tx.tx_id], indexes=range(network.size), deadline=30.0)
    for index in range(network.size):
        receipt = network.client(index).receipt(tx.tx_id, wait=30.0)
        assert receipt.get("confirmed") is True, f"node {index}: {receipt}"
        assert receipt["transaction"]["code"] == "ok", receipt
        assert receipt["nodes"] == network.size, receipt
        assert receipt["majority"] == 3, receipt
        checkpoints = [Checkpoint(**c) for c in receipt["checkpoints"]]
        assert len({c.node for c in checkpoints}) >= 3, receipt
        for checkpoint in checkpoints:
            assert checkpoint_valid(checkpoint, genesis_nodes), checkpoint
            stated = (checkpoint.chain_id, checkpoint.height, checkpoint.block_hash)
            assert stated == (receipt["chain_id"], receipt["height"], receipt["block_hash"])
            assert checkpoint.state_root == receipt["state_root"], checkpoint
        block = network.client(index).block(receipt["height"])
        assert block is not None, f"node {index} has no block {receipt['height']}"
        assert block["hash"] == receipt["block_hash"], (block["hash"], receipt)
        assert block["header"]["state_root"] == receipt["state_root"]
