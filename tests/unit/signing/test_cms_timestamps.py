"""RFC 3161 time-stamps by a test TSA under kepil's dev CA: when a token sets the signing moment."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation import CrlChecker
from kepil.signing.timestamp import TimestampStatus, check_imprint, verify_timestamp_token

from .conftest import NOW
from .tsa import make_token, signature_value, tsa_credential, with_tokens

DATA = b"permit application #7, time-stamped"
HOLDER = Holder(Profile.INDIVIDUAL, iin="900101300126", name="ТЕСТОВ ТЕСТ ТЕСТОВИЧ")


@pytest.fixture(scope="module")
def pki() -> DevPki:
    """A PKI of this module's own: its tests revoke certificates."""
    return DevPki.create(NOW)


@pytest.fixture(scope="module", params=[KeyAlgorithm.RSA, KeyAlgorithm.EC], ids=["rsa", "ecdsa"])
def tsa(pki: DevPki, request: pytest.FixtureRequest) -> SignerCredential:
    """A time-stamping authority of the same PKI, RSA or ECDSA."""
    return tsa_credential(pki, NOW - timedelta(days=1), algorithm=request.param)


@pytest.fixture
def short_lived(pki: DevPki) -> SignerCredential:
    """A signer whose certificate is valid for two days from NOW."""
    return pki.issue(HOLDER, NOW, days=2)


def stamped(
    credential: SignerCredential,
    tsa: SignerCredential,
    gen_time: datetime,
    signing_time: datetime = NOW + timedelta(hours=1),
) -> bytes:
    signed = sign_cms(DATA, [credential], signing_time=signing_time)
    return with_tokens(signed, make_token(tsa, signature_value(signed), gen_time))


def verify(cms_bytes: bytes, pki: DevPki, at: datetime, **options: object) -> VerificationResult:
    return verify_cms(cms_bytes, trust_store=pki.trust_store(), at=at, **options)  # type: ignore[arg-type]


def codes(result: VerificationResult) -> list[ErrorCode]:
    return [issue.code for issue in result.errors]


