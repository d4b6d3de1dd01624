"""The explorer's words for the ledger's vocabulary; codes without a word are shown as codes."""

from __future__ import annotations

from typing import Final

from kepil.entrypoints.web.i18n import N_

PERMIT_STATUSES: Final = {
    "active": N_("In force"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
}
PARTICIPANT_STATUSES: Final = {
    "active": N_("Access granted"),
    "suspended": N_("Access suspended"),
    "revoked": N_("Access revoked"),
}
ROLES: Final = {
    "issuer": N_("Issuer"),
    "holder": N_("Holder of units"),
    "pledgee": N_("Pledgee"),
    "payment_agent": N_("Payment agent"),
    "auditor": N_("Auditor"),
}
ASSET_KINDS: Final = {
    "goods": N_("Goods"),
    "service": N_("Services"),
    "intellectual_property": N_("Intellectual property"),
}
RIGHTS: Final = {
    "goods_ownership": N_("Ownership of goods"),
    "goods_delivery": N_("A claim to the delivery of goods"),
    "service_claim": N_("A claim to a service"),
    "ip_licence": N_("A licence to intellectual property"),
    "ip_exclusive_right": N_("An exclusive right to intellectual property"),
}
TX_STATES: Final = {
    "pending": N_("Waiting for a block"),
    "committed": N_("In a block"),
    "rejected": N_("Not taken into a block"),
    "unknown": N_("Not known to this node"),
}


def word(words: dict[str, str], code: str) -> str:
    """The message for `code`, or the code itself when the vocabulary grew a new one."""
    return words.get(code, code)
