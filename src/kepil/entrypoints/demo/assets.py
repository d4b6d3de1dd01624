"""Act 4: participants onboarded, an asset class defined, units issued, transferred, pledged
(and released) and redeemed, each a transaction signed by whoever the ledger requires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from kepil.entrypoints.demo.people import APPLICANT_BIN
from kepil.entrypoints.demo.platform import Platform
from kepil.ledger import public_key_hex
from kepil.ledger.handlers.holdings import Redeem, Transfer
from kepil.ledger.handlers.issuers import DefineAsset, Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.handlers.pledges import Encumber, Release
from kepil.ledger.records import Backing
from kepil.ledger.vocab import AssetKind, RightCategory, Role

# TEST participants of the platform (identifiers that pass their check digits).
ISSUER: Final = "050840001233"
ALICE: Final = "900101300126"
BOB: Final = "781102303459"
WHEAT: Final = "DEMO-WHEAT-2026"
PLEDGE_EXPIRES: Final = 4_000_000_000


@dataclass(frozen=True)
class Holding:
    """A holder's free, pledged and escrowed units of one asset."""

    free: int
    pledged: int
    escrowed: int


def holding(platform: Platform, holder: str) -> Holding:
    """What `holder` holds of WHEAT, as the next node reports it once it is up to date."""
    for entry in platform.caught_up().holdings(holder)["holdings"]:
        if entry["asset"] == WHEAT:
            return Holding(int(entry["free"]), int(entry["pledged"]), int(entry["escrowed"]))
    return Holding(0, 0, 0)


def onboard(platform: Platform) -> list[str]:
    """The operator admits an issuer and two holders (Bob may take pledges) and signs the
    issuer's agreement with it; who was admitted."""
    admitted = []
    for who, name, roles in (
        (ISSUER, "Issuer (TEST)", (Role.HOLDER, Role.ISSUER)),
        (ALICE, "Alice (TEST)", (Role.HOLDER,)),
        (BOB, "Bob (TEST)", (Role.HOLDER, Role.PLEDGEE)),
    ):
        key = public_key_hex(platform.key(who))
        platform.send(Admit(who, name, key, roles), APPLICANT_BIN)
        admitted.append(f"{name} {who}: {', '.join(r.value for r in roles)}")
    platform.send(IssuerAgreement(ISSUER, "ab" * 32), APPLICANT_BIN, ISSUER)
    return admitted


def define_and_issue(platform: Platform, amount: int) -> str:
    """The issuer defines the wheat asset class (backed by a warehouse receipt) and issues
    `amount` units to Alice; the issue's tx id."""
    asset = DefineAsset(
        WHEAT, ISSUER, "Wheat, 2026 harvest (TEST)", AssetKind.GOODS,
        RightCategory.GOODS_OWNERSHIP, "kg", 0, None,
        (Backing("cd" * 32, "Warehouse receipt 17 (TEST)"),),
    )  # fmt: skip
    platform.send(asset, ISSUER)
    return issue(platform, amount)


def issue(platform: Platform, amount: int) -> str:
    """The issuer issues `amount` more units to Alice; the tx id (LedgerStepError if refused)."""
    return platform.send(Issue(WHEAT, ALICE, amount), ISSUER)


def transfer(platform: Platform, amount: int) -> str:
    """Alice transfers `amount` units to Bob."""
    return platform.send(Transfer(WHEAT, ALICE, BOB, amount), ALICE)


def pledge(platform: Platform, amount: int) -> str:
    """Alice pledges `amount` units to Bob, both signing; the pledge's id (its tx id)."""
    terms = Encumber(WHEAT, ALICE, BOB, amount, "ef" * 32, PLEDGE_EXPIRES)
    return platform.send(terms, ALICE, BOB)


def release(platform: Platform, pledge_id: str) -> str:
    """Bob, the pledgee, releases the pledge."""
    return platform.send(Release(pledge_id), BOB)


def redeem(platform: Platform, amount: int) -> str:
    """Bob redeems `amount` units with the issuer (the goods leave the ledger)."""
    return platform.send(Redeem(WHEAT, BOB, amount), BOB)
