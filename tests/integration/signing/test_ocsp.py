"""The OCSP client against a tiny responder started on 127.0.0.1 by the tests.

The responder echoes, drops or alters the request's nonce, or replays a stored answer, so
that the client's RFC 8954 handling is tried over HTTP end to end.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from enum import Enum
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from tests.support.clock import MovableClock

from kepil.signing import revocation_ocsp
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import verify_cms
from kepil.signing.dev_ca import KeyAlgorithm, generate_key
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.keys import SigningKey
from kepil.signing.revocation import OcspChecker

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NCA = Path(__file__).parents[2] / "fixtures" / "nca"


class Nonce(Enum):
    """What the responder does with the request's nonce."""

    ECHO = "echo"
    DROP = "drop"
    ALTER = "alter"


class Responder:
    """Answers for the issuing CA: serials listed as revoked or unknown, all others good."""

    def __init__(self, pki: DevPki) -> None:
        self.pki = pki
        self.revoked: set[int] = set()
        self.unknown: set[int] = set()
        self.signing_key: SigningKey = pki.issuing_key
        self.requests = 0
        self.nonce = Nonce.ECHO
        self.nonces_heard: list[bytes | None] = []
        self.age = timedelta(minutes=1)  # how long before NOW the answer was made
        self.replay: bytes | None = None  # a stored answer to send instead

    def reset(self) -> None:
        """Back to fresh answers echoing the nonce."""
        self.nonce, self.age, self.replay = Nonce.ECHO, timedelta(minutes=1), None

    def answer(self, body: bytes) -> bytes:
        """A signed OCSP response to a DER request."""
        self.requests += 1
        request = ocsp.load_der_ocsp_request(body)
        heard = _nonce_of(request)
        self.nonces_heard.append(heard)
        if self.replay is not None:
            return self.replay
        serial = request.serial_number
        status, revoked_at = ocsp.OCSPCertStatus.GOOD, None
        if serial in self.revoked:
            status, revoked_at = ocsp.OCSPCertStatus.REVOKED, NOW - timedelta(days=1)
        elif serial in self.unknown:
            status = ocsp.OCSPCertStatus.UNKNOWN
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                request.issuer_name_hash,
                request.issuer_key_hash,
                serial,
                request.hash_algorithm,
                status,
                this_update=NOW - self.age,
                next_update=NOW + timedelta(hours=1),
                revocation_time=revoked_at,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.pki.issuing)
        )
        if heard is not None and self.nonce is not Nonce.DROP:
            echoed = heard if self.nonce is Nonce.ECHO else bytes([heard[0] ^ 1]) + heard[1:]
            builder = builder.add_extension(x509.OCSPNonce(echoed), critical=False)
        return builder.sign(self.signing_key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER
        )


def _nonce_of(request: ocsp.OCSPRequest) -> bytes | None:
    try:
        return request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[DevPki, Responder, str]]:
    """A test PKI whose certificates point at a responder running in a thread."""
    holder: dict[str, Responder] = {}

    class Handler(BaseHTTPRequestHandler):
        timeout = 5  # seconds per socket read: a stuck connection cannot hold the test

        def do_POST(self) -> None:
            length = min(int(self.headers["Content-Length"]), 64 * 1024)
            answer = holder["responder"].answer(self.rfile.read(length))
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    pki = DevPki.create(NOW, ocsp_url=url)
    holder["responder"] = Responder(pki)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pki, holder["responder"], url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def person(served: tuple[DevPki, Responder, str]) -> Iterator[SignerCredential]:
    """A fresh holder whose certificate names the responder; the responder is reset after."""
    yield served[0].person(NOW)
    served[1].reset()


