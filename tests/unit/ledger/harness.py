"""Kept only for tests/e2e/test_cli_wallet.py, which imports these names from here: the ledger
harness lives in tests/support/ledger.py. Delete this file once that test imports it from there."""

from __future__ import annotations

from tests.support.ledger import (
    CHAIN_ID,
    MINISTRY_CERTIFICATE,
    OPERATOR,
    FakePermitVerifier,
    b64,
    permit_document,
)

__all__ = [
    "CHAIN_ID",
    "MINISTRY_CERTIFICATE",
    "OPERATOR",
    "FakePermitVerifier",
    "b64",
    "permit_document",
]
