"""The operator schedules a switch of signature rules (sigrules.py) at an agreed height.

Switching the verifier changes which signatures a block accepts, so every node must switch at
the same height: the payload names the next version and the height it takes effect. Nodes
whose software does not know the version (or the type) refuse the schedule and diverge, which
their checkpoints show; so every node's software is upgraded first, then the operator signs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import MAX_AMOUNT, Fields
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.rules import operator_id, require_operator_signed
from kepil.ledger.records import SignatureRules
from kepil.ledger.shapes import Field, Integer, Obj, PayloadShape
from kepil.ledger.sigrules import VERIFIERS, rules_at
from kepil.ledger.statekeys import SIGNATURE_RULES_KEY
from kepil.ledger.view import LedgerView

# The fewest blocks between the schedule and its activation (and the closest a pending switch
# may be and still be moved). Admission and its worker pool verify a batch before its height is
# known, choosing the verifier from the node's head (a follower verifies each block it applies
# under that block's own rules); and every node must have committed the schedule (and the
# checkpoints saying so must agree) before the rules change. A hundred blocks is far more than
# the batches in flight (2 by default) and the blocks a lagging follower catches up on at once,
# and still only seconds to minutes of a busy chain; an operator gives more notice when nodes
# may be down.
MIN_RULES_NOTICE: Final = 100


@dataclass(frozen=True, slots=True)
class ScheduleSignatureRules(Payload):
    """Verify blocks from `height` on under signature rules `version`."""

    TYPE: ClassVar[str] = "signature_rules"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "signature_rules",
        "Schedule the switch to the next version of the signature rules at an agreed height.",
        Obj(
            (
                Field("version", Integer(2, MAX_AMOUNT), "the version in force + 1"),
                Field(
                    "height",
                    Integer(1, MAX_AMOUNT),
                    f"the first block under it; at least {MIN_RULES_NOTICE} after this one",
                ),
            )
        ),
        ("operator",),
    )
    version: int
    height: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a schedule strictly."""
        reader = Fields(data)
        payload = cls(reader.integer("version", 2), reader.integer("height", 1))
        reader.done()
        return payload


class SignatureRulesHandler(TxHandler[ScheduleSignatureRules]):
    """The operator alone schedules the next version, one switch at a time, with notice."""

    payload_type = ScheduleSignatureRules

    def admission_check(
        self, payload: ScheduleSignatureRules, signers: frozenset[str], view: LedgerView
    ) -> None:
        """The operator alone, before the log: while some nodes still run software without
        this type, anyone else's schedule would split them from the upgraded ones."""
        operator = operator_id(view)
        if signers != {operator}:
            # Not missing_signature: no cosignature can make another signer's schedule valid.
            raise Refusal(
                ReasonCode.UNEXPECTED_SIGNER,
                f"only the operator ({operator}) signs a signature_rules transaction",
            )

    def authorise(
        self, payload: ScheduleSignatureRules, signers: frozenset[str], view: LedgerView
    ) -> None:
        """The operator signs."""
        require_operator_signed(signers, view)

    def dynamic_validate(
        self, payload: ScheduleSignatureRules, ctx: TxContext, view: LedgerView
    ) -> None:
        """No switch pending closer than the minimum notice (a farther one is replaced: a
        mistyped height can be corrected); the next version, known here; the minimum notice."""
        switch = view.signature_rules()
        if switch is not None and ctx.height < switch.height < ctx.height + MIN_RULES_NOTICE:
            raise Refusal(
                ReasonCode.RULES_SWITCH_PENDING,
                f"version {switch.version} from height {switch.height}, too close to move",
            )
        current = rules_at(switch, ctx.height)
        if payload.version != current + 1 or payload.version not in VERIFIERS:
            raise Refusal(ReasonCode.WRONG_RULES_VERSION, f"version {current} is in force")
        if payload.height < ctx.height + MIN_RULES_NOTICE:
            raise Refusal(
                ReasonCode.RULES_NOTICE_TOO_SHORT,
                f"height {payload.height}: at least {ctx.height + MIN_RULES_NOTICE}",
            )

    def apply(self, payload: ScheduleSignatureRules, ctx: TxContext, view: LedgerView) -> None:
        """Record the switch (replacing the last one: in force by now, or still far ahead)."""
        view.put(SIGNATURE_RULES_KEY, SignatureRules(payload.version, payload.height, ctx.height))
