"""A CMS with several problems is refused for the most decisive one, and names them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms as asn1_cms
from tests.support.pki import session_pki

from kepil.adapters.eds import EdsSignInVerifier, refusal_for
from kepil.domain.auth import SignInRefusal, SignInRefusedError
from kepil.signing.cms_sign import sign_cms
from kepil.signing.cms_verify import Issue
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode
from kepil.signing.nca_profile import KeyKind

NOW = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)
NONCE = "nonce-0123456789"


def _two_signer_cms(pki: DevPki, stranger_pki: DevPki, *, signing_key_first: bool) -> bytes:
    # DER sorts SignerInfos by their encoding, which depends on random serial numbers; sign
    # afresh until the wanted one comes first, so the test never depends on luck.
    for _ in range(64):
        signing_key = pki.person(NOW, usage=KeyKind.SIGN)
        stranger = stranger_pki.person(NOW, usage=KeyKind.AUTH)
        cms = sign_cms(NONCE.encode(), [signing_key, stranger], signing_time=NOW)
        signer_infos = asn1_cms.ContentInfo.load(cms)["content"]["signer_infos"]
        first_serial = signer_infos[0]["sid"].chosen["serial_number"].native
        if (first_serial == signing_key.certificate.serial_number) == signing_key_first:
            return cms
    raise AssertionError("could not put the signers in the wanted order")


@pytest.mark.parametrize("signing_key_first", [True, False])
def test_an_untrusted_signer_outranks_a_signing_key_in_either_order(
    signing_key_first: bool,
) -> None:
    pki = session_pki()
    stranger_pki = DevPki.create(NOW - timedelta(days=30))
    cms = _two_signer_cms(pki, stranger_pki, signing_key_first=signing_key_first)

    with pytest.raises(SignInRefusedError) as refused:
        EdsSignInVerifier(pki.trust_store()).verify(cms, NONCE, NOW)

    assert refused.value.code is SignInRefusal.INVALID_SIGNATURE
    assert "wrong_key_usage: " in refused.value.detail
    assert "untrusted_chain: " in refused.value.detail


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (
            [ErrorCode.WRONG_KEY_USAGE, ErrorCode.BAD_SIGNATURE, ErrorCode.MALFORMED_CMS],
            SignInRefusal.MALFORMED_SIGNATURE,
        ),
        (
            [ErrorCode.DIGEST_MISMATCH, ErrorCode.CONTENT_MISSING],
            SignInRefusal.MALFORMED_SIGNATURE,
        ),
        (
            [ErrorCode.WRONG_KEY_USAGE, ErrorCode.CERTIFICATE_EXPIRED],
            SignInRefusal.INVALID_SIGNATURE,
        ),
        ([ErrorCode.WRONG_KEY_USAGE], SignInRefusal.NOT_AN_AUTHENTICATION_KEY),
        ([], SignInRefusal.INVALID_SIGNATURE),
    ],
)
def test_the_refusal_code_does_not_depend_on_the_order_of_issues(
    codes: list[ErrorCode], expected: SignInRefusal
) -> None:
    issues = [Issue(code, f"detail {n}", n) for n, code in enumerate(codes)]
    for ordering in (issues, issues[::-1]):
        refusal = refusal_for(ordering)
        assert refusal.code is expected
        for issue in issues:
            assert f"{issue.code.value}: {issue.detail}" in refusal.detail
