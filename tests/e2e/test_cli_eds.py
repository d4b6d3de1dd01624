"""`kepil eds` and `kepil pki` driven through their Typer sub-apps."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kepil.entrypoints.cli.eds_cmd import eds_app
from kepil.entrypoints.cli.pki_cmd import pki_app

runner = CliRunner()
IIN, BIN = "850315400124", "050840001233"


def _run(app: Any, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def _issue(ca: Path, *extra: str) -> list[Path]:
    code, out = _run(
        pki_app,
        "issue",
        ca,
        "--profile",
        "legal-head",
        "--iin",
        IIN,
        "--bin",
        BIN,
        "--name",
        "АХМЕТОВ АЙДАР СЕРИКОВИЧ",
        "--org",
        "ТОО «Кепіл»",
        *extra,
    )
    assert code == 0, out
    return [Path(path) for path in json.loads(out)["files"]]


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test CA made with `kepil pki init`."""
    directory = tmp_path_factory.mktemp("pki")
    code, out = _run(pki_app, "init", directory)
    assert code == 0, out
    return directory


@pytest.fixture(scope="module")
def pem(ca: Path) -> list[Path]:
    """A signing certificate and key as PEM files."""
    return _issue(ca)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A document to sign."""
    path = tmp_path / "application.txt"
    path.write_text("Заявление на получение разрешения")
    return path


def _verify(ca: Path, *args: str | Path) -> tuple[int, dict[str, Any]]:
    code, out = _run(eds_app, "verify", *args, "--trust", ca / "trust")
    return code, json.loads(out)


def test_a_pem_signed_document_verifies_with_the_signer_in_the_json(
    ca: Path, pem: list[Path], data: Path, tmp_path: Path
) -> None:
    cert, key = pem
    out = tmp_path / "signed.p7s"
    assert _run(eds_app, "sign", "--key", key, "--cert", cert, data, out)[0] == 0
    code, report = _verify(ca, out)
    assert code == 0
    assert report["valid"] is True
    assert report["errors"] == []
    [signer] = report["signers"]
    assert set(signer) == {
        "iin",
        "bin",
        "name",
        "organization",
        "role",
        "signed_at",
        "signed_at_source",
        "algorithm",
        "timestamp",
        "timestamps_ignored",
        "errors",
        "warnings",
    }
    assert (signer["signed_at_source"], signer["timestamp"]) == ("signing_time_attribute", None)
    assert report["warnings"] == signer["warnings"] == []
    assert (signer["iin"], signer["bin"], signer["role"]) == (IIN, BIN, "head")
    assert signer["organization"] == "ТОО «Кепіл»"


def test_a_detached_signature_from_a_p12_verifies_against_its_data(
    ca: Path, data: Path, tmp_path: Path
) -> None:
    [p12] = _issue(ca, "--p12", "--password", "Secret123", "--alg", "rsa")
    out = tmp_path / "signed.p7s"
    code, _ = _run(
        eds_app, "sign", "--key", p12, "--password", "Secret123", "--detached", data, out
    )
    assert code == 0
    assert _verify(ca, out, "--data", data)[0] == 0
    other = tmp_path / "other.txt"
    other.write_text("something else")
    code, report = _verify(ca, out, "--data", other)
    assert code == 1
    assert [e["code"] for e in report["errors"]] == ["digest_mismatch"]


def test_garbage_is_invalid_with_malformed_cms(ca: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.p7s"
    garbage.write_bytes(b"\x30\x80 definitely not CMS")
    code, report = _verify(ca, garbage)
    assert code == 1
    assert report["valid"] is False
    assert [e["code"] for e in report["errors"]] == ["malformed_cms"]


def test_an_unreadable_input_exits_with_2(ca: Path, tmp_path: Path) -> None:
    code, report = _verify(ca, tmp_path / "missing.p7s")
    assert code == 2
    assert report["errors"][0]["code"] == "unreadable_input"


def test_a_revoked_certificate_listed_in_the_crl_is_invalid(
    ca: Path, data: Path, tmp_path: Path
) -> None:
    cert, key = _issue(ca)
    out = tmp_path / "signed.p7s"
    assert _run(eds_app, "sign", "--key", key, "--cert", cert, data, out)[0] == 0
    assert _run(pki_app, "revoke", ca, cert)[0] == 0
    crl = tmp_path / "test.crl"
    assert _run(pki_app, "crl", ca, "--out", crl)[0] == 0
    code, report = _verify(ca, out, "--crl", crl)
    assert code == 1
    assert [e["code"] for e in report["errors"]] == ["certificate_revoked"]


def test_an_auth_key_does_not_pass_as_a_signing_key(ca: Path, data: Path, tmp_path: Path) -> None:
    cert, key = _issue(ca, "--usage", "auth")
    out = tmp_path / "signed.p7s"
    assert _run(eds_app, "sign", "--key", key, "--cert", cert, data, out)[0] == 0
    code, report = _verify(ca, out)
    assert (code, [e["code"] for e in report["errors"]]) == (1, ["wrong_key_usage"])
    assert _verify(ca, out, "--purpose", "auth")[0] == 0


def test_a_certificate_not_yet_valid_is_reported(ca: Path, data: Path, tmp_path: Path) -> None:
    cert, key = _issue(ca, "--not-before", "2099-01-01T00:00:00")
    out = tmp_path / "signed.p7s"
    assert _run(eds_app, "sign", "--key", key, "--cert", cert, data, out)[0] == 0
    code, report = _verify(ca, out)
    assert code == 1
    assert "certificate_not_yet_valid" in [e["code"] for e in report["errors"]]


def test_a_signature_under_another_test_ca_is_untrusted(
    ca: Path, data: Path, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger"
    assert _run(pki_app, "init", stranger)[0] == 0
    cert, key = _issue(stranger)
    out = tmp_path / "signed.p7s"
    assert _run(eds_app, "sign", "--key", key, "--cert", cert, data, out)[0] == 0
    code, report = _verify(ca, out)
    assert (code, [e["code"] for e in report["errors"]]) == (1, ["untrusted_chain"])


def test_info_prints_the_parsed_certificate(pem: list[Path]) -> None:
    code, out = _run(eds_app, "info", pem[0])
    assert code == 0
    document = json.loads(out)
    assert (document["iin"], document["bin"], document["role"]) == (IIN, BIN, "head")
    assert document["key_kind"] == "sign"
    assert "TEST PKI" in document["issuer"]


def test_info_on_a_missing_file_exits_with_2(tmp_path: Path) -> None:
    assert _run(eds_app, "info", tmp_path / "nope.pem")[0] == 2


def test_every_issued_file_is_marked_as_test_pki(pem: list[Path]) -> None:
    assert all(path.name.startswith("TEST-PKI-NOT-FOR-PRODUCTION") for path in pem)


def test_init_refuses_to_overwrite_an_existing_ca(ca: Path) -> None:
    assert _run(pki_app, "init", ca)[0] == 1


@pytest.mark.parametrize("profile", ["individual", "entrepreneur", "legal-employee", "official"])
def test_every_profile_can_be_issued(ca: Path, profile: str) -> None:
    args = ["--profile", profile, "--iin", IIN, "--name", "ТЕСТОВ ТЕСТ"]
    if profile in {"legal-employee", "official"}:
        args += ["--bin", BIN, "--org", "Министерство цифрового развития"]
    code, out = _run(pki_app, "issue", ca, *args)
    assert code == 0, out
    cert = Path(json.loads(out)["files"][0])
    assert json.loads(_run(eds_app, "info", cert)[1])["iin"] == IIN


def test_pki_refuses_to_issue_for_an_iin_failing_its_check_digit(ca: Path) -> None:
    result = runner.invoke(
        pki_app,
        ["issue", str(ca), "--profile", "individual", "--iin", "850315400123", "--name", "X"],
    )
    assert result.exit_code == 2
    assert "not a valid IIN/BIN" in result.stderr


NCA_IDS = Path(__file__).parents[1] / "fixtures" / "nca-ids"


def test_info_reads_an_nca_test_kit_with_a_warning_on_its_check_digit() -> None:
    code, out = _run(eds_app, "info", NCA_IDS / "head_gost2015.pem")
    assert code == 0
    document = json.loads(out)
    assert (document["iin"], document["bin"], document["role"]) == (
        "123456789011",
        "123456789021",
        "head",
    )
    assert document["name"] == "ТЕСТОВ ТЕСТ"
    assert [" ".join(warning.split(" ")[:2]) for warning in document["warnings"]] == [
        "IIN 123456789011",
        "BIN 123456789021",
    ]


def test_the_installed_cli_prints_no_long_name_warning_for_nca_certificates(
    kepil: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    # The issuing CA's and the signers' names exceed 64 bytes; cryptography warns on each read.
    verified = kepil(
        "eds",
        "verify",
        str(NCA_IDS / "two_signers_kalkan.p7s"),
        "--trust",
        str(NCA_IDS / "trust-gost2015"),
    )
    assert verified.returncode in {0, 1}, verified.stderr
    assert "Attribute's length" not in verified.stderr
    assert verified.stderr == ""
    info = kepil("eds", "info", str(NCA_IDS / "head_gost2015_base64.cer"))
    assert (info.returncode, info.stderr) == (0, "")
    assert json.loads(info.stdout)["iin"] == "123456789011"
