"""`kepil id check`: the JSON contract and exit codes, driven through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kepil.entrypoints.cli.id_cmd import id_app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(id_app, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def one_json_line(stdout: str) -> dict[str, object]:
    lines = stdout.splitlines()
    assert len(lines) == 1
    parsed = json.loads(lines[0])
    assert isinstance(parsed, dict)
    return parsed


def test_check_prints_the_decoded_bin_as_one_json_line_and_exits_0() -> None:
    code, stdout, stderr = run("990140004654")
    assert (code, stderr) == (0, "")
    assert one_json_line(stdout) == {
        "valid": True,
        "kind": "bin",
        "number": "990140004654",
        "registration_year": 1999,
        "registration_month": 1,
        "entity_type": "legal_entity_resident",
        "entity_kind": "head_office",
    }


def test_check_prints_keys_in_sorted_order() -> None:
    _, stdout, _ = run("990140004654")
    assert list(one_json_line(stdout)) == sorted(one_json_line(stdout))


def test_check_prints_the_decoded_iin_with_an_iso_birth_date() -> None:
    code, stdout, _ = run("850712400013")
    assert code == 0
    assert one_json_line(stdout) == {
        "valid": True,
        "kind": "iin",
        "number": "850712400013",
        "birth_date": "1985-07-12",
        "century": 1900,
        "sex": "female",
    }


def test_check_prints_nulls_for_an_iin_without_century_data() -> None:
    code, stdout, _ = run("850712000018")
    assert code == 0
    decoded = one_json_line(stdout)
    assert (decoded["birth_date"], decoded["century"], decoded["sex"]) == (None, None, None)


@pytest.mark.parametrize(
    ("as_of_year", "registration_year"), [("2025", 2025), ("2024", 1925), ("2099", 2025)]
)
def test_as_of_year_decides_the_century_of_a_bin_registration(
    as_of_year: str, registration_year: int
) -> None:
    code, stdout, _ = run("250140000013", "--as-of-year", as_of_year)
    assert code == 0
    assert one_json_line(stdout)["registration_year"] == registration_year


def test_surrounding_whitespace_is_stripped() -> None:
    code, stdout, _ = run("  990140004654\n")
    assert code == 0
    assert one_json_line(stdout)["number"] == "990140004654"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("990140004655", "bad_check_digit"),
        ("850712301600", "unissuable"),
        ("990230300015", "bad_birth_date"),
        ("850712700012", "bad_century_digit"),
        ("991340004654", "bad_month"),
        ("990144004656", "bad_entity_kind"),
    ],
)
def test_twelve_digits_that_fail_a_rule_print_valid_false_and_exit_1(
    number: str, reason: str
) -> None:
    code, stdout, stderr = run(number)
    assert (code, stderr) == (1, "")
    failure = one_json_line(stdout)
    assert failure["valid"] is False
    assert failure["error"] == reason
    assert isinstance(failure["message"], str)
    assert number in failure["message"]


@pytest.mark.parametrize("text", ["12ab", "abc", "99014000465", "9901400046540", "9901-4000-4654"])
def test_input_that_is_not_twelve_digits_exits_2_with_one_line_on_stderr(text: str) -> None:
    code, stdout, stderr = run(text)
    assert (code, stdout) == (2, "")
    assert stderr == f"kepil: error: {text!r} is not a 12-digit IIN/BIN\n"
    assert "Traceback" not in stderr


def test_the_error_line_names_the_stripped_input() -> None:
    _, _, stderr = run(" 12ab ")
    assert stderr == "kepil: error: '12ab' is not a 12-digit IIN/BIN\n"


def test_check_without_a_number_is_a_usage_error() -> None:
    code, stdout, _ = run()
    assert (code, stdout) == (2, "")
