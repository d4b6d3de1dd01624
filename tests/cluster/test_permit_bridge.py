"""Five nodes obey the Ministry's signed registry changes: a suspension stops issue on every
node, a reinstatement resumes it; the genesis permit is judged under node.toml's anchors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bench.workload import ASSET, PERMIT_NUMBER, ministry_ca, ministry_head
from kepil.adapters.ledger_permit import permit_change_tx
from kepil.domain.canonical import canonical_bytes
from kepil.ledger import SignedTx
from kepil.ledger.handlers.issuers import Issue
from kepil.signing.cms_sign import sign_cms

from .network import CHAIN_ID, LocalNetwork

CHANGE_DEADLINE = 10.0  # issue 21: the platform obeys within 10 s


def test_a_signed_suspension_stops_issue_on_every_node_and_a_reinstatement_resumes_it(
    network: LocalNetwork,
) -> None:
    chain = network.bootstrap(holders=5)  # its genesis permit chains to node.toml's anchors
    work = chain.workload
    head = ministry_head(ministry_ca(network.directory), work.now)
    signed_at = datetime.now(UTC).replace(microsecond=0)

    def relayed(action: str, at: datetime) -> SignedTx:
        document = canonical_bytes(
            {
                "document_type": "permit_status_change",
                "registry_number": "REG-2026-000001",
                "permit_number": PERMIT_NUMBER,
                "action": action,
                "reason": "Rules §11: a TEST reason",
            }
        )
        cms = sign_cms(document, [head], signing_time=at, detached=True)
        return permit_change_tx(CHAIN_ID, cms, document, int(time.time()) - 5)

    def everywhere(tx: SignedTx, index: int) -> set[str]:
        assert "tx_id" in network.client(index).submit_batch([tx])[0]
        found = network.wait_committed(
            [tx.tx_id], indexes=range(network.size), deadline=CHANGE_DEADLINE
        )
        return {str(found[i][tx.tx_id]["code"]) for i in range(network.size)}

    def issue() -> SignedTx:
        return work.tx(Issue(ASSET, work.holders[0], 1), work.issuer)

    assert everywhere(relayed("suspend", signed_at), 1) == {"ok"}
    assert everywhere(issue(), 2) == {"permit_suspended"}
    assert everywhere(relayed("reinstate", signed_at + timedelta(seconds=2)), 3) == {"ok"}
    assert everywhere(issue(), 4) == {"ok"}
