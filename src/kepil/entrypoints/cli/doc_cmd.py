"""`kepil doc verify`: check a result document's PDF on its own, and optionally with a server."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import quote

import typer

from kepil.entrypoints.cli.errors import (
    EXIT_INVALID,
    EXIT_UNREADABLE,
    fail,
    os_reason,
    parse_moment,
)

doc_app = typer.Typer(help="Result documents as PDF files.", no_args_is_help=True)

_SERVER_TIMEOUT = 10.0
_PERMIT_KIND = "permit_issued"


@doc_app.command()
def verify(
    pdf_file: Annotated[Path, typer.Argument(metavar="FILE.pdf", help="a kepil document PDF")],
    trust: Annotated[
        Path | None,
        typer.Option(help="directory of trusted CA certificates (default: the configured one)"),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(help="a kepil server: the document must be registered there and in force"),
    ] = None,
    crl: Annotated[list[Path] | None, typer.Option(help="CRL file (repeatable)")] = None,
    ministry_bin: Annotated[
        str | None,
        typer.Option(
            help="the state body's BIN the signer's certificate must name "
            "(default: KEPIL_PROVIDER_BIN)"
        ),
    ] = None,
    base_url: Annotated[
        list[str] | None,
        typer.Option(
            help="a public address of kepil the QR code may point at, exactly "
            "(repeatable; default: KEPIL_PUBLIC_BASE_URL)"
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="judge the signature as of this moment (ISO 8601, Almaty time without an "
            "offset); default: the server's record of the issue when --server confirms this "
            "very document, else now — never the signer's own signing-time claim"
        ),
    ] = None,
) -> None:
    """Verify the attached signature, that the state body's head named in it signed, and that
    the pages show the attached original; print JSON; exit 0 valid, 1 invalid (or, given a
    server, not issued there, another content, or not in force), 2 unreadable input."""
    from kepil.adapters.clock import SystemClock
    from kepil.adapters.pdf.check import Expectations, check_pdf
    from kepil.adapters.pdf.fonts import FontMissingError
    from kepil.adapters.pdf.reading import UnreadablePdfError, read_parts
    from kepil.signing.errors import SigningError
    from kepil.signing.revocation import CrlChecker, RevocationChecker
    from kepil.signing.trust import TrustStore

    checkers: list[RevocationChecker] = []
    try:
        data = pdf_file.read_bytes()
        store = TrustStore.from_directory(trust or _default_trust())
        if crl:
            checkers.append(CrlChecker.from_bytes([path.read_bytes() for path in crl]))
    except OSError as error:
        _unreadable(os_reason(error))
    except SigningError as error:
        _unreadable(f"cannot read the trust directory or a CRL: {error}")
    expect = Expectations(ministry_bin or _configured_bin(), tuple(base_url or _configured_bases()))
    moment = parse_moment(at) if at is not None else None
    registry: dict[str, Any] | None = None
    try:
        parts = read_parts(data)
        if server:
            path = _check_path(parts.number, parts.content)
            registry = (
                _malformed_case(parts.content) if path is None else _registry_status(server, path)
            )
        if moment is None:
            moment = _issued_at(registry, parts.content) or SystemClock().now()
        verdict = check_pdf(data, store, moment, expect, checkers)
    except UnreadablePdfError as error:
        _unreadable(str(error))
    except FontMissingError as error:
        _unreadable(f"cannot redraw the PDF to compare: {error}")
    output = verdict.to_json()
    valid = verdict.valid
    output["judged_at"] = moment.isoformat()
    if registry is not None:
        problems = _registry_findings(registry, verdict.sha256)
        output["registry"] = registry
        output["findings"] = [*output["findings"], *problems]
        valid = valid and not problems
        output["valid"] = valid
        if problems and verdict.valid:
            output["status"] = "invalid"
    _print(output)
    raise typer.Exit(0 if valid else EXIT_INVALID)


@doc_app.command()
def render(
    content_file: Annotated[Path, typer.Argument(metavar="DOCUMENT.json", help="signed bytes")],
    signature_file: Annotated[Path, typer.Argument(metavar="SIGNATURE.p7s", help="its CMS")],
    output_file: Annotated[Path, typer.Argument(metavar="OUT.pdf")],
    base_url: Annotated[
        str, typer.Option(help="public address of kepil, for the QR code and check address")
    ] = "http://127.0.0.1:8000",
    number: Annotated[
        str | None,
        typer.Option(
            help="the name inside the PDF (default: the document's own number; an act naming "
            "a case is always named by its case and SHA-256 prefix, as the service names it; "
            "one naming none: Latin capitals, digits, hyphens, default the file's name)"
        ),
    ] = None,
) -> None:
    """Draw a signed document or act (a §8 notice, a complaint decision) as its PDF, exactly as
    the service draws it; exit 2 if the inputs cannot be read or drawn."""
    from kepil.adapters.pdf.check import ACT_NAME, MAX_ACT_NAME
    from kepil.adapters.pdf.fonts import FontMissingError
    from kepil.adapters.pdf.render import (
        DocumentUnreadableError,
        SealedDocument,
        act_case,
        act_check_url,
        check_url,
        is_result_document,
        render_pdf,
    )
    from kepil.services.permits.views.acts import act_name

    try:
        content, cms = content_file.read_bytes(), signature_file.read_bytes()
    except OSError as error:
        raise fail(f"cannot read input: {os_reason(error)}") from None
    body = _json_object(content)
    digest = hashlib.sha256(content).hexdigest()
    case = "" if is_result_document(body) else act_case(body)
    # Named as the service names it, so that the same files draw the same bytes.
    if is_result_document(body):
        name = number or _own_number(content) or content_file.stem
    elif case:
        # An act's name is not signed: `doc verify` accepts only the service's own.
        name = act_name(case, digest)
        if number is not None and number != name:
            raise fail(
                f"an act of {case} is named {name} (its case and SHA-256 prefix), not {number}"
            )
    else:
        name = number or content_file.stem.upper()
        if len(name) > MAX_ACT_NAME or not ACT_NAME.fullmatch(name):
            raise fail(
                f"an act's name has at most {MAX_ACT_NAME} Latin capitals, digits and hyphens, "
                f"not {name!r}: give one with --number"
            )
    # A result document is checked by its number; a signed act by its case and the SHA-256 of
    # its signed bytes; an act naming no case has no address /check could answer.
    if is_result_document(body):
        address = check_url(base_url, name)
    elif case:
        address = act_check_url(base_url, case, digest)
    else:
        address = ""
    try:
        pdf = render_pdf(SealedDocument(name, content, cms), address)
        output_file.write_bytes(pdf)
    except (DocumentUnreadableError, FontMissingError) as error:
        raise fail(f"cannot draw the PDF: {error}") from None
    except OSError as error:
        raise fail(f"cannot write the PDF: {os_reason(error)}") from None


def _json_object(content: bytes) -> dict[str, Any]:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _own_number(content: bytes) -> str | None:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    found = body.get("number") if isinstance(body, dict) else None
    return found if isinstance(found, str) and found else None


def _configured_bin() -> str | None:
    from kepil.config import Settings

    return Settings().provider_bin.strip() or None


def _configured_bases() -> list[str]:
    from kepil.config import Settings

    configured = Settings().public_base_url
    return [configured] if configured else []


def _issued_at(registry: dict[str, Any] | None, content: bytes) -> datetime | None:
    """The server's record of when it accepted this very document (its hash must match).

    An archived signature outlives its certificate, so it is judged when it was accepted, and
    the server the person chose to ask is the witness; the CMS's signing-time is only the
    signer's claim and never the moment."""
    if registry is None or registry.get("sha256") != hashlib.sha256(content).hexdigest():
        return None
    recorded = registry.get("issued_at")
    if not isinstance(recorded, str):
        return None
    try:
        return datetime.fromisoformat(recorded)
    except ValueError:
        return None


