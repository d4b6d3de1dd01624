"""The key files the stand-in offers: TEST-PKI PKCS#12, the NCA's RSA kits, clear refusals."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kepil.entrypoints.ncalayer.keys import KeyFileError, StandardSigner, load_key_file
from kepil.entrypoints.ncalayer.protocol import EKU_EMAIL_PROTECTION, StandIn, pem_cms_der
from kepil.signing.cms_verify import verify_cms
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_ca_files import DevCaDirectory
from kepil.signing.nca_profile import KeyKind
from kepil.signing.trust import TrustStore

KITS = Path(__file__).parent / "nca_kits"
NCA_RSA_SIGN = KITS / "WithTestData.KEY_INDIVIDUAL_VALID_SIGN_2004.p12"
NCA_GOST = KITS / "GOST512_employee_with_signatory_authority_valid.p12"
NCA_GOST_2004 = KITS / "GOSTKNCA_first_director_valid.p12"
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
    assert isinstance(key.signer, StandardSigner)
    assert key.signer.credential.chain == issued.chain


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


def test_a_gost_2004_kit_is_refused_saying_only_gost_2015_can_sign() -> None:
    with pytest.raises(KeyFileError, match=r"GOST 34\.310-2004"):
        load_key_file(NCA_GOST_2004, "Qwerty12")


def test_a_wrong_password_for_a_gost_kit_is_said_to_be_one() -> None:
    with pytest.raises(KeyFileError, match="wrong password"):
        load_key_file(NCA_GOST, "Qwerty13")


def test_an_nca_gost_kit_is_offered_with_its_iin_bin_and_algorithm() -> None:
    (key,) = load_key_file(NCA_GOST, "Qwerty12")

    assert (key.iin, key.bin) == ("123456789012", "123456789021")
    assert key.algorithm == "gost2015-512"
    assert key.usage_words() == "signing+authentication"
    assert EKU_EMAIL_PROTECTION in key.extended_key_usages


# This kit's subject has a 69-character organisation name; cryptography warns when kepil's
# verifier reads it (X.520 says 64), and the test run turns warnings into errors.
@pytest.mark.filterwarnings("ignore:Attribute's length:UserWarning")
@pytest.mark.parametrize("encapsulate", [True, False], ids=["attached", "detached"])
def test_an_nca_gost_kit_signs_in_kalkans_layout_and_kepil_verifies_it(encapsulate: bool) -> None:
    (key,) = load_key_file(NCA_GOST, "Qwerty12")
    during_validity = datetime(2023, 6, 1, tzinfo=UTC)

    reply = StandIn((key,), lambda: during_validity).reply(
        _filing_request("123456789012", encapsulate)
    )

    verdict = verify_cms(
        pem_cms_der(reply["body"]["result"]),
        trust_store=TrustStore.from_directory(KITS / "gost_trust"),
        at=during_validity,
        data=None if encapsulate else b"document",
        purpose=KeyKind.SIGN,
        check_number=lambda _number: True,
    )
    assert verdict.valid, verdict.errors
    assert verdict.signers[0].algorithm == "gost2015-512"
    assert verdict.sole_signer().bin == "123456789021"


def _filing_request(iin: str, encapsulate: bool = True) -> str:
    return json.dumps(
        {
            "module": "kz.gov.pki.knca.basics",
            "method": "sign",
            "args": {
                "allowedStorages": ["PKCS12"],
                "format": "cms",
                "data": base64.b64encode(b"document").decode(),
                "signingParams": {"decode": True, "encapsulate": encapsulate, "digested": False},
                "signerParams": {
                    "extKeyUsageOids": [EKU_EMAIL_PROTECTION],
                    "iin": iin,
                    "chain": [],
                },
                "locale": "ru",
            },
        }
    )


def test_an_nca_rsa_kit_signs_a_filing_that_kepil_verifies_against_the_nca_test_roots() -> None:
    (key,) = load_key_file(NCA_RSA_SIGN, "Qwerty12")
    during_validity = datetime(2021, 6, 1, tzinfo=UTC)
    reply = StandIn((key,), lambda: during_validity).reply(_filing_request("123456789011"))

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
