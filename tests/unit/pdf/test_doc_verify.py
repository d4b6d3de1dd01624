"""Issue 20 item 9: `kepil doc verify` accepts the PDF as made and refuses each kind of change."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject
from tests.support.ministry import MINISTRY_BIN, SIGNED_AT, Ministry
from tests.support.pdf_documents import CHECK_BASE, kazakh_permit, seal, sealed_permit
from typer.testing import CliRunner

from kepil.adapters.pdf import render
from kepil.adapters.pdf.check import Expectations, check_pdf, signing_moment
from kepil.adapters.pdf.render import SealedDocument, check_url, render_pdf
from kepil.entrypoints.cli.main import app
from kepil.signing.trust import TrustStore

EXPECT = Expectations(MINISTRY_BIN, (CHECK_BASE,))
# The CLI is told the state body and the public address as a bank's clerk would be.
HELD_TO = ["--ministry-bin", MINISTRY_BIN, "--base-url", CHECK_BASE]
# The test Ministry's certificates were valid when it signed, not today: judge then.
AT_SIGNING = ["--at", (SIGNED_AT + timedelta(seconds=5)).isoformat()]


def _check(pdf: bytes, ministry: Ministry, expect: Expectations = EXPECT) -> dict[str, object]:
    sealed_at = signing_moment(PdfReader(io.BytesIO(pdf)).attachments["PRM-2026-000001.p7s"][0])
    assert sealed_at is not None
    return check_pdf(pdf, ministry.pki.trust_store(), sealed_at, expect).to_json()


def _codes(verdict: dict[str, object]) -> list[str]:
    findings = verdict["findings"]
    assert isinstance(findings, list)
    return [finding["code"] for finding in findings]


def _with_attachments_of(visible: bytes, source: bytes) -> bytes:
    """The pages of `visible` carrying the attached files of `source` (a forger's PDF)."""
    writer = PdfWriter(clone_from=io.BytesIO(visible))
    root = writer._root_object
    del root[NameObject("/Names")]
    del root[NameObject("/AF")]
    for name, datas in PdfReader(io.BytesIO(source)).attachments.items():
        writer.add_attachment(name, datas[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_item_9_the_pdf_as_made_is_valid_and_redraws_to_the_same_bytes(
    permit_pdf: bytes, ministry: Ministry
) -> None:
    verdict = _check(permit_pdf, ministry)
    assert verdict["valid"] is True
    assert verdict["identical_bytes"] is True
    assert _codes(verdict) == []


def test_item_9_a_changed_attachment_is_refused_by_the_signature(
    sealed: SealedDocument, ministry: Ministry
) -> None:
    body = json.loads(sealed.content)
    body["platform_name"] = "Басқа платформа"
    forged = replace(sealed, content=json.dumps(body, ensure_ascii=False).encode())
    verdict = _check(render_pdf(forged, check_url(CHECK_BASE, sealed.number)), ministry)
    assert verdict["valid"] is False
    assert "signature_digest_mismatch" in _codes(verdict)


def test_item_9_pages_that_show_another_text_than_the_attachment_are_refused(
    permit_pdf: bytes, ministry: Ministry
) -> None:
    other = sealed_permit(ministry, replace(kazakh_permit(), platform_name="Басқа платформа"))
    visible = render_pdf(other, check_url(CHECK_BASE, other.number))
    verdict = _check(_with_attachments_of(visible, permit_pdf), ministry)
    assert verdict["valid"] is False
    assert _codes(verdict) == ["text_differs"]


def test_item_9_a_signature_from_an_untrusted_ca_is_refused(
    sealed: SealedDocument, ministry: Ministry
) -> None:
    stranger = Ministry.create()
    foreign = replace(sealed, signature=stranger.sign(sealed.content))
    verdict = _check(render_pdf(foreign, check_url(CHECK_BASE, sealed.number)), ministry)
    assert verdict["valid"] is False
    assert any(code.startswith("signature_") for code in _codes(verdict))


@pytest.fixture
def trust_dir(ministry: Ministry, tmp_path: Path) -> Path:
    """A trust directory holding the Ministry's test root."""
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "root.pem").write_bytes(ministry.pki.root.public_bytes(Encoding.PEM))
    assert TrustStore.from_directory(folder).anchors
    return folder


def test_item_9_cli_exit_codes_are_those_of_eds_verify(
    permit_pdf: bytes, sealed: SealedDocument, trust_dir: Path, tmp_path: Path
) -> None:
    good, tampered, junk = tmp_path / "good.pdf", tmp_path / "bad.pdf", tmp_path / "junk.pdf"
    good.write_bytes(permit_pdf)
    body = json.loads(sealed.content)
    body["purpose"] = "басқа мақсат"
    forged = replace(sealed, content=json.dumps(body, ensure_ascii=False).encode())
    tampered.write_bytes(render_pdf(forged, check_url(CHECK_BASE, sealed.number)))
    junk.write_bytes(b"%PDF-1.7 not really")
    runner = CliRunner()
    ok = runner.invoke(
        app, ["doc", "verify", str(good), "--trust", str(trust_dir), *HELD_TO, *AT_SIGNING]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["number"] == "PRM-2026-000001"
    bad = runner.invoke(
        app, ["doc", "verify", str(tampered), "--trust", str(trust_dir), *HELD_TO, *AT_SIGNING]
    )
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["valid"] is False
    unreadable = runner.invoke(
        app, ["doc", "verify", str(junk), "--trust", str(trust_dir), *HELD_TO]
    )
    assert unreadable.exit_code == 2
    assert json.loads(unreadable.stdout)["findings"][0]["code"] == "unreadable_input"


def test_item_9_a_signed_act_drawn_by_doc_render_verifies_by_doc_verify(
    ministry: Ministry, trust_dir: Path, tmp_path: Path
) -> None:
    act = {"complaint_number": "CMP-2026-000001", "action": "reject", "decision": "Негізсіз."}
    sealed = seal(ministry, "CMP-2026-000001", act)
    (tmp_path / "act.json").write_bytes(sealed.content)
    (tmp_path / "act.p7s").write_bytes(sealed.signature)
    out = tmp_path / "act.pdf"
    runner = CliRunner()
    made = runner.invoke(
        app,
        ["doc", "render", str(tmp_path / "act.json"), str(tmp_path / "act.p7s"), str(out),
         "--base-url", CHECK_BASE],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    checked = runner.invoke(
        app, ["doc", "verify", str(out), "--trust", str(trust_dir), *HELD_TO, *AT_SIGNING]
    )
    assert checked.exit_code == 0, checked.output
    digest = hashlib.sha256(sealed.content).hexdigest()
    assert json.loads(checked.stdout)["number"] == f"CMP-2026-000001-{digest[:12]}"
    unreadable = runner.invoke(app, ["doc", "render", str(out), str(out), str(tmp_path / "x.pdf")])
    assert unreadable.exit_code == 2


def test_item_9_a_head_certificate_revoked_before_signing_is_refused_with_crl(
    tmp_path: Path,
) -> None:
    revoked = Ministry.create()
    sealed = sealed_permit(revoked)
    revoked.pki.revoke(revoked.credential.certificate, SIGNED_AT - timedelta(days=30))
    crl = tmp_path / "issuing.crl"
    crl.write_bytes(revoked.pki.crl(SIGNED_AT - timedelta(days=1)).public_bytes(Encoding.DER))
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes(revoked.pki.root.public_bytes(Encoding.PEM))
    pdf = tmp_path / "permit.pdf"
    pdf.write_bytes(render_pdf(sealed, check_url(CHECK_BASE, sealed.number)))
    runner = CliRunner()
    without = runner.invoke(
        app, ["doc", "verify", str(pdf), "--trust", str(trust), *HELD_TO, *AT_SIGNING]
    )
    assert without.exit_code == 0, without.output
    refused = runner.invoke(
        app,
        ["doc", "verify", str(pdf), "--trust", str(trust), "--crl", str(crl), *HELD_TO,
         *AT_SIGNING],
    )  # fmt: skip
    assert refused.exit_code == 1, refused.output
    assert "signature_certificate_revoked" in [
        finding["code"] for finding in json.loads(refused.stdout)["findings"]
    ]


class _Registry(BaseHTTPRequestHandler):
    """A stand-in server answering /api/v1/documents/{number}/check as kepil does."""

    answer: ClassVar[dict[str, object]] = {}

    def do_GET(self) -> None:
        if self.path != "/api/v1/documents/PRM-2026-000001/check" or not self.answer:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(self.answer).encode())

    def log_message(self, *args: object) -> None:
        """Quiet."""


def _verify_with_server(
    answer: dict[str, object],
    pdf_bytes: bytes,
    trust_dir: Path,
    tmp_path: Path,
    extra: tuple[str, ...] = (),
) -> tuple[int, dict[str, object]]:
    handler = type("Answering", (_Registry,), {"answer": answer})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        pdf = tmp_path / "permit.pdf"
        pdf.write_bytes(pdf_bytes)
        address = f"http://127.0.0.1:{server.server_address[1]}"
        result = CliRunner().invoke(
            app,
            [
                "doc",
                "verify",
                str(pdf),
                "--trust",
                str(trust_dir),
                "--server",
                address,
                *HELD_TO,
                *extra,
            ],
        )
    finally:
        server.shutdown()
        server.server_close()
    return result.exit_code, json.loads(result.stdout)


def _issued(sealed: SealedDocument, **changes: object) -> dict[str, object]:
    return {
        "number": "PRM-2026-000001",
        "kind": "permit_issued",
        "status": "active",
        "in_force": True,
        "sha256": hashlib.sha256(sealed.content).hexdigest(),
        "issued_at": (SIGNED_AT + timedelta(seconds=5)).isoformat(),
        **changes,
    }


def test_item_9_with_a_server_a_permit_registered_in_force_with_the_same_hash_is_valid(
    permit_pdf: bytes, sealed: SealedDocument, trust_dir: Path, tmp_path: Path
) -> None:
    code, output = _verify_with_server(_issued(sealed), permit_pdf, trust_dir, tmp_path)
    assert code == 0, output
    assert output["registry"]["found"] is True  # type: ignore[index]
    assert output["status"] == "valid"


def test_item_9_with_a_server_a_permit_not_in_force_today_is_reported_and_exits_1(
    permit_pdf: bytes, sealed: SealedDocument, trust_dir: Path, tmp_path: Path
) -> None:
    answer = _issued(sealed, status="suspended", in_force=False)
    code, output = _verify_with_server(answer, permit_pdf, trust_dir, tmp_path)
    assert code == 1
    assert output["registry"]["status"] == "suspended"  # type: ignore[index]
    assert _codes(output) == ["registry_not_in_force"]


def test_item_9_with_a_server_another_issued_hash_under_the_number_exits_1(
    permit_pdf: bytes, sealed: SealedDocument, trust_dir: Path, tmp_path: Path
) -> None:
    answer = _issued(sealed, sha256="0" * 64)
    code, output = _verify_with_server(answer, permit_pdf, trust_dir, tmp_path, tuple(AT_SIGNING))
    assert code == 1
    assert _codes(output) == ["registry_sha256_differs"]


def test_item_9_with_a_server_that_issued_no_such_number_exits_1_as_not_found(
    permit_pdf: bytes, trust_dir: Path, tmp_path: Path
) -> None:
    code, output = _verify_with_server({}, permit_pdf, trust_dir, tmp_path, tuple(AT_SIGNING))
    assert code == 1
    assert output["valid"] is False
    assert _codes(output) == ["registry_not_found"]


def test_item_9_a_changed_qr_code_with_the_text_intact_is_refused(
    sealed: SealedDocument, permit_pdf: bytes, ministry: Ministry, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn_qr = render._qr

    def elsewhere(pdf: object, data: str, x: float, y: float) -> None:
        drawn_qr(pdf, "https://phishing.example/check?number=PRM-2026-000001", x, y)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "_qr", elsewhere)
    forged = render_pdf(sealed, check_url(CHECK_BASE, sealed.number))
    monkeypatch.undo()
    assert forged != permit_pdf
    verdict = _check(forged, ministry)
    assert verdict["valid"] is False
    assert _codes(verdict) == ["drawing_differs"]


def test_item_9_a_pdf_drawn_by_other_tools_is_never_valid_by_its_text_alone(
    sealed: SealedDocument, ministry: Ministry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "RENDERER", "kepil-pdf/0")
    render._tool_versions.cache_clear()
    older = render_pdf(sealed, check_url(CHECK_BASE, sealed.number))
    monkeypatch.undo()
    render._tool_versions.cache_clear()
    verdict = _check(older, ministry)
    assert verdict["valid"] is False
    assert verdict["status"] == "cannot confirm the drawing"
    assert _codes(verdict) == ["drawing_unconfirmed"]
    assert "renderer kepil-pdf/0" in verdict["findings"][0]["detail"]  # type: ignore[index]


def test_doc_verify_judges_at_the_moment_asked_never_at_the_signers_own_claim(
    permit_pdf: bytes, trust_dir: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "permit.pdf"
    pdf.write_bytes(permit_pdf)
    runner = CliRunner()
    base = ["doc", "verify", str(pdf), "--trust", str(trust_dir), *HELD_TO]

    later = runner.invoke(app, [*base, "--at", "2099-01-01T00:00:00"])

    assert later.exit_code == 1, later.output
    output = json.loads(later.stdout)
    assert output["judged_at"].startswith("2099-01-01")
    assert "signature_certificate_expired" in _codes(output)


def test_doc_verify_with_a_server_judges_at_its_record_of_this_very_document(
    permit_pdf: bytes, sealed: SealedDocument, trust_dir: Path, tmp_path: Path
) -> None:
    recorded = (SIGNED_AT + timedelta(seconds=5)).isoformat()

    code, output = _verify_with_server(
        _issued(sealed, issued_at=recorded), permit_pdf, trust_dir, tmp_path
    )

    assert code == 0, output
    assert output["judged_at"] == recorded


def test_doc_verify_ignores_the_servers_moment_for_another_document_under_the_number(
    permit_pdf: bytes, sealed: SealedDocument, trust_dir: Path, tmp_path: Path
) -> None:
    answer = _issued(sealed, sha256="0" * 64, issued_at="2099-01-01T00:00:00+00:00")

    code, output = _verify_with_server(answer, permit_pdf, trust_dir, tmp_path)

    assert code == 1
    assert str(output["judged_at"]) < "2099"  # judged now: the server vouched for another hash