def _registry_findings(registry: dict[str, Any], sha256: str) -> list[dict[str, str]]:
    """What the server's answer refuses: unknown there, other content, or not in force."""
    if "refused" in registry:
        return [{"code": "registry_case_malformed", "detail": str(registry["refused"])}]
    if "error" in registry:
        return [{"code": "registry_unreachable", "detail": str(registry["error"])}]
    if not registry.get("found"):
        return [{"code": "registry_not_found", "detail": "the server issued no such document"}]
    found = []
    if registry.get("sha256") != sha256:
        found.append(
            {
                "code": "registry_sha256_differs",
                "detail": f"the server issued {registry.get('sha256') or 'no hash'}, "
                f"the PDF carries {sha256}",
            }
        )
    if registry.get("kind") == _PERMIT_KIND and not registry.get("in_force"):
        status = registry.get("status") or "unknown"
        found.append({"code": "registry_not_in_force", "detail": f"the permit is {status} today"})
    return found


def _default_trust() -> Path:
    from kepil.config import Settings
    from kepil.signing.dev_ca_files import DevCaDirectory

    settings = Settings()
    if settings.trust_dir is not None:
        return settings.trust_dir
    # Dev mode: the same TEST PKI `kepil serve` trusts (and signs the dev documents with).
    return DevCaDirectory(settings.test_pki_dir).trust_directory


def _check_path(number: str, content: bytes) -> str | None:
    """The server's public check of this document: by number, or a signed act by its case
    and the SHA-256 of its signed bytes; None for an act whose case no server can hold."""
    from kepil.adapters.pdf.check import ACT_NAME, MAX_ACT_NAME
    from kepil.adapters.pdf.render import act_case, is_result_document

    body = _json_object(content)
    case = act_case(body)
    if is_result_document(body) or not case:
        return f"/api/v1/documents/{quote(number, safe='-')}/check"
    if len(case) > MAX_ACT_NAME or not ACT_NAME.fullmatch(case):
        return None
    digest = hashlib.sha256(content).hexdigest()
    return f"/api/v1/acts/{digest}/check?case={case}"


def _malformed_case(content: bytes) -> dict[str, Any]:
    """Not asked: the act names a case that is no case number, so no server issued it."""
    from kepil.adapters.pdf.render import act_case

    case = act_case(_json_object(content))
    return {
        "found": False,
        "refused": f"the act names the case {case!r}, which is no case number (at most "
        "32 Latin capitals, digits and hyphens): no server issued it, none was asked",
    }


def _registry_status(server: str, path: str) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    url = f"{server.rstrip('/')}{path}"
    if not url.startswith(("http://", "https://")):
        return {"asked": url, "error": "the server must be an http:// or https:// address"}
    try:
        with urllib.request.urlopen(url, timeout=_SERVER_TIMEOUT) as answer:  # noqa: S310
            found: dict[str, Any] = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return {"asked": url, "found": False}
        return {"asked": url, "error": f"HTTP {error.code}"}
    except (OSError, ValueError) as error:
        return {"asked": url, "error": f"{type(error).__name__}: {error}"}
    return {"asked": url, "found": True, **found}


def _print(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _unreadable(detail: str) -> NoReturn:
    _print({"valid": False, "findings": [{"code": "unreadable_input", "detail": detail}]})
    raise typer.Exit(EXIT_UNREADABLE)
