"""The ledger's vocabulary: roles, statuses, asset kinds and the rights an asset may certify.

A secured digital asset certifies rights to goods, services or intellectual property and never
money or securities (Order 130/НҚ §2.1), nor financial instruments, profit shares or management
rights in a legal entity (Order 407 §6). An asset class declares its `right` category; the
forbidden categories are named here too, so a refusal says exactly which prohibition applies.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from kepil.ledger.codes import ReasonCode


class Role(StrEnum):
    """What a participant may do on the platform."""

    ISSUER = "issuer"
    HOLDER = "holder"
    PLEDGEE = "pledgee"
    PAYMENT_AGENT = "payment_agent"
    AUDITOR = "auditor"


# Roles that may receive and hold units (a payment agent or an auditor alone may not).
HOLDING_ROLES: Final = frozenset({Role.ISSUER, Role.HOLDER, Role.PLEDGEE})


class ParticipantStatus(StrEnum):
    """Where a participant's access stands; revoked is final."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class PermitStatus(StrEnum):
    """The operator's permit as the Ministry last declared it; revoked is final."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class PermitAction(StrEnum):
    """A status change of the permit signed by the Ministry."""

    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    REVOKE = "revoke"
    RENEW = "renew"


class AssetKind(StrEnum):
    """What backs an asset class (Order 130/НҚ §2.1)."""

    GOODS = "goods"
    SERVICE = "service"
    INTELLECTUAL_PROPERTY = "intellectual_property"


class RightCategory(StrEnum):
    """The right an asset class certifies; the last six are declared only to be refused."""

    GOODS_OWNERSHIP = "goods_ownership"
    GOODS_DELIVERY = "goods_delivery"
    SERVICE_CLAIM = "service_claim"
    IP_LICENCE = "ip_licence"
    IP_EXCLUSIVE_RIGHT = "ip_exclusive_right"
    MONEY = "money"
    ELECTRONIC_MONEY = "electronic_money"
    SECURITY = "security"
    FINANCIAL_INSTRUMENT = "financial_instrument"
    PROFIT_SHARE = "profit_share"
    MANAGEMENT_RIGHT = "management_right"


PROHIBITED_RIGHTS: Final[dict[RightCategory, ReasonCode]] = {
    RightCategory.MONEY: ReasonCode.PROHIBITED_MONEY,
    RightCategory.ELECTRONIC_MONEY: ReasonCode.PROHIBITED_MONEY,
    RightCategory.SECURITY: ReasonCode.PROHIBITED_SECURITY,
    RightCategory.FINANCIAL_INSTRUMENT: ReasonCode.PROHIBITED_SECURITY,
    RightCategory.PROFIT_SHARE: ReasonCode.PROHIBITED_PROFIT_SHARE,
    RightCategory.MANAGEMENT_RIGHT: ReasonCode.PROHIBITED_MANAGEMENT_RIGHT,
}

RIGHTS_BY_KIND: Final[dict[AssetKind, frozenset[RightCategory]]] = {
    AssetKind.GOODS: frozenset({RightCategory.GOODS_OWNERSHIP, RightCategory.GOODS_DELIVERY}),
    AssetKind.SERVICE: frozenset({RightCategory.SERVICE_CLAIM}),
    AssetKind.INTELLECTUAL_PROPERTY: frozenset(
        {RightCategory.IP_LICENCE, RightCategory.IP_EXCLUSIVE_RIGHT}
    ),
}

# A guard against money or shares declared under an innocent category: a unit that names a
# currency or a share is refused. It is a backstop, not a legal test; the category decides.
MONEY_UNITS: Final = frozenset(
    {
        "kzt", "usd", "eur", "rub", "cny", "gbp", "jpy", "chf", "kgs", "uzs", "aed", "try",
        "usdt", "usdc", "btc", "eth", "tenge", "тенге", "теңге", "dollar", "доллар", "euro",
        "евро", "ruble", "rouble", "рубль", "тиын", "tiyn",
    }
)  # fmt: skip
SECURITY_UNITS: Final = frozenset(
    {"share", "shares", "stock", "bond", "bonds", "акция", "акции", "облигация", "облигации"}
)


def right_refusal(kind: AssetKind, right: RightCategory, unit: str) -> ReasonCode | None:
    """Why an asset class of this kind, right and unit may not exist, or None if it may."""
    if right in PROHIBITED_RIGHTS:
        return PROHIBITED_RIGHTS[right]
    folded = unit.casefold()
    if folded in MONEY_UNITS:
        return ReasonCode.PROHIBITED_MONEY
    if folded in SECURITY_UNITS:
        return ReasonCode.PROHIBITED_SECURITY
    if right not in RIGHTS_BY_KIND[kind]:
        return ReasonCode.RIGHT_KIND_MISMATCH
    return None
