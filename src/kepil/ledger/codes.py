"""Reason codes: why a transaction was refused, stable strings recorded in blocks."""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    """Why a transaction was refused; the value is what blocks and APIs carry, never renamed."""

    # Envelope and static checks: shape, chain, window, signatures.
    MALFORMED = "malformed"
    TX_TOO_LARGE = "tx_too_large"
    UNKNOWN_TYPE = "unknown_type"
    WRONG_CHAIN = "wrong_chain"
    BAD_IDENTIFIER = "bad_identifier"
    BAD_AMOUNT = "bad_amount"
    BAD_WINDOW = "bad_window"
    BAD_SIGNATURE = "bad_signature"
    MISSING_SIGNATURE = "missing_signature"
    UNEXPECTED_SIGNER = "unexpected_signer"
    SELF_DEALING = "self_dealing"
    LEGAL_BASIS_MISSING = "legal_basis_missing"

    # Envelope against state: time window, signer keys, replay.
    NOT_INITIALISED = "not_initialised"
    ALREADY_INITIALISED = "already_initialised"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    STALE_NONCE = "stale_nonce"
    UNKNOWN_SIGNER = "unknown_signer"
    SIGNER_KEY_MISMATCH = "signer_key_mismatch"
    SIGNER_INACTIVE = "signer_inactive"

    # The operator's permit (the bridge to the permit service).
    PERMIT_REFUSED = "permit_refused"
    PERMIT_HOLDER_MISMATCH = "permit_holder_mismatch"
    PERMIT_NOT_YET_VALID = "permit_not_yet_valid"
    PERMIT_EXPIRED = "permit_expired"
    PERMIT_SUSPENDED = "permit_suspended"
    PERMIT_REVOKED = "permit_revoked"
    BAD_PERMIT_TRANSITION = "bad_permit_transition"
    PERMIT_SIGNER_UNTRUSTED = "permit_signer_untrusted"  # no valid chain to the node's anchors
    PERMIT_SIGNER_NOT_MINISTRY = "permit_signer_not_ministry"  # another BIN than the Ministry's
    PERMIT_SIGNER_NOT_HEAD = "permit_signer_not_head"  # no NCA head or signer role
    PERMIT_CHANGE_FOR_ANOTHER_PERMIT = "permit_change_for_another_permit"
    PERMIT_CHANGE_REPLAYED = "permit_change_replayed"  # signed no later than the last applied

    # Participants and roles.
    PARTICIPANT_EXISTS = "participant_exists"
    UNKNOWN_PARTICIPANT = "unknown_participant"
    PARTICIPANT_INACTIVE = "participant_inactive"
    BAD_PARTICIPANT_TRANSITION = "bad_participant_transition"
    OPERATOR_PROTECTED = "operator_protected"
    MISSING_ROLE = "missing_role"
    SAME_KEY = "same_key"
    RECIPIENT_CANNOT_HOLD = "recipient_cannot_hold"

    # Asset classes, issue and supply.
    NO_AGREEMENT = "no_agreement"
    ASSET_EXISTS = "asset_exists"
    UNKNOWN_ASSET = "unknown_asset"
    NOT_ASSET_ISSUER = "not_asset_issuer"
    PROHIBITED_MONEY = "prohibited_money"
    PROHIBITED_SECURITY = "prohibited_security"
    PROHIBITED_PROFIT_SHARE = "prohibited_profit_share"
    PROHIBITED_MANAGEMENT_RIGHT = "prohibited_management_right"
    RIGHT_KIND_MISMATCH = "right_kind_mismatch"
    BACKING_MISSING = "backing_missing"
    CAP_EXCEEDED = "cap_exceeded"
    SUPPLY_OVERFLOW = "supply_overflow"

    # Holdings.
    INSUFFICIENT_UNITS = "insufficient_units"
    ACCOUNT_FROZEN = "account_frozen"
    NOT_FROZEN = "not_frozen"
    ALREADY_FROZEN = "already_frozen"

    # Pledges.
    UNKNOWN_ENCUMBRANCE = "unknown_encumbrance"
    NOT_PLEDGEE = "not_pledgee"
    PLEDGE_EXPIRED = "pledge_expired"
    PLEDGE_NOT_EXPIRED = "pledge_not_expired"

    # Escrow against an off-ledger payment.
    UNKNOWN_ESCROW = "unknown_escrow"
    NOT_ESCROW_AGENT = "not_escrow_agent"
    PAYMENT_REF_MISMATCH = "payment_ref_mismatch"
    DEADLINE_PASSED = "deadline_passed"
    DEADLINE_NOT_REACHED = "deadline_not_reached"
    DEADLINE_IN_PAST = "deadline_in_past"

    # Signature rules (sigrules.py): the operator's schedule of a switch.
    WRONG_RULES_VERSION = "wrong_rules_version"  # not exactly the version in force + 1
    RULES_NOTICE_TOO_SHORT = "rules_notice_too_short"  # activation too close to the block
    RULES_SWITCH_PENDING = "rules_switch_pending"  # another switch is scheduled, not yet active


class Refusal(Exception):  # noqa: N818 - a refusal is an outcome, not an error of the ledger
    """Raised by a validation stage: the transaction is refused with `code`."""

    def __init__(self, code: ReasonCode, detail: str = "") -> None:
        """Keep the stable code beside a human detail that never enters a block."""
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail


def refuse_unless(condition: bool, code: ReasonCode, detail: str = "") -> None:
    """Raise Refusal(code) when `condition` is false."""
    if not condition:
        raise Refusal(code, detail)
