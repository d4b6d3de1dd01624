"""Issue 20 items 8 and 9 for the signed acts held without a number (the §8 notice, complaint
decisions): the QR code and check address name the act's case and the SHA-256 of its signed
bytes; `kepil doc render` draws them so and `kepil doc verify` accepts only that address."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import zxingcpp
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image
from tests.support.ministry import MINISTRY_BIN, SIGNED_AT, Ministry
from tests.support.pdf_documents import CHECK_BASE, pdf_pages_png, seal
from typer.testing import CliRunner

from kepil.adapters.pdf.check import Expectations, PdfCheck, check_pdf
from kepil.adapters.pdf.reading import page_texts, read_parts
from kepil.adapters.pdf.render import (
    SealedDocument,
    act_case,
    act_check_url,
    check_url,
    render_pdf,
)
from kepil.entrypoints.cli.main import app
from kepil.services.permits.views.acts import act_name

EXPECT = Expectations(MINISTRY_BIN, (CHECK_BASE,))
CASE = "CMP-2026-000001"
DECISION = {"complaint_number": CASE, "action": "reject", "decision": "Негізсіз."}
NOTICE = {
    "application_number": "APP-2026-000007",
    "action": "issue_preliminary_refusal",
    "grounds": [2],
    "motivation": "кепілдік хат 5 түйінді растамайды",
    "hearing_at": "2026-03-30T15:00:00+05:00",
    "place": "онлайн",
}


def _verdict(pdf: bytes, ministry: Ministry, expect: Expectations = EXPECT) -> PdfCheck:
    return check_pdf(pdf, ministry.pki.trust_store(), SIGNED_AT, expect)


def _codes(verdict: PdfCheck) -> list[str]:
    return [finding.code for finding in verdict.findings]


def _address(sealed: SealedDocument, case: str, base: str = CHECK_BASE) -> str:
    return act_check_url(base, case, hashlib.sha256(sealed.content).hexdigest())


def test_an_acts_address_names_its_case_and_the_sha256_of_its_signed_bytes() -> None:
    digest = "ab" * 32
    assert act_check_url("https://kepil.kz/", "APP-2026-000001", digest) == (
        f"https://kepil.kz/check?act={digest}&case=APP-2026-000001"
    )
    assert act_case(NOTICE) == "APP-2026-000007"
    assert act_case(DECISION) == CASE
    assert act_case({"action": "reject"}) == ""
    assert act_case({"application_number": 7, "complaint_number": CASE}) == CASE


def _sealed(ministry: Ministry, body: dict[str, object]) -> SealedDocument:
    """An act signed by the Ministry, named as the service names it."""
    drawn = seal(ministry, "", body)
    digest = hashlib.sha256(drawn.content).hexdigest()
    return SealedDocument(act_name(act_case(body), digest), drawn.content, drawn.signature)


def test_doc_render_draws_an_act_with_a_qr_code_to_its_act_address(
    ministry: Ministry, tmp_path: Path
) -> None:
    sealed = _sealed(ministry, DECISION)
    (tmp_path / "act.json").write_bytes(sealed.content)
    (tmp_path / "act.p7s").write_bytes(sealed.signature)
    out = tmp_path / "act.pdf"
    made = CliRunner().invoke(
        app,
        ["doc", "render", str(tmp_path / "act.json"), str(tmp_path / "act.p7s"), str(out),
         "--base-url", CHECK_BASE],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    pdf = out.read_bytes()
    address = _address(sealed, CASE)
    assert read_parts(pdf).number == sealed.number
    assert read_parts(pdf).parameters["check_url"] == address
    for page in pdf_pages_png(out, tmp_path):
        assert [code.text for code in zxingcpp.read_barcodes(Image.open(page))] == [address]
    assert _verdict(pdf, ministry).valid
    # Same act, same address: the same bytes as the server draws.
    assert pdf == render_pdf(sealed, address)


def test_an_act_pointing_at_a_number_no_address_or_another_act_is_refused(
    ministry: Ministry,
) -> None:
    sealed = _sealed(ministry, NOTICE)
    assert _verdict(render_pdf(sealed, _address(sealed, "APP-2026-000007")), ministry).valid
    for wrong in (
        check_url(CHECK_BASE, sealed.number),
        "",
        act_check_url(CHECK_BASE, "APP-2026-000007", "0" * 64),
        _address(sealed, "APP-2026-000008"),
        _address(sealed, "APP-2026-000007", "https://evil.example"),
    ):
        verdict = _verdict(render_pdf(sealed, wrong), ministry)
        assert _codes(verdict) == ["check_url_mismatch"], wrong
        assert not verdict.valid


def test_an_act_naming_no_case_carries_no_qr_and_says_to_check_it_with_doc_verify(
    ministry: Ministry, tmp_path: Path
) -> None:
    sealed = seal(ministry, "ACT-1", {"action": "reject", "decision": "Негізсіз."})
    (tmp_path / "act.json").write_bytes(sealed.content)
    (tmp_path / "act.p7s").write_bytes(sealed.signature)
    out = tmp_path / "act.pdf"
    made = CliRunner().invoke(
        app,
        ["doc", "render", str(tmp_path / "act.json"), str(tmp_path / "act.p7s"), str(out),
         "--base-url", CHECK_BASE],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    pdf = out.read_bytes()
    assert read_parts(pdf).parameters["check_url"] == ""
    assert all("kepil doc verify" in page for page in page_texts(pdf))
    assert _verdict(pdf, ministry).valid
    assert _codes(_verdict(render_pdf(sealed, check_url(CHECK_BASE, "ACT-1")), ministry)) == [
        "check_url_mismatch"
    ]


def test_on_the_server_an_act_must_be_one_it_issued_in_that_case(ministry: Ministry) -> None:
    sealed = _sealed(ministry, DECISION)
    pdf = render_pdf(sealed, _address(sealed, CASE))
    digest = hashlib.sha256(sealed.content).hexdigest()
    asked: list[tuple[str, str]] = []

    def issued(case: str, sha256: str) -> bool:
        asked.append((case, sha256))
        return False

    expect = Expectations(MINISTRY_BIN, (CHECK_BASE,), lambda number: None, issued)
    assert _codes(_verdict(pdf, ministry, expect)) == ["not_issued_here"]
    assert asked == [(CASE, digest)]
    found = Expectations(MINISTRY_BIN, (CHECK_BASE,), lambda number: None, lambda c, s: True)
    verdict = _verdict(pdf, ministry, found)
    assert verdict.valid
    assert verdict.case == CASE
    assert verdict.to_json()["case"] == CASE


def test_doc_verify_accepts_an_act_pdf_at_its_act_address(
    ministry: Ministry, tmp_path: Path
) -> None:
    sealed = _sealed(ministry, DECISION)
    path = tmp_path / "act.pdf"
    path.write_bytes(render_pdf(sealed, _address(sealed, CASE)))
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(ministry.pki.root.public_bytes(Encoding.PEM))
    at = (SIGNED_AT + timedelta(seconds=5)).isoformat()
    common = ["--trust", str(trust), "--ministry-bin", MINISTRY_BIN, "--at", at]
    good = CliRunner().invoke(app, ["doc", "verify", str(path), *common, "--base-url", CHECK_BASE])
    assert good.exit_code == 0, good.stdout
    assert json.loads(good.stdout)["case"] == CASE
    elsewhere = CliRunner().invoke(
        app, ["doc", "verify", str(path), *common, "--base-url", "https://other.example"]
    )
    assert elsewhere.exit_code == 1
    codes = [finding["code"] for finding in json.loads(elsewhere.stdout)["findings"]]
    assert codes == ["check_url_mismatch"]


class _ActCheck(BaseHTTPRequestHandler):
    """A stand-in server answering /api/v1/acts/{sha256}/check?case=… as kepil does."""

    issued: ClassVar[str] = ""
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        if self.path != f"/api/v1/acts/{self.issued}/check?case={CASE}":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        answer = {
            "case": CASE,
            "kind": "reject",
            "issued_on": "2025-12-31",
            "sha256": self.issued,
            "issued_at": (SIGNED_AT + timedelta(seconds=5)).isoformat(),
        }
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_doc_verify_asks_the_server_for_an_act_by_its_case_and_digest(
    ministry: Ministry, tmp_path: Path
) -> None:
    sealed = _sealed(ministry, DECISION)
    path = tmp_path / "act.pdf"
    path.write_bytes(render_pdf(sealed, _address(sealed, CASE)))
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(ministry.pki.root.public_bytes(Encoding.PEM))
    digest = hashlib.sha256(sealed.content).hexdigest()
    outcomes = []
    for issued in (digest, "0" * 64):
        handler = type("Answering", (_ActCheck,), {"issued": issued, "asked": []})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            address = f"http://127.0.0.1:{server.server_address[1]}"
            result = CliRunner().invoke(
                app,
                ["doc", "verify", str(path), "--trust", str(trust), "--server", address,
                 "--ministry-bin", MINISTRY_BIN, "--base-url", CHECK_BASE],
            )  # fmt: skip
        finally:
            server.shutdown()
            server.server_close()
        assert handler.asked == [f"/api/v1/acts/{digest}/check?case={CASE}"]
        outcomes.append((result.exit_code, json.loads(result.stdout)))
    (found_code, found), (missing_code, missing) = outcomes
    assert found_code == 0, found
    # Judged when the server accepted it, as the server vouches (not the CMS's own claim).
    assert found["judged_at"] == (SIGNED_AT + timedelta(seconds=5)).isoformat()
    assert missing_code == 1
    # Not issued there: nothing vouches for the moment, so the test certificate is judged
    # today, long expired, and the server's "not found" is added.
    codes = [f["code"] for f in missing["findings"]]
    assert codes == ["signature_certificate_expired", "registry_not_found"]


def test_an_acts_visible_name_must_be_its_case_and_digest_never_free_text(
    ministry: Ministry,
) -> None:
    sealed = _sealed(ministry, NOTICE)
    assert sealed.number == f"APP-2026-000007-{hashlib.sha256(sealed.content).hexdigest()[:12]}"
    address = _address(sealed, "APP-2026-000007")
    # The name drawn on the pages is not signed: a permit's number or a sentence is refused.
    for name in (
        "PRM-2026-000001",
        "ОТМЕНЕНО, РАЗРЕШЕНИЕ PRM-2026-000009 ВЫДАНО",
        "APP-2026-000007",
    ):
        renamed = SealedDocument(name, sealed.content, sealed.signature)
        verdict = _verdict(render_pdf(renamed, address), ministry)
        assert _codes(verdict) == ["number_mismatch"], name
        assert not verdict.valid
    caseless = seal(ministry, "ОТМЕНЕНО ВСЁ", {"action": "reject", "decision": "Негізсіз."})
    assert _codes(_verdict(render_pdf(caseless, ""), ministry)) == ["number_mismatch"]
    assert _verdict(render_pdf(replace(caseless, number="ACT-1"), ""), ministry).valid


def test_doc_render_will_not_rename_an_act_of_a_case(ministry: Ministry, tmp_path: Path) -> None:
    sealed = _sealed(ministry, DECISION)
    (tmp_path / "act.json").write_bytes(sealed.content)
    (tmp_path / "act.p7s").write_bytes(sealed.signature)
    made = CliRunner().invoke(
        app,
        ["doc", "render", str(tmp_path / "act.json"), str(tmp_path / "act.p7s"),
         str(tmp_path / "act.pdf"), "--number", "PRM-2026-000001"],
    )  # fmt: skip
    assert made.exit_code == 2
    assert sealed.number in made.output
    assert not (tmp_path / "act.pdf").exists()


def test_doc_verify_refuses_an_act_whose_case_is_no_case_number_without_asking(
    ministry: Ministry, tmp_path: Path
) -> None:
    odd = "cmp 2026/1"
    sealed = _sealed(ministry, {**DECISION, "complaint_number": odd})
    path = tmp_path / "act.pdf"
    path.write_bytes(render_pdf(sealed, _address(sealed, odd)))
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(ministry.pki.root.public_bytes(Encoding.PEM))
    # Nothing listens on this port: a request would be registry_unreachable.
    result = CliRunner().invoke(
        app,
        ["doc", "verify", str(path), "--trust", str(trust), "--server", "http://127.0.0.1:9",
         "--ministry-bin", MINISTRY_BIN, "--base-url", CHECK_BASE],
    )  # fmt: skip
    assert result.exit_code == 1
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert "registry_case_malformed" in codes
    assert "registry_unreachable" not in codes
