"""NCANode's one-signer RSA CMS: the certificate had expired when it signed (tests/fixtures/nca)."""

from __future__ import annotations

import pytest

from kepil.signing.cms_load import load_cms
from kepil.signing.cms_verify import verify_cms
from kepil.signing.errors import ErrorCode

from .nca_samples import LONG_NAME_WARNING, any_number, ncanode_trust, sample

pytestmark = pytest.mark.filterwarnings(LONG_NAME_WARNING)

ONE_SIGNER_RSA = ["CmsServiceTest.SIGNED_CMS_ONE_SIGNER.p7s", "CmsIntegrationTest.SIGNED_CMS.p7s"]


@pytest.mark.parametrize("name", ONE_SIGNER_RSA)
def test_an_ncanode_rsa_signer_is_certificate_expired_at_its_own_signing_time(name: str) -> None:
    raw = sample(name)
    loaded = load_cms(raw)
    (view,) = loaded.signers
    assert view.signing_time is not None
    (signer_certificate,) = loaded.certificates
    assert view.signing_time > signer_certificate.not_valid_after_utc

    result = verify_cms(
        raw, trust_store=ncanode_trust(), at=view.signing_time, check_number=any_number
    )

    assert [issue.code for issue in result.errors] == [ErrorCode.CERTIFICATE_EXPIRED]
    (signer,) = result.signers
    assert signer.algorithm == "rsa-sha256"
    assert signer.signer is not None  # readable; only its time is wrong
