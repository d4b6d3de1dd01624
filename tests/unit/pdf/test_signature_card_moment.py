"""The signature card's signing moment: a time-stamp that stamps this signature, else its clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kepil.adapters.pdf.seal import SOURCE_SIGNING_TIME, SOURCE_TIMESTAMP, read_seal
from kepil.signing.cms_load import load_cms
from kepil.signing.tst_info import read_token

NCA = Path(__file__).parents[2] / "fixtures" / "nca"

pytestmark = pytest.mark.filterwarnings("ignore:Attribute's length must be")


def test_card_takes_the_moment_from_a_time_stamp_over_this_signature() -> None:
    seal = read_seal(b"document", (NCA / "legal_entity_attached.der").read_bytes())

    assert seal.moment_source == SOURCE_TIMESTAMP
    assert seal.signed_at == datetime(2026, 7, 20, 9, 10, 9, tzinfo=UTC)


def test_card_keeps_the_signers_clock_when_the_token_cannot_be_tied_to_the_signature() -> None:
    # mitwork's Kalkan token has a GOST 34.311-95 imprint, which kepil does not compute.
    seal = read_seal(b"document", (NCA / "KalkanExtractionServiceTest.0.p7s").read_bytes())

    assert seal.moment_source == SOURCE_SIGNING_TIME


def test_card_ignores_a_time_stamp_made_for_another_signature() -> None:
    cms = bytearray((NCA / "legal_entity_attached.der").read_bytes())
    token = load_cms(bytes(cms)).signers[0].timestamp_tokens[0]
    imprint = read_token(token).tst_info.imprint
    cms[bytes(cms).index(imprint)] ^= 0xFF  # the token now stamps some other signature value

    seal = read_seal(b"document", bytes(cms))

    assert seal.moment_source == SOURCE_SIGNING_TIME
