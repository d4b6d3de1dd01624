"""`kepil pki`: the development/test CA (TEST PKI — NOT FOR PRODUCTION)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from kepil.adapters.clock import SystemClock
from kepil.entrypoints.cli.errors import fail, os_reason
from kepil.signing.certificates import is_valid_identity_number, load_certificate
from kepil.signing.dev_ca import Holder, KeyAlgorithm, Profile
from kepil.signing.dev_ca_files import DevCaDirectory, NoTestCaError
from kepil.signing.errors import SigningError
from kepil.signing.nca_profile import KeyKind

pki_app = typer.Typer(
    help="Development CA issuing NCA-profile TEST certificates. NOT FOR PRODUCTION.",
    no_args_is_help=True,
)

DirectoryArgument = Annotated[Path, typer.Argument(metavar="DIR", help="test CA directory")]


@pki_app.command()
def init(
    directory: DirectoryArgument,
    alg: Annotated[KeyAlgorithm, typer.Option(help="CA key algorithm")] = KeyAlgorithm.EC,
    ocsp_url: Annotated[str | None, typer.Option(help="OCSP URL put into issued certs")] = None,
) -> None:
    """Create a TEST root and issuing CA in DIR; trust DIR/trust to accept them."""
    try:
        ca = DevCaDirectory.create(directory, SystemClock().now(), alg, ocsp_url)
    except FileExistsError as error:
        raise fail(str(error), 1) from None
    except OSError as error:
        raise fail(f"cannot create a test CA in {directory}: {os_reason(error)}") from None
    typer.echo(f"TEST PKI created; trust directory: {ca.trust_directory}")


@pki_app.command()
def issue(
    directory: DirectoryArgument,
    profile: Annotated[Profile, typer.Option(help="holder kind")],
    iin: Annotated[str, typer.Option(help="12-digit IIN of the person")],
    name: Annotated[str, typer.Option(help="full name: surname, name, patronymic")],
    bin_: Annotated[str | None, typer.Option("--bin", help="12-digit BIN")] = None,
    org: Annotated[str | None, typer.Option(help="organisation name")] = None,
    usage: Annotated[KeyKind, typer.Option(help="signing or sign-in key")] = KeyKind.SIGN,
    official_head: Annotated[
        bool, typer.Option(help="official: org head EKU instead of may-sign")
    ] = False,
    p12: Annotated[bool, typer.Option(help="write a PKCS#12 instead of PEM files")] = False,
    password: Annotated[str | None, typer.Option(help="PKCS#12 password")] = None,
    days: Annotated[int, typer.Option(min=1, help="validity in days")] = 365,
    not_before: Annotated[
        datetime | None, typer.Option(help="start of validity (ISO, UTC if no zone)")
    ] = None,
    alg: Annotated[KeyAlgorithm, typer.Option(help="holder key algorithm")] = KeyAlgorithm.EC,
) -> None:
    """Issue an NCA-profile TEST certificate and print where it was written."""
    if p12 and not password:
        raise typer.BadParameter("--p12 needs --password")
    if profile is Profile.ENTREPRENEUR and bin_ is None:
        bin_ = iin  # an entrepreneur's business number is the IIN
    for label, number in (("--iin", iin), ("--bin", bin_)):
        if number is not None and not is_valid_identity_number(number):
            # Verification refuses such certificates, so issuing one would only mislead.
            raise fail(f"{label} {number!r} is not a valid IIN/BIN")
    holder = Holder(profile, iin, name, bin_, org, usage, official_is_head=official_head)
    start = SystemClock().now() if not_before is None else _utc(not_before)
    ca = _open(directory)
    try:
        issued = ca.issue(
            holder, start, days=days, algorithm=alg, p12_password=password if p12 else None
        )
    except OSError as error:
        raise fail(f"cannot issue: {os_reason(error)}") from None
    except ValueError as error:
        raise fail(f"cannot issue: {error}") from None
    typer.echo(
        json.dumps(
            {
                "serial_number": format(issued.certificate.serial_number, "x"),
                "files": [str(path) for path in issued.paths],
            },
            indent=2,
        )
    )


@pki_app.command()
def revoke(
    directory: DirectoryArgument,
    cert: Annotated[Path, typer.Argument(metavar="CERT", help="certificate to revoke")],
    at: Annotated[datetime | None, typer.Option(help="revocation time (ISO)")] = None,
) -> None:
    """Mark CERT revoked; run `kepil pki crl` to publish it. Only this CA's certificates."""
    ca = _open(directory)
    try:
        certificate = load_certificate(cert.read_bytes())
    except OSError as error:
        raise fail(f"cannot read certificate: {os_reason(error)}") from None
    except SigningError as error:
        raise fail(f"cannot read certificate: {error}") from None
    if not ca.issued_here(certificate):
        # Its serial number means nothing to this CA: listing it would revoke nothing, or
        # another certificate of ours that happens to share the number.
        raise fail(f"{cert} was not issued by the test CA in {directory}; not revoked")
    when = SystemClock().now() if at is None else _utc(at)
    try:
        ca.revoke(certificate.serial_number, when)
    except OSError as error:
        raise fail(f"cannot record the revocation: {os_reason(error)}") from None
    typer.echo(f"revoked {certificate.serial_number:x}")


@pki_app.command()
def crl(
    directory: DirectoryArgument,
    out: Annotated[Path | None, typer.Option(help="where to write the DER CRL")] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="days until the next update")] = 7,
) -> None:
    """Write the TEST CA's CRL."""
    ca = _open(directory)
    try:
        path = ca.write_crl(SystemClock().now(), days, out)
    except OSError as error:
        raise fail(f"cannot write the CRL: {os_reason(error)}") from None
    typer.echo(str(path))


def _open(directory: Path) -> DevCaDirectory:
    try:
        return DevCaDirectory.open(directory)
    except NoTestCaError as error:
        raise fail(str(error)) from None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
