"""Keys for the NCALayer stand-in's tests: a person's two TEST-PKI keys, and an NCA-like one."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from tests.support.pki import PKI_EPOCH, session_pki

from kepil.entrypoints.ncalayer.keys import OfferedKey, StandardSigner
from kepil.entrypoints.ncalayer.protocol import StandIn, pem_cms_der
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.nca_profile import EKU_INDIVIDUAL, KeyKind

IIN = "900101300126"
NAME = "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
OTHER_IIN = "850515400123"
SIGNED_AT = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
SIGN_IN_EKU = "1.3.6.1.5.5.7.3.2"
RECORDED = Path(__file__).parents[1] / "unit" / "ncalayer" / "recorded_ncalayer.json"


@dataclass(frozen=True)
class Keys:
    """One person's authentication key, kepil's TEST-PKI signing key, and an NCA-like one."""

    auth: OfferedKey
    sign: OfferedKey
    bare_sign: OfferedKey


def person_keys(iin: str = IIN) -> Keys:
    """The three keys of a person with `iin`, issued by the session's TEST PKI."""
    pki = session_pki()
    issued = {
        usage: pki.issue(
            Holder(Profile.INDIVIDUAL, iin=iin, name=NAME, usage=usage), PKI_EPOCH, days=3 * 365
        )
        for usage in (KeyKind.AUTH, KeyKind.SIGN)
    }
    return Keys(
        _offered(f"{iin}-auth", issued[KeyKind.AUTH]),
        _offered(f"{iin}-sign", issued[KeyKind.SIGN]),
        _offered(f"{iin}-bare", _without_email_protection(issued[KeyKind.SIGN])),
    )


def _offered(alias: str, credential: SignerCredential) -> OfferedKey:
    return OfferedKey.of(Path(f"{alias}.p12"), alias, StandardSigner(credential))


def _without_email_protection(signing: SignerCredential) -> SignerCredential:
    # A signing key from a CA that leaves out emailProtection (NCA and kepil's TEST PKI add it):
    # NCALayer's filter for signing keys must pass it over.
    pki = session_pki()
    key = ec.generate_private_key(ec.SECP256R1())
    usage = signing.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(signing.certificate.subject)
        .issuer_name(pki.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(PKI_EPOCH)
        .not_valid_after(PKI_EPOCH + timedelta(days=3 * 365))
        .add_extension(usage, critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(EKU_INDIVIDUAL)]),
            critical=False,
        )
        .sign(pki.issuing_key, hashes.SHA256())
    )
    return SignerCredential(key, certificate, (pki.issuing,))


def stand_in(*keys: OfferedKey, **options: Any) -> StandIn:
    """A stand-in offering `keys` on a fixed clock."""
    return StandIn(tuple(keys), lambda: SIGNED_AT, **options)


def sign_request(
    data: str | list[str],
    *,
    ekus: list[str] | None = None,
    encapsulate: bool = True,
    **signer: object,
) -> str:
    """A basics sign request as kepil's pages send it (CMS, base64 data, test keys allowed)."""
    return json.dumps(
        {
            "module": "kz.gov.pki.knca.basics",
            "method": "sign",
            "args": {
                "allowedStorages": ["PKCS12"],
                "format": "cms",
                "data": data,
                "signingParams": {
                    "decode": True,
                    "encapsulate": encapsulate,
                    "digested": False,
                    "tsaProfile": None,
                },
                "signerParams": {"extKeyUsageOids": ekus or [], "chain": [], **signer},
                "locale": "kk",
            },
        }
    )


def b64(data: bytes) -> str:
    """Base64 text of `data`."""
    return base64.b64encode(data).decode("ascii")


def verify_result(pem: str, purpose: KeyKind, data: bytes | None = None) -> VerificationResult:
    """kepil's verdict on a basics sign result, against the session's TEST PKI."""
    return verify_cms(
        pem_cms_der(pem),
        trust_store=session_pki().trust_store(),
        at=SIGNED_AT + timedelta(minutes=1),
        data=data,
        purpose=purpose,
    )
