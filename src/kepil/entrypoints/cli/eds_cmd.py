"""`kepil eds`: sign and verify CMS files, and show what a certificate says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from kepil.adapters.clock import SystemClock
from kepil.entrypoints.cli.errors import fail, os_reason, parse_moment
from kepil.signing.certificates import (
    accept_any_number,
    is_valid_identity_number,
    load_certificate,
    load_certificates,
    parse_certificate,
)
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import verify_cms
from kepil.signing.errors import SigningError
from kepil.signing.keys import as_signing_key
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import CrlChecker, OcspChecker, RevocationChecker
from kepil.signing.trust import TrustStore

eds_app = typer.Typer(
    help="Electronic digital signatures (CMS, NCA profile).", no_args_is_help=True
)

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


@eds_app.command()
def sign(
    input_file: Annotated[Path, typer.Argument(metavar="IN", help="data to sign")],
    output_file: Annotated[Path, typer.Argument(metavar="OUT", help="DER CMS to write")],
    key: Annotated[Path, typer.Option(help="PEM private key, or a .p12 with --password")],
    cert: Annotated[Path | None, typer.Option(help="PEM certificate (then its chain)")] = None,
    password: Annotated[str | None, typer.Option(help="password of the key or .p12")] = None,
    detached: Annotated[bool, typer.Option(help="leave the data out of the CMS")] = False,
) -> None:
    """Sign IN into a DER CMS SignedData at OUT; a refusal is one line on stderr, exit 2."""
    try:
        credential = _load_credential(key, cert, password)
        data = input_file.read_bytes()
    except OSError as error:
        raise fail(f"cannot read input: {os_reason(error)}") from None
    except (ValueError, SigningError) as error:
        raise fail(f"cannot read input: {error}") from None
    try:
        cms = sign_cms(data, [credential], signing_time=SystemClock().now(), detached=detached)
    except ValueError as error:
        raise fail(f"cannot sign: {error}") from None
    try:
        output_file.write_bytes(cms)
    except OSError as error:
        raise fail(f"cannot write the CMS: {os_reason(error)}") from None


@eds_app.command()
def verify(
    input_file: Annotated[Path, typer.Argument(metavar="IN", help="CMS file (DER or PEM)")],
    trust: Annotated[Path, typer.Option(help="directory of trusted CA certificates")],
    data: Annotated[Path | None, typer.Option(help="the signed data, for detached CMS")] = None,
    crl: Annotated[list[Path] | None, typer.Option(help="CRL file (repeatable)")] = None,
    ocsp: Annotated[bool, typer.Option(help="ask the OCSP responder in each cert")] = False,
    ocsp_url: Annotated[str | None, typer.Option(help="OCSP responder URL to ask")] = None,
    purpose: Annotated[KeyKind, typer.Option(help="sign or auth key expected")] = KeyKind.SIGN,
    at: Annotated[
        str | None,
        typer.Option(
            metavar="ISO",
            help="judge validity and revocation as of this moment, e.g. 2025-02-25T10:00 "
            "(ISO 8601; no offset means Almaty time); default: now",
        ),
    ] = None,
    accept_test_identities: Annotated[
        bool,
        typer.Option(
            "--accept-test-identities",
            help="decode IINs/BINs that fail their check digit (NCA test kits) and list "
            "them as warnings instead of refusing the signer",
        ),
    ] = False,
) -> None:
    """Verify a CMS; print JSON; exit 0 valid, 1 invalid, 2 unreadable input.

    Each signer's RFC 3161 time-stamp is verified too: a trusted one gives the signing
    moment (signed_at_source "timestamp") and the certificates are judged at that moment;
    otherwise the signing-time attribute is the (claimed) moment. A time-stamp that is
    untrusted, unsupported (GOST 34.310-2004) or invalid is listed under "warnings" and
    does not change the exit status.
    """
    moment = parse_moment(at) if at is not None else SystemClock().now()
    try:
        cms = input_file.read_bytes()
        content = data.read_bytes() if data is not None else None
        store = TrustStore.from_directory(trust)
        checkers: list[RevocationChecker] = []
        if crl:
            checkers.append(CrlChecker.from_bytes([path.read_bytes() for path in crl]))
        # A delegated OCSP responder without ocsp-nocheck is itself checked against the CRLs.
        responder_checks = list(checkers)
    except (OSError, SigningError) as error:
        _fail(f"cannot read input: {error}")
    if ocsp or ocsp_url:
        checkers.append(
            OcspChecker(
                ocsp_url, timeout=10.0, responder_revocation=responder_checks, clock=SystemClock()
            )
        )
    result = verify_cms(
        cms,
        trust_store=store,
        at=moment,
        data=content,
        purpose=purpose,
        revocation=checkers,
        check_number=accept_any_number if accept_test_identities else is_valid_identity_number,
    )
    _print(result.to_json())
    raise typer.Exit(0 if result.valid else EXIT_INVALID)


@eds_app.command()
def info(cert: Annotated[Path, typer.Argument(metavar="CERT")]) -> None:
    """Print what a certificate says (NCA profile) as JSON; exit 2 if it cannot be read.

    An IIN or BIN failing its check digit (the NCA test kits') is shown with a warning."""
    try:
        signer = parse_certificate(load_certificate(cert.read_bytes()), accept_any_number)
    except OSError as error:
        raise fail(f"cannot read certificate: {os_reason(error)}") from None
    except SigningError as error:
        raise fail(f"cannot read certificate: {error}") from None
    _print(signer.to_json())


def _load_credential(key: Path, cert: Path | None, password: str | None) -> SignerCredential:
    secret = password.encode() if password is not None else None
    raw = key.read_bytes()
    chain: list[x509.Certificate] = []
    try:
        if key.suffix.lower() in {".p12", ".pfx"}:
            private_key, certificate, extra = pkcs12.load_key_and_certificates(raw, secret)
            if private_key is None or certificate is None:
                raise ValueError(f"{key} holds no key and certificate")
            chain = list(extra)
        else:
            private_key = serialization.load_pem_private_key(raw, secret)
            certificate = None
    except TypeError as error:
        # cryptography says "password given but not encrypted" (or the reverse) as a TypeError.
        raise ValueError(f"{key}: {error}") from None
    if cert is not None:
        certificates = load_certificates(cert.read_bytes())
        certificate, chain = certificates[0], certificates[1:] or chain
    if certificate is None:
        raise ValueError("--cert is needed with a PEM key")
    return SignerCredential(as_signing_key(private_key), certificate, tuple(chain))


def _print(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def _fail(detail: str) -> NoReturn:
    _print(
        {
            "valid": False,
            "signers": [],
            "errors": [{"code": "unreadable_input", "detail": detail, "signer": None}],
            "warnings": [],
        }
    )
    raise typer.Exit(EXIT_UNREADABLE)
