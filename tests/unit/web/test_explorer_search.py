"""The explorer's search sends what was typed to its page; amounts read in the class's units."""

from __future__ import annotations

import pytest

from kepil.entrypoints.web.explorer_pages import search_target, units
from kepil.ledger.records import AssetClass
from kepil.ledger.vocab import AssetKind, RightCategory

TX_ID = "0123456789abcdef" * 4


def asset_class(decimals: int, unit: str = "kg") -> AssetClass:
    """An asset class counting `decimals` places of `unit`."""
    return AssetClass(
        "WHEAT-2026", "850314310020", "Wheat", AssetKind.GOODS,
        RightCategory.GOODS_OWNERSHIP, unit, decimals, None, (), 0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("0", "/explorer/blocks/0"),
        ("00017", "/explorer/blocks/17"),
        ("850314310020", "/explorer/accounts/850314310020"),
        (TX_ID, f"/explorer/tx/{TX_ID}"),
        (TX_ID.upper(), f"/explorer/tx/{TX_ID}"),
        ("WHEAT-2026", "/explorer/assets/WHEAT-2026"),
    ],
)
def test_a_search_goes_to_the_page_of_what_the_text_looks_like(typed: str, target: str) -> None:
    assert search_target(typed) == target


@pytest.mark.parametrize("typed", ["", "-1", "a b", "<script>", "x" * 65, ".hidden"])
def test_a_search_for_nothing_the_ledger_names_goes_nowhere(typed: str) -> None:
    assert search_target(typed) is None


def test_amounts_are_shown_with_the_decimals_and_unit_of_their_class() -> None:
    assert units(1_000_500, asset_class(3)) == "1000.500 kg"
    assert units(7, asset_class(3)) == "0.007 kg"
    assert units(12, asset_class(0, "hour")) == "12 hour"


def test_an_amount_of_an_unknown_class_is_shown_as_base_units() -> None:
    assert units(1_000_500, None) == "1000500"