def test_timestamp_from_trusted_token_sets_signing_moment(
    pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    gen_time = NOW + timedelta(hours=1, minutes=1)

    result = verify(stamped(short_lived, tsa, gen_time), pki, NOW + timedelta(days=1))

    assert result.valid, result.to_json()
    (signer,) = result.signers
    assert signer.signed_at == gen_time
    assert signer.signed_at_source == "timestamp"
    assert signer.timestamp is not None
    assert signer.timestamp.status is TimestampStatus.TRUSTED
    assert signer.timestamp.chain[-1] == pki.root
    assert signer.warnings == ()
    document = result.to_json()["signers"][0]
    assert document["timestamp"]["valid"] is True
    assert document["timestamp"]["time"] == gen_time.isoformat()
    assert document["timestamp"]["tsa"] == "C=KZ,CN=kepil TEST TSA — NOT FOR PRODUCTION"


def test_a_certificate_expired_at_the_judging_moment_but_valid_at_the_token_time_stays_valid(
    pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    signed = stamped(short_lived, tsa, NOW + timedelta(hours=2))
    later = NOW + timedelta(days=30)

    result = verify(signed, pki, later)

    assert result.valid, result.to_json()
    assert result.signers[0].signed_at == NOW + timedelta(hours=2)


def test_without_a_token_the_same_signature_judged_after_expiry_is_certificate_expired(
    pki: DevPki, short_lived: SignerCredential
) -> None:
    signed = sign_cms(DATA, [short_lived], signing_time=NOW + timedelta(hours=1))

    result = verify(signed, pki, NOW + timedelta(days=30))

    assert codes(result) == [ErrorCode.CERTIFICATE_EXPIRED]
    assert result.signers[0].signed_at_source == "signing_time_attribute"


def test_validity_is_judged_at_the_token_time_not_at_the_claimed_signing_time(
    pki: DevPki, tsa: SignerCredential
) -> None:
    starts = NOW + timedelta(days=1)
    signer = pki.issue(HOLDER, starts, days=2)
    # The signer claims a moment inside the validity; the TSA saw the signature a minute
    # before the certificate began.
    claimed = starts + timedelta(minutes=2)
    signed = stamped(signer, tsa, starts - timedelta(minutes=1), claimed)
    unstamped = sign_cms(DATA, [signer], signing_time=claimed)

    result = verify(signed, pki, starts + timedelta(hours=1))

    assert codes(result) == [ErrorCode.CERTIFICATE_NOT_YET_VALID]
    assert verify(unstamped, pki, starts + timedelta(hours=1)).valid


def test_a_token_time_after_the_judging_moment_is_signing_time_in_future(
    pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    signed = stamped(short_lived, tsa, NOW + timedelta(days=1))

    result = verify(signed, pki, NOW + timedelta(hours=3))

    assert codes(result) == [ErrorCode.SIGNING_TIME_IN_FUTURE]


def test_a_signing_time_attribute_after_the_token_time_is_signing_time_in_future(
    pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    # Signed "at NOW + 1 h" by its own claim, but the TSA saw it at NOW + 10 min.
    signed = stamped(short_lived, tsa, NOW + timedelta(minutes=10))

    result = verify(signed, pki, NOW + timedelta(days=1))

    assert codes(result) == [ErrorCode.SIGNING_TIME_IN_FUTURE]
    assert "after its time-stamp" in result.errors[0].detail


def test_revocation_after_the_token_time_does_not_undo_the_signature() -> None:
    pki = DevPki.create(NOW)
    tsa = tsa_credential(pki, NOW - timedelta(days=1))
    signer = pki.issue(HOLDER, NOW)
    signed = stamped(signer, tsa, NOW + timedelta(hours=2))
    pki.revoke(signer.certificate, NOW + timedelta(days=3))
    crl = CrlChecker([pki.crl(NOW + timedelta(days=4))])

    stamped_result = verify(signed, pki, NOW + timedelta(days=5), revocation=[crl])
    unstamped = sign_cms(DATA, [signer], signing_time=NOW + timedelta(hours=1))
    unstamped_result = verify(unstamped, pki, NOW + timedelta(days=5), revocation=[crl])

    assert stamped_result.valid, stamped_result.to_json()
    assert codes(unstamped_result) == [ErrorCode.CERTIFICATE_REVOKED]


def test_revocation_before_the_token_time_refuses_the_signature() -> None:
    pki = DevPki.create(NOW)
    tsa = tsa_credential(pki, NOW - timedelta(days=1))
    signer = pki.issue(HOLDER, NOW)
    signed = stamped(signer, tsa, NOW + timedelta(hours=2))
    pki.revoke(signer.certificate, NOW + timedelta(hours=1, minutes=30))
    crl = CrlChecker([pki.crl(NOW + timedelta(days=1))])

    result = verify(signed, pki, NOW + timedelta(days=2), revocation=[crl])

    assert codes(result) == [ErrorCode.CERTIFICATE_REVOKED]


def test_a_token_from_a_tsa_outside_the_trust_store_is_an_untrusted_warning(
    pki: DevPki, other_pki: DevPki, short_lived: SignerCredential
) -> None:
    stranger = tsa_credential(other_pki, NOW - timedelta(days=1))
    signed = stamped(short_lived, stranger, NOW + timedelta(hours=2))

    result = verify(signed, pki, NOW + timedelta(days=1))

    assert result.valid, result.to_json()
    (signer,) = result.signers
    assert signer.signed_at == NOW + timedelta(hours=1)
    assert signer.signed_at_source == "signing_time_attribute"
    assert signer.timestamp is not None
    assert signer.timestamp.status is TimestampStatus.UNTRUSTED
    assert [e.code for e in signer.timestamp.errors] == [ErrorCode.UNTRUSTED_CHAIN]
    assert [w.code for w in result.warnings] == [ErrorCode.TIMESTAMP_UNTRUSTED]


def test_an_untrusted_token_leaves_an_expired_certificate_expired(
    pki: DevPki, other_pki: DevPki, short_lived: SignerCredential
) -> None:
    stranger = tsa_credential(other_pki, NOW - timedelta(days=1))
    signed = stamped(short_lived, stranger, NOW + timedelta(hours=2))

    result = verify(signed, pki, NOW + timedelta(days=30))

    assert codes(result) == [ErrorCode.CERTIFICATE_EXPIRED]
    assert [w.code for w in result.warnings] == [ErrorCode.TIMESTAMP_UNTRUSTED]


@pytest.mark.parametrize(
    ("usages", "critical"),
    [
        ([ExtendedKeyUsageOID.CLIENT_AUTH], True),
        ([ExtendedKeyUsageOID.TIME_STAMPING], False),
        ([ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.EMAIL_PROTECTION], True),
    ],
    ids=["client-auth", "not-critical", "two-usages"],
)
def test_a_token_signed_by_a_certificate_not_made_for_time_stamping_is_untrusted(
    pki: DevPki,
    short_lived: SignerCredential,
    usages: list[x509.ObjectIdentifier],
    critical: bool,
) -> None:
    not_a_tsa = tsa_credential(pki, NOW - timedelta(days=1), usages=usages, critical=critical)
    signed = stamped(short_lived, not_a_tsa, NOW + timedelta(hours=2))

    result = verify(signed, pki, NOW + timedelta(days=1))

    assert result.valid
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert stamp.status is TimestampStatus.UNTRUSTED
    assert [e.code for e in stamp.errors] == [ErrorCode.WRONG_KEY_USAGE]
    assert result.signers[0].signed_at_source == "signing_time_attribute"


def test_a_token_from_a_tsa_certificate_expired_at_gen_time_is_untrusted(
    pki: DevPki, short_lived: SignerCredential
) -> None:
    lapsed = tsa_credential(pki, NOW - timedelta(days=10), days=5)
    signed = stamped(short_lived, lapsed, NOW + timedelta(hours=2))

    stamp = verify(signed, pki, NOW + timedelta(days=1)).signers[0].timestamp

    assert stamp is not None
    assert [e.code for e in stamp.errors] == [ErrorCode.CERTIFICATE_EXPIRED]
    assert stamp.status is TimestampStatus.UNTRUSTED


def test_a_token_without_certificates_finds_its_tsa_in_the_trust_store(
    pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    signed = sign_cms(DATA, [short_lived], signing_time=NOW)
    token = make_token(tsa, signature_value(signed), NOW, include_certificates=False)
    store_without = pki.trust_store()
    store_with = type(store_without).from_certificates([pki.root, tsa.certificate, pki.issuing])

    missing = verify_timestamp_token(token, signature_value(signed), store_without)
    found = verify_timestamp_token(token, signature_value(signed), store_with)

    assert [e.code for e in missing.errors] == [ErrorCode.SIGNER_CERTIFICATE_MISSING]
    assert missing.status is TimestampStatus.UNTRUSTED
    assert found.status is TimestampStatus.TRUSTED, found.errors


def test_a_token_moved_onto_another_signature_is_invalid_by_its_imprint(
    pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    first = sign_cms(DATA, [short_lived], signing_time=NOW)
    second = sign_cms(b"another document", [short_lived], signing_time=NOW)
    token = make_token(tsa, signature_value(first), NOW + timedelta(minutes=1))

    result = verify(with_tokens(second, token), pki, NOW + timedelta(hours=1))

    assert result.valid  # the signature itself is judged on its own
    stamp = result.signers[0].timestamp
    assert stamp is not None
    assert stamp.status is TimestampStatus.INVALID
    assert [e.code for e in stamp.errors] == [ErrorCode.TIMESTAMP_IMPRINT_MISMATCH]
    assert [w.code for w in result.warnings] == [ErrorCode.TIMESTAMP_INVALID]
    assert result.signers[0].signed_at_source == "signing_time_attribute"


def test_of_two_tokens_the_trusted_one_gives_the_moment_and_the_other_is_a_warning(
    pki: DevPki, other_pki: DevPki, tsa: SignerCredential, short_lived: SignerCredential
) -> None:
    signed = sign_cms(DATA, [short_lived], signing_time=NOW)
    value = signature_value(signed)
    stranger = tsa_credential(other_pki, NOW - timedelta(days=1))
    tokens = (
        make_token(stranger, value, NOW + timedelta(minutes=1)),
        make_token(tsa, value, NOW + timedelta(minutes=2)),
    )

    result = verify(with_tokens(signed, *tokens), pki, NOW + timedelta(hours=1))

    (signer,) = result.signers
    assert signer.signed_at == NOW + timedelta(minutes=2)
    assert signer.timestamp is not None
    assert signer.timestamp.valid
    statuses = {stamp.time: stamp.status for stamp in signer.timestamps}
    assert statuses == {
        NOW + timedelta(minutes=1): TimestampStatus.UNTRUSTED,
        NOW + timedelta(minutes=2): TimestampStatus.TRUSTED,
    }
    assert [w.code for w in result.warnings] == [ErrorCode.TIMESTAMP_UNTRUSTED]


@pytest.mark.parametrize("imprint_hash", ["sha256", "sha384", "sha512"])
def test_imprints_made_with_each_sha_2_hash_are_checked(
    pki: DevPki, tsa: SignerCredential, imprint_hash: str
) -> None:
    token = make_token(tsa, b"signature value", NOW, imprint_hash=imprint_hash)

    good = verify_timestamp_token(token, b"signature value", pki.trust_store())
    bad = verify_timestamp_token(token, b"signature valuE", pki.trust_store())

    assert good.status is TimestampStatus.TRUSTED, good.errors
    assert [e.code for e in bad.errors] == [ErrorCode.TIMESTAMP_IMPRINT_MISMATCH]


@pytest.mark.parametrize(
    ("oid", "name"),
    [("1.3.14.3.2.26", "SHA-1"), ("1.2.398.3.10.1.3.1", "GOST 34.311-95"), ("1.2.3.4", "1.2.3.4")],
)
def test_an_imprint_hash_not_checked_here_is_unsupported_not_a_mismatch(
    oid: str, name: str
) -> None:
    with pytest.raises(SigningError, match=name) as raised:
        check_imprint(oid, b"\x00" * 20, b"signature value")

    assert raised.value.code is ErrorCode.UNSUPPORTED_ALGORITHM


def test_no_damage_anywhere_in_a_token_takes_the_signature_down_or_raises(
    pki: DevPki, short_lived: SignerCredential
) -> None:
    tsa = tsa_credential(pki, NOW - timedelta(days=1))
    signed = stamped(short_lived, tsa, NOW + timedelta(hours=2))
    # The time-stamp attribute, from its type to the end: the last part of the last SignerInfo.
    start = signed.index(b"\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0e")
    at = NOW + timedelta(days=1)

    for offset in range(start, len(signed), 3):  # every third byte: the machine is shared
        damaged = signed[:offset] + bytes([signed[offset] ^ 0x5A]) + signed[offset + 1 :]
        result = verify(damaged, pki, at)
        assert result.valid, (offset - start, result.to_json())
        stamp = result.signers[0].timestamp
        if stamp is not None and stamp.valid:
            # Only what no signature covers may change and leave the token trusted.
            assert stamp.time == NOW + timedelta(hours=2), offset - start


@pytest.mark.parametrize("binding", ["v1", "v2"])
def test_a_token_bound_to_its_tsa_certificate_by_either_ess_version_is_trusted(
    pki: DevPki, tsa: SignerCredential, binding: str
) -> None:
    token = make_token(tsa, b"signature value", NOW, binding=binding)

    result = verify_timestamp_token(token, b"signature value", pki.trust_store())

    assert result.status is TimestampStatus.TRUSTED, result.errors


def test_a_token_without_the_ess_signing_certificate_attribute_is_untrusted(
    pki: DevPki, tsa: SignerCredential
) -> None:
    token = make_token(tsa, b"signature value", NOW, binding=None)

    result = verify_timestamp_token(token, b"signature value", pki.trust_store())

    assert result.status is TimestampStatus.UNTRUSTED
    assert [e.code for e in result.errors] == [ErrorCode.TIMESTAMP_CERTIFICATE_UNBOUND]


@pytest.mark.parametrize("binding", ["v1", "v2"])
def test_a_token_whose_ess_attribute_names_another_certificate_is_invalid(
    pki: DevPki, tsa: SignerCredential, binding: str
) -> None:
    # Same key, another certificate: what the ESS attribute is there to tell apart.
    token = make_token(tsa, b"signature value", NOW, binding=binding, bound_certificate=pki.issuing)

    result = verify_timestamp_token(token, b"signature value", pki.trust_store())

    assert result.status is TimestampStatus.INVALID
    assert [e.code for e in result.errors] == [ErrorCode.TIMESTAMP_CERTIFICATE_MISMATCH]
