"""Issuer agreements, asset class definitions (and their prohibitions), and issue."""

from __future__ import annotations

import pytest
from tests.support.ledger import ALICE, AUDITOR, BOB, ISSUER, OPERATOR, WHEAT, Chain, person, wheat

from kepil.ledger import ReasonCode
from kepil.ledger.handlers.issuers import Issue, IssuerAgreement
from kepil.ledger.vocab import AssetKind, RightCategory, Role

OTHER_ISSUER = person(50)


def new_issuer(chain: Chain) -> str:
    assert chain.admit(OTHER_ISSUER, Role.ISSUER) == "ok"
    return OTHER_ISSUER


def test_an_agreement_needs_both_the_operator_and_the_issuer(chain: Chain) -> None:
    issuer = new_issuer(chain)
    agreement = IssuerAgreement(issuer, "ef" * 32)
    assert chain.run(agreement, OPERATOR) == ReasonCode.MISSING_SIGNATURE
    assert chain.run(agreement, issuer) == ReasonCode.MISSING_SIGNATURE
    assert chain.run(agreement, OPERATOR, issuer) == "ok"
    recorded = chain.view().agreement(issuer)
    assert recorded is not None
    assert recorded.agreement_hash == "ef" * 32


def test_an_agreement_with_a_non_issuer_is_refused(chain: Chain) -> None:
    assert chain.run(IssuerAgreement(ALICE, "ef" * 32), OPERATOR, ALICE) == ReasonCode.MISSING_ROLE


def test_an_issuer_defines_an_asset_class(chain: Chain) -> None:
    issuer = new_issuer(chain)
    assert (
        chain.run(
            wheat(
                issuer,
                asset="SERVICE-1",
                kind=AssetKind.SERVICE,
                right=RightCategory.SERVICE_CLAIM,
                unit="hour",
            ),
            issuer,
        )
        == "ok"
    )
    asset = chain.view().asset("SERVICE-1")
    assert asset is not None
    assert asset.issuer == issuer


def test_a_holder_cannot_define_an_asset_class(chain: Chain) -> None:
    assert chain.run(wheat(ALICE, asset="X"), ALICE) == ReasonCode.MISSING_ROLE


def test_an_asset_id_is_defined_once(chain: Chain) -> None:
    assert chain.run(wheat(), ISSUER) == ReasonCode.ASSET_EXISTS


@pytest.mark.parametrize(
    ("right", "code"),
    [
        (RightCategory.MONEY, ReasonCode.PROHIBITED_MONEY),
        (RightCategory.ELECTRONIC_MONEY, ReasonCode.PROHIBITED_MONEY),
        (RightCategory.SECURITY, ReasonCode.PROHIBITED_SECURITY),
        (RightCategory.FINANCIAL_INSTRUMENT, ReasonCode.PROHIBITED_SECURITY),
        (RightCategory.PROFIT_SHARE, ReasonCode.PROHIBITED_PROFIT_SHARE),
        (RightCategory.MANAGEMENT_RIGHT, ReasonCode.PROHIBITED_MANAGEMENT_RIGHT),
    ],
)
def test_money_securities_profit_shares_and_management_rights_are_refused(
    chain: Chain, right: RightCategory, code: ReasonCode
) -> None:
    assert chain.run(wheat(asset="BAD", right=right), ISSUER) == code


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("KZT", ReasonCode.PROHIBITED_MONEY),
        ("Тенге", ReasonCode.PROHIBITED_MONEY),
        ("shares", ReasonCode.PROHIBITED_SECURITY),
    ],
)
def test_a_unit_naming_a_currency_or_a_share_is_refused(
    chain: Chain, unit: str, code: ReasonCode
) -> None:
    assert chain.run(wheat(asset="BAD", unit=unit), ISSUER) == code


def test_a_right_that_does_not_fit_the_kind_is_refused(chain: Chain) -> None:
    odd = wheat(asset="ODD", kind=AssetKind.SERVICE, right=RightCategory.GOODS_OWNERSHIP)
    assert chain.run(odd, ISSUER) == ReasonCode.RIGHT_KIND_MISMATCH


def test_an_asset_class_without_backing_documents_is_refused(chain: Chain) -> None:
    assert chain.run(wheat(asset="AIR", backing=()), ISSUER) == ReasonCode.BACKING_MISSING


def test_issue_needs_the_issuers_agreement(chain: Chain) -> None:
    issuer = new_issuer(chain)
    chain.run(wheat(issuer, asset="OATS"), issuer)
    assert chain.run(Issue("OATS", issuer, 5), issuer) == ReasonCode.NO_AGREEMENT
    chain.run(IssuerAgreement(issuer, "ef" * 32), OPERATOR, issuer)
    assert chain.run(Issue("OATS", issuer, 5), issuer) == "ok"
    assert chain.balance(issuer, "OATS") == 5


def test_only_the_assets_issuer_issues(chain: Chain) -> None:
    assert chain.run(Issue(WHEAT, ALICE, 5), ALICE) == ReasonCode.NOT_ASSET_ISSUER


def test_issue_of_an_unknown_asset_is_refused(chain: Chain) -> None:
    assert chain.run(Issue("NOPE", ALICE, 5), ISSUER) == ReasonCode.UNKNOWN_ASSET


def test_issue_beyond_the_cap_is_refused(chain: Chain) -> None:
    chain.run(wheat(asset="CAPPED", cap=2000), ISSUER)
    assert chain.run(Issue("CAPPED", ALICE, 2000), ISSUER) == "ok"
    assert chain.run(Issue("CAPPED", ALICE, 1), ISSUER) == ReasonCode.CAP_EXCEEDED


def test_issue_to_a_participant_that_cannot_hold_is_refused(chain: Chain) -> None:
    assert chain.run(Issue(WHEAT, AUDITOR, 5), ISSUER) == ReasonCode.RECIPIENT_CANNOT_HOLD


def test_issue_counts_the_supply(chain: Chain) -> None:
    supply = chain.view().supply(WHEAT)
    assert (supply.issued, supply.redeemed, supply.outstanding) == (1500, 0, 1500)
    assert chain.balance(BOB) == 500


def test_a_zero_amount_is_refused(chain: Chain) -> None:
    assert chain.run(Issue(WHEAT, ALICE, 0), ISSUER) == ReasonCode.BAD_AMOUNT
