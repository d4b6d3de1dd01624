"""The offline e-gov gateway answers §4's questions and App. 1 §10 items 3–4 from its data file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kepil.adapters.egov.local import EgovDataError, LocalEgovGateway
from kepil.domain.identity import parse_identifier
from kepil.domain.state_records import BusinessForm, CourtRestriction


def test_p4_identity_is_found_by_iin() -> None:
    person = LocalEgovGateway.sample().person("850315400124")
    assert person is not None
    assert person.surname == "АХМЕТОВА"


def test_p4_an_entrepreneur_is_registered_under_its_iin() -> None:
    record = LocalEgovGateway.sample().business("850315400124")
    assert record is not None
    assert record.form is BusinessForm.INDIVIDUAL_ENTREPRENEUR


def test_p4_an_unknown_number_has_no_record() -> None:
    gateway = LocalEgovGateway.sample()
    assert gateway.person("000000000000") is None
    assert gateway.business("000000000000") is None


def test_app1_10_3_an_activity_ban_in_force_is_found() -> None:
    found = LocalEgovGateway.sample().court_decisions("210240044100", date(2026, 4, 10))
    assert [d.restriction for d in found] == [CourtRestriction.ACTIVITY_BAN]


def test_app1_10_3_an_expired_ban_is_not_in_force() -> None:
    assert LocalEgovGateway.sample().court_decisions("210240044100", date(2027, 9, 2)) == []


def test_app1_10_4_a_deprivation_of_special_right_is_found() -> None:
    found = LocalEgovGateway.sample().court_decisions("781102303459", date(2026, 4, 10))
    assert [d.restriction for d in found] == [CourtRestriction.SPECIAL_RIGHT_DEPRIVED]


def test_every_number_in_the_sample_data_is_a_valid_iin_or_bin() -> None:
    gateway = LocalEgovGateway.sample()
    data = json.loads(
        (Path(__file__).parents[3] / "src/kepil/adapters/egov/sample_registry.json").read_text()
    )
    numbers = [p["iin"] for p in data["persons"]] + [b["number"] for b in data["businesses"]]
    for number in numbers:
        parse_identifier(number)
    assert gateway.business("190640022316") is not None


def test_a_malformed_data_file_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "egov.json"
    path.write_text(json.dumps({"businesses": [{"number": "1", "form": "sole_trader"}]}))
    with pytest.raises(EgovDataError, match="bad entry"):
        LocalEgovGateway.from_file(path)
