"""Signed result documents in Kazakh for the PDF tests, and poppler's view of a PDF."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

from tests.support.ministry import Ministry

from kepil.adapters.pdf.render import SealedDocument
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import (
    ActivityAddress,
    ApplicantKind,
    MotivatedRefusal,
    Permit,
    Problem,
    ProblemCode,
    Provider,
    Recipient,
    RefusalOfFurtherConsideration,
    RefusalReasons,
    Signer,
)

CHECK_BASE = "https://kepil.example.kz"
KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"


def kazakh_permit() -> Permit:
    """A permit whose holder, platform and signer are written with every Kazakh letter."""
    return Permit(
        number="PRM-2026-000001",
        application_number="APP-2026-000007",
        issue_date=date(2026, 3, 14),
        provider=Provider(),
        recipient=Recipient(
            "«Әділет Қазына Һолдинг» ЖШС",
            ApplicantKind.LEGAL_ENTITY,
            "210240044100",
            "Астана шаһары, Мәңгілік Ел даңғылы, 55",
            "+7 717 200 00 00",
            "info@adilet.kz",
        ),
        platform_name="Қазына Цифрлық Платформа",
        # With the capitals too: every Kazakh letter is somewhere in this permit.
        purpose="Алтынмен қамтамасыз етілген цифрлық активтерді шығару және айналымы, ұлттық "
        "өңірлерде үздіксіз қызмет көрсету (ӨҢІРЛІК ҮЗДІКСІЗ ҚЫЗМЕТ, ҰЛТТЫҚ ҒИМАРАТ)",
        activity_addresses=(ActivityAddress("010000", "Мәңгілік Ел даңғылы", "55", city="Астана"),),
        signer=Signer("Вице-министр", "Ұлықбек Өмірзақұлы Қасымов", "850314312344"),
    )


def kazakh_refusal() -> MotivatedRefusal:
    """App.4: a motivated refusal of the same holder's application on grounds 1 and 2."""
    permit = kazakh_permit()
    return MotivatedRefusal(
        number="RFS-2026-000002",
        application_number=permit.application_number,
        application_date=date(2026, 3, 2),
        issue_date=date(2026, 3, 14),
        provider=permit.provider,
        recipient=permit.recipient,
        reasons=RefusalReasons.of(
            (1, 2),
            "Ұсынылған құжаттардағы мәліметтер мемлекеттік жүйелердің деректеріне сәйкес емес.",
        ),
        signer=permit.signer,
    )


def kazakh_notice() -> RefusalOfFurtherConsideration:
    """Rules §6: the package held an expired document."""
    permit = kazakh_permit()
    return RefusalOfFurtherConsideration(
        number="NTC-2026-000003",
        application_number=permit.application_number,
        application_date=date(2026, 3, 2),
        issue_date=date(2026, 3, 4),
        provider=permit.provider,
        recipient=permit.recipient,
        problems=(
            Problem(ProblemCode.DOCUMENT_EXPIRED, "attachments[0]", "valid until 2026-01-31"),
        ),
        signer=permit.signer,
    )


def seal(ministry: Ministry, number: str, body: dict[str, object]) -> SealedDocument:
    """Any canonical document dict, signed by the Ministry."""
    content = canonical_bytes(body)
    return SealedDocument(number, content, ministry.sign(content))


def sealed_permit(ministry: Ministry, permit: Permit | None = None) -> SealedDocument:
    """The permit's canonical JSON and the Ministry's CMS over it."""
    document = permit or kazakh_permit()
    content = canonical_bytes(document.to_canonical_dict())
    return SealedDocument(document.number, content, ministry.sign(content))


def renumbered(permit: Permit, number: str) -> Permit:
    """The same permit under another number."""
    return replace(permit, number=number)


def pdf_text(path: Path) -> str:
    """What poppler's pdftotext copies out of the PDF, page order kept."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode()


def pdf_attachments(path: Path) -> list[str]:
    """The attached files pdfdetach lists."""
    done = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, check=True)
    lines = done.stdout.decode().splitlines()[1:]
    return [line.split(":", 1)[1].strip() for line in lines if ":" in line]


def pdf_pages_png(path: Path, out: Path, dpi: int = 150) -> list[Path]:
    """Every page rendered by pdftoppm as PNG files under `out`."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(out / "page")], check=True)
    return sorted(out.glob("page*.png"))
