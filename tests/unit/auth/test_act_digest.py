"""A signed act is named by its signer and the bytes the signature covers, not by its wrapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asn1crypto import cms as asn1_cms
from tests.support.pki import applicant_director, session_pki, sign_bytes

from kepil.adapters.eds_documents import EdsDocumentVerifier

NOW = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)
TEXT = b'{"action":"suspend","registry_number":"REG-2026-000001"}'


def _rewrapped(cms: bytes) -> bytes:
    # The same signature in another wrapping: unsigned attributes are not covered by it.
    info = asn1_cms.ContentInfo.load(cms)
    signer = info["content"]["signer_infos"][0]
    signer["unsigned_attrs"] = asn1_cms.CMSAttributes(
        [{"type": "signing_time", "values": [asn1_cms.Time({"utc_time": NOW})]}]
    )
    return bytes(info.dump(force=True))


def test_a_rewrapped_cms_is_the_same_act_and_a_new_signing_another() -> None:
    director = applicant_director()
    verifier = EdsDocumentVerifier(session_pki().trust_store())
    cms = sign_bytes(director.sign, TEXT, NOW - timedelta(seconds=1))
    rewrapped = _rewrapped(cms)
    later = sign_bytes(director.sign, TEXT, NOW)
    first = verifier.verify(cms, NOW).act_digest
    assert rewrapped != cms
    assert verifier.verify(rewrapped, NOW).act_digest == first
    assert verifier.verify(later, NOW).act_digest != first
