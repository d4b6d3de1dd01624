"""`kepil eds verify --at … --accept-test-identities` on the time-stamped Kalkan samples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kepil.entrypoints.cli.eds_cmd import eds_app

from .nca_samples import LONG_NAME_WARNING, NCA

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

runner = CliRunner()
# Inside the signer certificate's validity, after signing, in Almaty time as a person types it.
MITWORK_AT = {
    "KalkanExtractionServiceTest.0.p7s": "2023-10-11T16:00",  # UTC+6 then
    "KalkanValidationServiceTest.1.p7s": "2025-02-25T10:00",
}


@pytest.fixture
def trust(tmp_path: Path) -> Path:
    folder = tmp_path / "trust"
    folder.mkdir()
    for name in ("root_test_gost_2022.cer", "nca_gost2022_test.cer"):
        shutil.copy(NCA / name, folder / name)
    return folder


def run(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(eds_app, ["verify", *(str(arg) for arg in args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(MITWORK_AT))
def test_eds_verify_at_a_moment_inside_the_validity_accepts_a_mitwork_cms_with_a_warned_token(
    name: str, trust: Path
) -> None:
    code, answer = run(
        NCA / name, "--trust", trust, "--at", MITWORK_AT[name], "--accept-test-identities"
    )

    assert code == 0, answer
    (signer,) = answer["signers"]
    assert signer["timestamp"]["status"] == "unsupported"
    assert signer["timestamp"]["valid"] is False
    assert signer["timestamp"]["algorithm"] == "GOST 34.310-2004 with GOST 34.311-95"
    assert signer["signed_at_source"] == "signing_time_attribute"
    codes = [warning["code"] for warning in answer["warnings"]]
    assert codes == ["timestamp_unsupported", "invalid_identity_number", "invalid_identity_number"]
    assert "IIN 123456789011" in answer["warnings"][1]["detail"]
    assert signer["warnings"] == answer["warnings"]
    assert answer["errors"] == []


@pytest.mark.parametrize("name", sorted(MITWORK_AT))
def test_eds_verify_without_at_judges_now_and_finds_the_mitwork_certificate_expired(
    name: str, trust: Path
) -> None:
    code, answer = run(NCA / name, "--trust", trust, "--accept-test-identities")

    assert code == 1
    assert [error["code"] for error in answer["errors"]] == ["certificate_expired"]
    assert answer["signers"][0]["timestamp"]["status"] == "unsupported"


def test_eds_verify_without_accepting_test_identities_refuses_their_iin(trust: Path) -> None:
    name = "KalkanValidationServiceTest.1.p7s"

    code, answer = run(NCA / name, "--trust", trust, "--at", MITWORK_AT[name])

    assert code == 1
    assert "invalid_identity_number" in {error["code"] for error in answer["errors"]}


def test_eds_verify_at_reads_an_almaty_time_without_offset(trust: Path) -> None:
    # Signed 2025-02-24T19:23:13Z, i.e. 2025-02-25T00:23:13 in Almaty (UTC+5 since 2024).
    # 00:10 typed without an offset is Almaty time, before the signature; read as UTC it
    # would be five hours after it.
    name = "KalkanValidationServiceTest.1.p7s"
    before = ("--trust", trust, "--accept-test-identities", "--at", "2025-02-25T00:10")
    after = ("--trust", trust, "--accept-test-identities", "--at", "2025-02-25T00:30")

    code_before, answer_before = run(NCA / name, *before)
    code_after, _ = run(NCA / name, *after)

    assert code_before == 1
    assert [e["code"] for e in answer_before["errors"]] == ["signing_time_in_future"]
    assert code_after == 0


def test_eds_verify_a_production_tsa_token_is_untrusted_and_the_moment_stays_claimed(
    trust: Path,
) -> None:
    code, answer = run(
        NCA / "legal_entity_detached.der",
        "--data",
        NCA / "legal_entity_document.txt",
        "--trust",
        trust,
        "--at",
        "2026-07-20T15:00+05:00",
        "--accept-test-identities",
    )

    assert code == 0, answer
    (signer,) = answer["signers"]
    assert signer["timestamp"]["status"] == "untrusted"
    assert signer["timestamp"]["errors"][0]["code"] == "untrusted_chain"
    assert signer["signed_at"] == "2026-07-20T09:10:09+00:00"
    assert signer["signed_at_source"] == "signing_time_attribute"
    assert answer["warnings"][0]["code"] == "timestamp_untrusted"


def test_eds_verify_refuses_an_unreadable_at(trust: Path) -> None:
    result = runner.invoke(
        eds_app,
        ["verify", str(NCA / "legal_entity_attached.der"), "--trust", str(trust), "--at", "soon"],
    )

    assert result.exit_code == 2
    assert "not an ISO date-time" in result.output


def test_eds_verify_with_a_missing_trust_folder_exits_2_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-trust"

    code, answer = run(NCA / "legal_entity_attached.der", "--trust", missing)

    assert code == 2
    (error,) = answer["errors"]
    assert error["code"] == "unreadable_input"
    assert "no-such-trust" in error["detail"]
    assert "does not exist" in error["detail"]


def test_eds_verify_help_explains_at_and_test_identities() -> None:
    result = runner.invoke(eds_app, ["verify", "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0
    assert "--at" in result.output
    assert "Almaty" in result.output
    assert "--accept-test-identities" in result.output
    assert "time-stamp" in result.output
