"""The browser harness itself: axe-core reports what it should, and page script can reach a
wss:// server with a self-signed certificate, as the NCALayer stand-in will be."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import Page
from tests.browser.pages import axe, axe_violations, describe

UNLABELLED = (
    "<!DOCTYPE html><html><head><title>Bad</title></head>"
    '<body><main><input id="nameless" type="text"></main></body></html>'
)


def test_axe_finds_an_unlabelled_field_and_a_page_without_a_language(page: Page) -> None:
    page.set_content(UNLABELLED)
    violations = axe_violations(page)
    assert {"label", "html-has-lang"} <= {v["id"] for v in violations}
    report = describe(violations)
    assert "label (critical)" in report
    assert "#nameless" in report
    with pytest.raises(AssertionError, match="html-has-lang"):
        axe(page)


# The WebSocket handshake's fixed GUID (RFC 6455 §1.3).
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


PROBE_PAGE = b"<!DOCTYPE html><html lang=en><title>probe</title></html>"


def _answer(connection: ssl.SSLSocket) -> None:
    """A WebSocket upgrade gets one text message, "hello"; any other request the probe page."""
    request = b""
    while b"\r\n\r\n" not in request and len(request) < 16_384:
        chunk = connection.recv(4096)
        if not chunk:
            return
        request += chunk
    lines = request.decode("latin-1").split("\r\n")[1:]
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    key = headers.get("sec-websocket-key")
    if key is None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
            + f"Content-Length: {len(PROBE_PAGE)}\r\n\r\n".encode()
            + PROBE_PAGE
        )
        return
    accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()  # noqa: S324
    connection.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
    )
    hello = b"hello"
    connection.sendall(bytes([0x81, len(hello)]) + hello)  # one final, unmasked text frame
    connection.recv(1024)  # hold the socket open until the page closes it


@pytest.fixture
def self_signed_wss(tmp_path: Path) -> Iterator[int]:
    """A loopback port serving https:// and wss:// with a self-signed certificate."""
    cert, key = _self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def handle(raw: socket.socket) -> None:
        raw.settimeout(5)
        try:
            with tls.wrap_socket(raw, server_side=True) as connection:
                _answer(connection)
        except OSError:
            pass  # a refused handshake, a closed page, an idle preconnect: nothing to say

    def serve() -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return  # the listener was shut down
            # One thread a connection: Chromium may open a socket it never uses.
            threading.Thread(target=handle, args=(raw,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting in the thread
    listener.close()
    thread.join(timeout=10)


RECEIVE_FIRST_MESSAGE = """(url) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => resolve('timed out'), 5000);
    socket.onmessage = (event) => { clearTimeout(timer); socket.close(); resolve(event.data); };
    socket.onerror = () => { clearTimeout(timer); resolve('error'); };
})"""


def test_page_script_reaches_a_wss_server_with_a_self_signed_certificate(
    page: Page, self_signed_wss: int
) -> None:
    # The product's pages allow connections to wss://127.0.0.1:13579 alone (their
    # Content-Security-Policy), and this server is on a free port: so the page comes from the
    # test server itself. A real loopback page it must be: Chromium's local network access
    # checks keep a page of no address (about:blank, a routed page) away from loopback.
    page.goto(f"https://127.0.0.1:{self_signed_wss}/")
    assert page.evaluate(RECEIVE_FIRST_MESSAGE, f"wss://127.0.0.1:{self_signed_wss}/") == "hello"
