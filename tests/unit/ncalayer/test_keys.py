"""The key files the stand-in offers: TEST-PKI PKCS#12, the NCA's RSA kits, clear refusals."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kepil.entrypoints.ncalayer.keys import KeyFileError, load_key_file
from kepil.entrypoints.ncalayer.protocol import EKU_EMAIL_PROTECTION, StandIn, pem_cms_der
from kepil.signing.cms_verify import verify_cms
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_ca_files import DevCaDirectory
from kepil.signing.nca_profile import KeyKind
from kepil.signing.trust import TrustStore

KITS = Path(__file__).parent / "nca_kits"
NCA_RSA_SIGN = KITS / "WithTestData.KEY_INDIVIDUAL_VALID_SIGN_2004.p12"
NCA_GOST = KITS / "GOST512_employee_with_signatory_authority_valid.p12"
NOW = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_a_pkcs12_from_kepil_pki_issue_is_offered_with_its_iin_and_usage(
    tmp_path: Path, algorithm: KeyAlgorithm
) -> None:
    ca = DevCaDirectory.create(tmp_path / "ca", NOW)
    holder = Holder(
        Profile.ENTREPRENEUR,
        iin="900101300126",
        name="ТЕСТОВ ТЕСТ ТЕСТОВИЧ",
        bin="900101300126",
        usage=KeyKind.AUTH,
    )
    issued = ca.issue(holder, NOW, algorithm=algorithm, p12_password="секрет")

    (key,) = load_key_file(issued.paths[0], "секрет")

    assert key.iin == "900101300126"
    assert key.bin == "900101300126"
    assert key.common_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert key.usage_words() == "authentication"
    assert key.certificate == issued.certificate
    assert key.credential.chain == issued.chain


def test_a_wrong_password_is_refused_naming_the_file(tmp_path: Path) -> None:
    ca = DevCaDirectory.create(tmp_path / "ca", NOW)
    holder = Holder(Profile.INDIVIDUAL, iin="900101300126", name="ТЕСТОВ ТЕСТ")
    issued = ca.issue(holder, NOW, p12_password="right")

    with pytest.raises(KeyFileError, match="wrong password") as refused:
        load_key_file(issued.paths[0], "wrong")

    assert str(issued.paths[0]) in str(refused.value)


def test_a_file_that_cannot_be_read_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot read it"):
        load_key_file(tmp_path / "absent.p12", "x")


def test_a_gost_kit_is_refused_saying_gost_is_not_supported_yet() -> None:
    with pytest.raises(KeyFileError, match="GOST kits are not supported yet"):
        load_key_file(NCA_GOST, "Qwerty12")


def test_an_nca_rsa_kit_signs_a_filing_that_kepil_verifies_against_the_nca_test_roots() -> None:
    (key,) = load_key_file(NCA_RSA_SIGN, "Qwerty12")
    during_validity = datetime(2021, 6, 1, tzinfo=UTC)
    request = {
        "module": "kz.gov.pki.knca.basics",
        "method": "sign",
        "args": {
            "allowedStorages": ["PKCS12"],
            "format": "cms",
            "data": base64.b64encode(b"document").decode(),
            "signingParams": {"decode": True, "encapsulate": True, "digested": False},
            "signerParams": {
                "extKeyUsageOids": [EKU_EMAIL_PROTECTION],
                "iin": "123456789011",
                "chain": [],
            },
            "locale": "ru",
        },
    }

    reply = StandIn((key,), lambda: during_validity).reply(json.dumps(request))

    verdict = verify_cms(
        pem_cms_der(reply["body"]["result"]),
        trust_store=TrustStore.from_directory(KITS),
        at=during_validity,
        purpose=KeyKind.SIGN,
        check_number=lambda _number: True,  # the NCA's test IINs fail their check digit
    )
    assert verdict.valid, verdict.errors
    assert verdict.sole_signer().iin == "123456789011"
    assert verdict.content == b"document"
