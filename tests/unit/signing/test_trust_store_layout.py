"""The chain comes from the trust store: roots anchor it, intermediates extend it (issue 19/6)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.x509.oid import NameOID

from kepil.signing.cms_load import load_cms
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.trust import TrustStore, TrustStoreError, build_chain

from .nca_samples import LONG_NAME_WARNING, NCA, any_number, certificate, sample

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

TRUST_GOST2015 = Path(__file__).parents[2] / "fixtures" / "nca-ids" / "trust-gost2015"
SIGNED_AT = datetime(2026, 7, 20, 9, 11, tzinfo=UTC)  # inside the signer's validity
ROOT_NAME = "НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022"
ISSUING_NAME = "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022"


def _verify(store: TrustStore) -> VerificationResult:
    return verify_cms(
        sample("legal_entity_attached.der"),
        trust_store=store,
        at=SIGNED_AT,
        check_number=any_number,
    )


def _copy(names: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(NCA / name, folder)
    return folder


def test_kalkans_cms_carries_only_the_signers_certificate() -> None:
    assert len(load_cms(sample("legal_entity_attached.der")).certificates) == 1


def test_kalkans_cms_verifies_through_the_configured_intermediate_to_the_configured_root() -> None:
    result = _verify(TrustStore.from_directory(TRUST_GOST2015))

    assert result.valid, result.to_json()
    chain = result.signers[0].chain
    assert [c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for c in chain] == [
        "ТЕСТОВ ТЕСТ",
        ISSUING_NAME,
        ROOT_NAME,
    ]


def test_a_trust_folder_of_roots_and_intermediates_sorts_each_where_it_is_filed() -> None:
    store = TrustStore.from_directory(TRUST_GOST2015)
    assert store.roots == (certificate("root_test_gost_2022.cer"),)
    assert store.intermediates == (certificate("nca_gost2022_test.cer"),)


def test_a_flat_trust_folder_holding_the_root_still_works(tmp_path: Path) -> None:
    flat = _copy(["nca_gost2022_test.cer", "root_test_gost_2022.cer"], tmp_path / "trust")
    store = TrustStore.from_directory(flat)

    assert store.roots == (certificate("root_test_gost_2022.cer"),)
    assert store.intermediates == (certificate("nca_gost2022_test.cer"),)
    assert _verify(store).valid


def test_a_chain_reaching_only_an_intermediate_is_untrusted_and_names_the_missing_root(
    tmp_path: Path,
) -> None:
    store = TrustStore.from_directory(_copy(["nca_gost2022_test.cer"], tmp_path / "trust"))
    assert store.roots == ()

    result = _verify(store)

    assert [issue.code for issue in result.errors] == [ErrorCode.UNTRUSTED_CHAIN]
    detail = result.errors[0].detail
    assert f"ends at the intermediate 'C=KZ,CN={ISSUING_NAME}'" in detail
    assert f"its root 'C=KZ,CN={ROOT_NAME}' is not configured" in detail


def test_a_root_the_cms_carries_but_the_store_does_not_hold_is_named_as_not_configured(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    with pytest.raises(SigningError) as raised:
        build_chain(ec_signer.certificate, [pki.issuing, pki.root], TrustStore())
    assert raised.value.code is ErrorCode.UNTRUSTED_CHAIN
    assert "reaches the root" in raised.value.detail
    assert "not configured as a root" in raised.value.detail


def test_a_root_of_another_pki_does_not_anchor_the_path() -> None:
    store = TrustStore.from_certificates(
        [certificate("root_rsa_test.crt"), certificate("nca_gost2022_test.cer")]
    )
    result = _verify(store)
    assert [issue.code for issue in result.errors] == [ErrorCode.UNTRUSTED_CHAIN]


def test_a_certificate_filed_under_roots_that_is_not_self_signed_is_refused(
    tmp_path: Path,
) -> None:
    _copy(["nca_gost2022_test.cer"], tmp_path / "trust" / "roots")
    with pytest.raises(TrustStoreError, match="not self-signed; it belongs in intermediates/"):
        TrustStore.from_directory(tmp_path / "trust")


def test_a_root_filed_under_intermediates_is_refused(tmp_path: Path) -> None:
    _copy(["root_test_gost_2022.cer"], tmp_path / "trust" / "intermediates")
    with pytest.raises(TrustStoreError, match="self-signed; it belongs in roots/"):
        TrustStore.from_directory(tmp_path / "trust")


def test_an_intermediate_cannot_be_given_as_a_root() -> None:
    with pytest.raises(TrustStoreError, match="not self-signed"):
        TrustStore(roots=(certificate("nca_gost2022_test.cer"),))


def test_the_rsa_test_root_with_its_issuing_ca_is_one_root_and_one_intermediate() -> None:
    store = TrustStore.from_certificates(
        [certificate("nca_rsa_test.crt"), certificate("root_rsa_test.crt")]
    )
    assert (store.roots, store.intermediates) == (
        (certificate("root_rsa_test.crt"),),
        (certificate("nca_rsa_test.crt"),),
    )


def test_a_pinned_ca_anchors_the_path_though_it_is_not_a_root(
    pki: DevPki, ec_signer: SignerCredential
) -> None:
    # The ledger's genesis pins the Ministry's certificate; its issuer anchors that one check.
    chain = build_chain(ec_signer.certificate, [], TrustStore(pinned=(pki.issuing,)))
    assert chain == [ec_signer.certificate, pki.issuing]


def test_a_missing_trust_folder_is_an_error_not_an_empty_store(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="does not exist"):
        TrustStore.from_directory(tmp_path / "missing")


def test_a_file_given_as_the_trust_folder_is_an_error_not_an_empty_store(tmp_path: Path) -> None:
    file = tmp_path / "root.cer"
    shutil.copy(NCA / "root_test_gost_2022.cer", file)

    with pytest.raises(TrustStoreError, match="is not a folder"):
        TrustStore.from_directory(file)


def test_a_gost_2004_root_in_roots_loads_as_a_root_that_anchors_nothing_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # As docs/eds-trust.md lays the NCA's roots out: the 2004 GOST one beside the 2015 one.
    _copy(["root_test_gost_2022.cer", "root_gost_test.crt"], tmp_path / "roots")
    _copy(["nca_gost2022_test.cer"], tmp_path / "intermediates")

    store = TrustStore.from_directory(tmp_path)

    assert [root.subject for root in store.roots] == [
        certificate("root_test_gost_2022.cer").subject
    ]
    assert store.inert_roots == (certificate("root_gost_test.crt"),)
    assert store.is_anchor(certificate("root_gost_test.crt")) is False
    (warning,) = store.warnings
    assert "GOST 34.310-2004" in warning
    assert "anchors no chain" in warning
    assert warning in caplog.text
    assert _verify(store).valid


def test_a_gost_2004_root_alone_leaves_a_store_without_roots(tmp_path: Path) -> None:
    _copy(["root_gost_test.crt"], tmp_path / "roots")

    store = TrustStore.from_directory(tmp_path)

    assert store.roots == ()
    assert len(store.inert_roots) == 1


def test_a_gost_2004_root_in_a_flat_folder_is_neither_root_nor_intermediate(
    tmp_path: Path,
) -> None:
    _copy(["root_gost_test.crt", "nca_gost_test.crt"], tmp_path)

    store = TrustStore.from_directory(tmp_path)

    assert store.roots == ()
    assert store.inert_roots == (certificate("root_gost_test.crt"),)
