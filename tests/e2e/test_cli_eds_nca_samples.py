"""`kepil eds verify` on real Kalkan CMS and NCA CRLs (tests/fixtures/nca, see its README)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from asn1crypto import parser
from typer.testing import CliRunner

from kepil.entrypoints.cli.eds_cmd import eds_app

# NCA names run past X.520's 64 characters and `cryptography` warns (issue 19 item 8).
pytestmark = pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")

NCA = Path(__file__).parents[1] / "fixtures" / "nca"
GOST_2015_512 = bytes.fromhex("300c060a2a830e030a0101020302")  # no parameters
runner = CliRunner()


@pytest.fixture
def trust(tmp_path: Path) -> Path:
    folder = tmp_path / "trust"
    folder.mkdir()
    for name in ("root_test_gost_2022.cer", "nca_gost2022_test.cer"):
        shutil.copy(NCA / name, folder / name)
    return folder


def mixed_encoding_crl(tmp_path: Path) -> Path:
    """The real 2022 CRL with its outer algorithm written without the NULL the inner one has."""
    contents = parser.parse((NCA / "ncanode_nca_gost2022_test.crl").read_bytes())[4]
    tbs_length = parser.peek(contents)
    rest = contents[tbs_length:]
    signature = rest[parser.peek(rest) :]
    path = tmp_path / "mixed.crl"
    path.write_bytes(parser.emit(0, 1, 16, contents[:tbs_length] + GOST_2015_512 + signature))
    return path


def test_eds_verify_reads_a_time_stamped_kalkan_cms_with_a_mixed_encoding_nca_crl(
    trust: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        eds_app,
        [
            "verify",
            str(NCA / "KalkanExtractionServiceTest.0.p7s"),
            "--trust",
            str(trust),
            "--crl",
            str(mixed_encoding_crl(tmp_path)),
        ],
    )

    # Exit 1, judged: its certificate expired in 2024; not exit 2, unreadable input.
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    codes = {error["code"] for error in answer["errors"]}
    assert "certificate_expired" in codes
    assert "malformed_cms" not in codes
    assert answer["signers"][0]["algorithm"] == "gost2015-512"