def test_a_good_certificate_passes_the_ocsp_check(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, _, _ = served
    OcspChecker(timeout=5, clock=MovableClock(NOW)).check(person.certificate, pki.issuing, NOW)


def test_a_revoked_certificate_is_reported_by_ocsp(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    responder.revoked.add(person.certificate.serial_number)
    with pytest.raises(SigningError) as raised:
        OcspChecker(timeout=5, clock=MovableClock(NOW)).check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.CERTIFICATE_REVOKED


def test_an_unknown_certificate_leaves_revocation_unknown(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    responder.unknown.add(person.certificate.serial_number)
    with pytest.raises(SigningError) as raised:
        OcspChecker(timeout=5, clock=MovableClock(NOW)).check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_an_answer_signed_by_a_stranger_is_not_believed(
    served: tuple[DevPki, Responder, str], person: SignerCredential, other_key: SigningKey
) -> None:
    pki, responder, _ = served
    responder.signing_key = other_key
    try:
        with pytest.raises(SigningError) as raised:
            OcspChecker(timeout=5, clock=MovableClock(NOW)).check(
                person.certificate, pki.issuing, NOW
            )
    finally:
        responder.signing_key = pki.issuing_key
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_an_unreachable_responder_fails_fast_as_revocation_unknown(
    served: tuple[DevPki, Responder, str],
) -> None:
    pki, _, _ = served
    # A certificate that names no responder, so the configured URL is asked.
    person = DevPki(pki.root_key, pki.root, pki.issuing_key, pki.issuing).person(NOW)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    checker = OcspChecker(f"http://127.0.0.1:{closed_port}/", timeout=2, clock=MovableClock(NOW))
    assert "ocsp" not in str(person.certificate.extensions).lower()
    with pytest.raises(SigningError) as raised:
        checker.check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN


def test_cms_verification_asks_the_responder_named_in_the_certificate(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    before = responder.requests
    signed = sign_cms(b"data", [person], signing_time=NOW)
    good = verify_cms(
        signed,
        trust_store=pki.trust_store(),
        at=NOW,
        revocation=[OcspChecker(clock=MovableClock(NOW))],
    )
    assert good.valid, good.errors
    assert responder.requests > before
    responder.revoked.add(person.certificate.serial_number)
    bad = verify_cms(
        signed,
        trust_store=pki.trust_store(),
        at=NOW,
        revocation=[OcspChecker(clock=MovableClock(NOW))],
    )
    assert {issue.code for issue in bad.errors} == {ErrorCode.CERTIFICATE_REVOKED}


@pytest.fixture(scope="module")
def other_key() -> SigningKey:
    """A key nobody trusts."""
    return generate_key(KeyAlgorithm.EC)


def test_certificates_name_their_responder(served: tuple[DevPki, Responder, str]) -> None:
    pki, _, url = served
    credential = pki.person(NOW)
    access = credential.certificate.extensions.get_extension_for_class(
        x509.AuthorityInformationAccess
    )
    assert access.value[0].access_location.value == url


def test_each_request_carries_a_fresh_nonce_and_an_echoing_answer_is_believed(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    checker = OcspChecker(timeout=5, clock=MovableClock(NOW))
    checker.check(person.certificate, pki.issuing, NOW)
    checker.check(person.certificate, pki.issuing, NOW)
    first, second = responder.nonces_heard[-2:]
    assert first is not None
    assert second is not None
    assert len(first) == 16
    assert first != second


def test_an_answer_altering_the_nonce_is_refused_as_a_nonce_mismatch(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    responder.nonce = Nonce.ALTER
    with pytest.raises(SigningError) as raised:
        OcspChecker(timeout=5, clock=MovableClock(NOW)).check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "nonce mismatch" in raised.value.detail


def test_an_answer_dropping_the_nonce_is_refused_by_default(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    responder.nonce = Nonce.DROP
    with pytest.raises(SigningError) as raised:
        OcspChecker(timeout=5, clock=MovableClock(NOW)).check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "no nonce echoed" in raised.value.detail


def test_an_answer_dropping_the_nonce_is_believed_within_a_nonceless_max_age_if_allowed(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    responder.nonce = Nonce.DROP  # made a minute before NOW
    checker = OcspChecker(
        timeout=5, clock=MovableClock(NOW), nonceless_max_age=timedelta(minutes=5)
    )
    checker.check(person.certificate, pki.issuing, NOW)


@pytest.mark.parametrize("age", [timedelta(minutes=10), timedelta(days=2)])
def test_an_old_answer_dropping_the_nonce_is_refused_though_its_next_update_is_ahead(
    served: tuple[DevPki, Responder, str], person: SignerCredential, age: timedelta
) -> None:
    pki, responder, _ = served
    responder.nonce, responder.age = Nonce.DROP, age
    checker = OcspChecker(
        timeout=5, clock=MovableClock(NOW), nonceless_max_age=timedelta(minutes=5)
    )
    with pytest.raises(SigningError) as raised:
        checker.check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "echoes no nonce" in raised.value.detail


def test_an_old_answer_echoing_the_nonce_is_believed_until_its_next_update(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    pki, responder, _ = served
    responder.age = timedelta(days=2)
    OcspChecker(timeout=5, clock=MovableClock(NOW)).check(person.certificate, pki.issuing, NOW)


def test_a_replayed_real_nca_answer_is_refused_for_its_nonce(
    served: tuple[DevPki, Responder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, responder, url = served
    # The certificate names test.pki.gov.kz; the test must not leave the machine.
    monkeypatch.setattr(revocation_ocsp, "responder_url", lambda _: url)
    responder.replay = (NCA / "ocsp_response_ceo_2015_revoked.bin").read_bytes()
    ceo = x509.load_pem_x509_certificate(
        (NCA / "WithTestData.KEY_CEO_REVOKED_2015.cert.pem").read_bytes()
    )
    issuer = x509.load_der_x509_certificate((NCA / "nca_gost2022_test.cer").read_bytes())
    produced_at = datetime(2022, 9, 2, 16, 59, 28, tzinfo=UTC)
    try:
        with pytest.raises(SigningError) as raised:
            OcspChecker(timeout=5, clock=MovableClock(produced_at)).check(ceo, issuer, produced_at)
    finally:
        responder.reset()
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "nonce mismatch" in raised.value.detail


def test_a_certificate_revoked_after_a_past_moment_was_good_at_that_moment(
    served: tuple[DevPki, Responder, str], person: SignerCredential
) -> None:
    # The responder says revoked a day before NOW; a time-stamp puts the signature two days back.
    pki, responder, _ = served
    responder.revoked.add(person.certificate.serial_number)
    checker = OcspChecker(timeout=5, clock=MovableClock(NOW))
    checker.check(person.certificate, pki.issuing, NOW - timedelta(days=2))
    with pytest.raises(SigningError) as raised:
        checker.check(person.certificate, pki.issuing, NOW)
    assert raised.value.code is ErrorCode.CERTIFICATE_REVOKED
