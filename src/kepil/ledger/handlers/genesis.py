"""Genesis: the platform, its operator, the operator's permit from the Ministry, the nodes.

The permit is trusted only as the node's PermitVerifier judges it (the NCA anchors and the
Ministry's BIN each node is configured with). Older genesis files also named a "Ministry
certificate" and an Ed25519 "Ministry key": both fields are still read, so those files parse,
and kept in the chain record as they were, but neither is trusted for anything.

A genesis may name the signature rules its chain starts under (sigrules.py): a new chain has no
old blocks to keep verifying as they were, so it need not start under version 1 and switch.
Omitted, it is version 1, and such a genesis is written byte for byte as before the field was.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal, refuse_unless
from kepil.ledger.fields import Fields, malformed
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.rules import require_signers
from kepil.ledger.permits import PermitVerifier, require_permit_valid, verified_facts
from kepil.ledger.records import ChainMeta, NodeKey, Participant, Permit, Record, SignatureRules
from kepil.ledger.sigrules import GENESIS_RULES, LATEST_RULES
from kepil.ledger.statekeys import CHAIN_KEY, PERMIT_KEY, SIGNATURE_RULES_KEY, participant_key
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import ParticipantStatus, PermitStatus, Role

MAX_NODES = 64
MAX_DOCUMENT_BYTES = 64 * 1024


def read_roles(reader: Fields, key: str = "roles") -> tuple[Role, ...]:
    """A list of distinct roles, returned sorted so one set of roles has one form."""
    items = reader.array(key, len(Role))
    roles: list[Role] = []
    for item in items:
        if not isinstance(item, str) or item not in Role.__members__.values():
            raise malformed(f"{reader.path(key)} has an unknown role {item!r}")
        roles.append(Role(item))
    if len(set(roles)) != len(roles):
        raise malformed(f"{reader.path(key)} lists a role twice")
    return tuple(sorted(roles))


@dataclass(frozen=True, slots=True)
class OperatorEntry(Record):
    """The operator as genesis admits it."""

    id: str
    name: str
    key: str
    roles: tuple[Role, ...]


@dataclass(frozen=True, slots=True)
class Genesis(Payload):
    """The first transaction: everything the chain trusts from the start."""

    TYPE: ClassVar[str] = "genesis"
    platform: str
    operator: OperatorEntry
    permit: str  # base64 of the permit document signed by the Ministry
    nodes: tuple[NodeKey, ...]
    # Legacy, ignored for trust (see the module's docstring); "" when the genesis omits them.
    ministry_key: str = ""
    ministry_certificate: str = ""
    signature_rules: int = GENESIS_RULES  # from height 1; the genesis block itself is under 1

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Rebuild from to_json(), which leaves signature_rules out when it is version 1."""
        return super(Genesis, cls).from_json({"signature_rules": GENESIS_RULES, **data})

    def to_json(self) -> dict[str, Any]:
        """The payload as JSON, without signature_rules when it is version 1 (see the module)."""
        data = super(Genesis, self).to_json()
        if self.signature_rules == GENESIS_RULES:
            del data["signature_rules"]
        return data

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a genesis payload strictly."""
        reader = Fields(data)
        operator = reader.nested("operator")
        entry = OperatorEntry(
            operator.identifier("id"),
            operator.text("name"),
            operator.hex64("key"),
            read_roles(operator),
        )
        operator.done()
        nodes = []
        for index, item in enumerate(reader.array("nodes", MAX_NODES, min_items=1)):
            node = Fields(item, f"{reader.path('nodes')}[{index}]")
            nodes.append(NodeKey(node.text("name", 100), node.hex64("key")))
            node.done()
        reader.base64("permit", MAX_DOCUMENT_BYTES)
        ministry_key = ministry_certificate = ""
        if data.get("ministry_key") not in (None, ""):
            ministry_key = reader.hex64("ministry_key")
        if data.get("ministry_certificate") not in (None, ""):
            reader.base64("ministry_certificate", MAX_DOCUMENT_BYTES)
            ministry_certificate = str(data["ministry_certificate"])
        rules = GENESIS_RULES
        if "signature_rules" in data:  # a version this node knows
            rules = reader.integer("signature_rules", GENESIS_RULES, LATEST_RULES)
        payload = cls(
            reader.text("platform"),
            entry,
            str(data["permit"]),
            tuple(nodes),
            ministry_key,
            ministry_certificate,
            rules,
        )
        for legacy in ("ministry_key", "ministry_certificate"):
            if legacy in data:  # an empty or null value is as good as none
                reader.raw(legacy)
        reader.done()
        return payload


class GenesisHandler(TxHandler[Genesis]):
    """Creates the chain; valid only on an empty state, with a permit in force."""

    payload_type = Genesis
    needs_chain = False

    def __init__(self, verifier: PermitVerifier) -> None:
        """Check permits with `verifier`."""
        self._verifier = verifier

    def check_static(self, payload: Genesis) -> None:
        """Node names and keys are distinct."""
        names = [n.name for n in payload.nodes]
        keys = [n.key for n in payload.nodes]
        if len(set(names)) != len(names) or len(set(keys)) != len(keys):
            raise malformed("node names and keys must be distinct")

    def signer_key(self, signer: str, payload: Genesis, view: LedgerView) -> str:
        """The operator signs genesis with the key genesis declares for it."""
        refuse_unless(signer == payload.operator.id, ReasonCode.UNEXPECTED_SIGNER, signer)
        return payload.operator.key

    def authorise(self, payload: Genesis, signers: frozenset[str], view: LedgerView) -> None:
        """The operator alone signs."""
        require_signers(signers, (payload.operator.id,))

    def dynamic_validate(self, payload: Genesis, ctx: TxContext, view: LedgerView) -> None:
        """The state is empty and the permit is genuine, the operator's, and in force now."""
        if view.chain() is not None:
            raise Refusal(ReasonCode.ALREADY_INITIALISED)
        require_permit_valid(self._permit(payload, ctx), ctx.timestamp)

    def apply(self, payload: Genesis, ctx: TxContext, view: LedgerView) -> None:
        """Record the chain, the permit and the operator."""
        operator = payload.operator
        meta = ChainMeta(
            ctx.chain_id,
            payload.platform,
            operator.id,
            payload.ministry_key,
            payload.ministry_certificate,
            payload.nodes,
            ctx.timestamp,
        )
        view.put(CHAIN_KEY, meta)
        view.put(PERMIT_KEY, self._permit(payload, ctx))
        admitted = Participant(
            operator.id,
            operator.name,
            operator.key,
            operator.roles,
            ParticipantStatus.ACTIVE,
            ctx.timestamp,
        )
        view.put(participant_key(operator.id), admitted)
        if payload.signature_rules != GENESIS_RULES:
            rules = SignatureRules(payload.signature_rules, ctx.height + 1, ctx.height)
            view.put(SIGNATURE_RULES_KEY, rules)

    def _permit(self, payload: Genesis, ctx: TxContext) -> Permit:
        facts = verified_facts(
            self._verifier, base64.b64decode(payload.permit), payload.operator.id
        )
        return Permit(
            facts.number,
            facts.holder,
            facts.valid_from,
            facts.valid_until,
            PermitStatus.ACTIVE,
            "genesis",
            ctx.timestamp,
        )
