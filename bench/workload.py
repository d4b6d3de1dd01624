"""A workload for a real network, for the cluster tests and `kepil bench ledger --nodes N`.

Every key, certificate and permit here is a TEST FIXTURE: the Ministry head's certificate comes
from a TEST CA made in the network's own directory (`ministry-pki/`, whose trust folder only
that network's nodes are told to trust, through node.toml), and participant keys derive from
fixed seed strings. It lives in bench/, outside the installed package: no product path starts
a chain with a TEST permit.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from kepil.domain.identity import Sex, make_iin
from kepil.ledger import SignedTx, Window, build_tx, key_from_seed, public_key_hex
from kepil.ledger.crypto import SigningKey
from kepil.ledger.handlers.genesis import Genesis, OperatorEntry
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.issuers import DefineAsset, Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.records import Backing, NodeKey
from kepil.ledger.sigrules import LATEST_RULES
from kepil.ledger.vocab import AssetKind, RightCategory, Role
from kepil.signing import dev_ca
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_ca_files import DevCaDirectory

OPERATOR: Final = "150640123452"
MINISTRY_BIN: Final = "120440056787"
MINISTRY_HEAD: Final = "900101300126"
PERMIT_NUMBER: Final = "PRM-TEST-000001"
MINISTRY_PKI: Final = "ministry-pki"  # the TEST Ministry CA inside a network's directory
ASSET: Final = "NET-WHEAT"
UNITS_EACH: Final = 1_000_000


def distinct_iins(count: int) -> list[str]:
    """`count` distinct valid IINs (women born from 1980 on)."""
    found: list[str] = []
    day = date(1980, 1, 1)
    while len(found) < count:
        for serial in range(1, 10000):
            iin = make_iin(day, Sex.FEMALE, serial)
            if iin is not None:
                found.append(iin)
                if len(found) == count:
                    break
        day += timedelta(days=1)
    return found


def fixture_key(name: str) -> SigningKey:
    """TEST FIXTURE: the deterministic key of `name`."""
    return key_from_seed(b"kepil network fixture key: " + name.encode())


def ministry_ca(directory: Path) -> DevCaDirectory:
    """The TEST Ministry CA of the network in `directory`, made on first use."""
    path = directory / MINISTRY_PKI
    if path.exists():
        return DevCaDirectory.open(path)
    return DevCaDirectory.create(path, datetime.now(UTC) - timedelta(days=2))


def ministry_trust(directory: Path) -> tuple[str, str]:
    """What each node.toml names (NetworkLayout's trust_dir, ministry_bin): the TEST CA's trust
    folder, relative to the network's directory, and the Ministry's BIN."""
    trust = ministry_ca(directory).trust_directory.relative_to(directory)
    return str(trust), MINISTRY_BIN


def ministry_head(ca: DevCaDirectory, now: datetime) -> SignerCredential:
    """A TEST Ministry head's signing credential under `ca`, valid from a day before `now`."""
    head = Holder(
        Profile.OFFICIAL, MINISTRY_HEAD, "ТЕСТОВ ТЕСТ ТЕСТОВИЧ", MINISTRY_BIN,
        "Ministry of Digital Development (TEST)", official_is_head=True,
    )  # fmt: skip
    issuing_key, issuing = ca.issuing()
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    certificate = dev_ca.issue(
        issuing_key, issuing, head, key.public_key(), now - timedelta(days=1), 365, None
    )
    return SignerCredential(key, certificate, (issuing,))


def signed_test_permit(operator: str, now: datetime, ca: DevCaDirectory) -> str:
    """A permit for `operator` signed by a TEST Ministry head under `ca`: the CMS, base64."""
    credential = ministry_head(ca, now)
    today = now.date()
    permit = {
        "document_type": "permit",
        "number": PERMIT_NUMBER,
        "recipient": {"iin_or_bin": operator, "name": "Test operator LLP"},
        "valid_from": today.replace(year=today.year - 1).isoformat(),
        "valid_until": today.replace(year=today.year + 2).isoformat(),
    }
    content = json.dumps(permit, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    cms = sign_cms(content.encode(), [credential], signing_time=now)
    return base64.b64encode(cms).decode()


class NetworkWorkload:
    """Signed transactions for chain `chain_id`: genesis listing `nodes`, holders, transfers."""

    def __init__(
        self,
        chain_id: str,
        nodes: Sequence[tuple[str, str]],
        holders: Sequence[str],
        ca: DevCaDirectory,
        rules: int = LATEST_RULES,
    ) -> None:
        """`nodes` are (name, checkpoint key hex); `holders` distinct IINs to fund; `ca` the
        TEST Ministry CA the nodes trust (ministry_ca); `rules` the signature rules of genesis."""
        self.ca = ca
        self.rules = rules
        self.chain_id = chain_id
        self.nodes = tuple(nodes)
        self.holders = list(holders)
        self.issuer = self.holders.pop(0)
        now = datetime.now(UTC)
        self.now = now
        stamp = int(now.timestamp())
        self.window = Window(stamp - 600, stamp + 6 * 3600)
        self.nonces: dict[str, int] = {}

    def tx(self, payload: Any, *signers: str) -> SignedTx:
        """`payload` signed by `signers`, each with its next nonce."""
        nonces = {s: self.nonces.get(s, 0) + 1 for s in signers}
        self.nonces.update(nonces)
        unsigned = build_tx(self.chain_id, payload, nonces, self.window)
        return unsigned.sign({s: fixture_key(s) for s in signers})

    def genesis(self) -> SignedTx:
        """Genesis with the TEST permit, the operator and every node's checkpoint key."""
        permit = signed_test_permit(OPERATOR, self.now, self.ca)
        payload = Genesis(
            platform="kepil test network",
            operator=OperatorEntry(
                OPERATOR, "Test operator LLP", public_key_hex(fixture_key(OPERATOR)), ()
            ),
            permit=permit,
            nodes=tuple(NodeKey(name, key) for name, key in self.nodes),
            signature_rules=self.rules,
        )
        return self.tx(payload, OPERATOR)

    def setup(self) -> list[SignedTx]:
        """After genesis: the issuer, its agreement and asset class, every holder admitted and
        issued UNITS_EACH units."""
        asset = DefineAsset(
            ASSET, self.issuer, "Network wheat", AssetKind.GOODS, RightCategory.GOODS_OWNERSHIP,
            "kg", 3, None, (Backing("ab" * 32, "Warehouse receipt (TEST)"),),
        )  # fmt: skip
        txs = [
            self._admit(self.issuer, (Role.HOLDER, Role.ISSUER)),
            self.tx(IssuerAgreement(self.issuer, "cd" * 32), OPERATOR, self.issuer),
            self.tx(asset, self.issuer),
        ]
        txs.extend(self._admit(holder, (Role.HOLDER,)) for holder in self.holders)
        txs.extend(self.tx(Issue(ASSET, h, UNITS_EACH), self.issuer) for h in self.holders)
        return txs

    def transfer(self, sender: str, recipient: str, amount: int) -> SignedTx:
        """`sender` moves `amount` units to `recipient`."""
        return self.tx(Transfer(ASSET, sender, recipient, amount), sender)

    def transfers(self, count: int, start: int = 0) -> list[SignedTx]:
        """`count` transfers, holder i to holder i+1, round-robin from holder `start`."""
        n = len(self.holders)
        return [
            self.transfer(self.holders[(start + i) % n], self.holders[(start + i + 1) % n], 1)
            for i in range(count)
        ]

    def _admit(self, participant: str, roles: tuple[Role, ...]) -> SignedTx:
        key = public_key_hex(fixture_key(participant))
        return self.tx(Admit(participant, f"Holder {participant}", key, roles), OPERATOR)
