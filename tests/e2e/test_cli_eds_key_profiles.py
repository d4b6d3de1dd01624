"""`kepil eds info` says which kind of key a certificate holds and what it may do (issue 19/5)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

NCA_IDS = Path(__file__).parents[1] / "fixtures" / "nca-ids"


@pytest.mark.parametrize(
    ("name", "profile", "purposes"),
    [
        ("head_gost2015.pem", "NCA GOST 2015", ["auth", "sign"]),
        ("head_gost2004.pem", "NCA signing key (RSA256_/GOSTKNCA_)", ["sign"]),
        ("individual_auth_rsa_2004.pem", "NCA sign-in key (AUTH_RSA256_)", ["auth"]),
        ("ocsp_responder_rsa.cer", None, []),
    ],
)
def test_info_shows_the_key_profile_and_its_purposes(
    kepil: Callable[..., subprocess.CompletedProcess[str]],
    name: str,
    profile: str | None,
    purposes: list[str],
) -> None:
    done = kepil("eds", "info", str(NCA_IDS / name))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert (document["key_profile"], document["purposes"]) == (profile, purposes)


def test_verify_with_a_root_filed_under_intermediates_says_so_and_exits_2(
    kepil: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    misfiled = tmp_path / "trust" / "intermediates"
    misfiled.mkdir(parents=True)
    root = NCA_IDS / "trust-gost2015" / "roots" / "root_test_gost_2022.cer"
    (misfiled / root.name).write_bytes(root.read_bytes())
    done = kepil(
        "eds", "verify", str(NCA_IDS / "two_signers_kalkan.p7s"), "--trust", str(misfiled.parent)
    )
    assert done.returncode == 2
    assert "self-signed; it belongs in roots/" in done.stdout
    assert "Traceback" not in done.stderr
