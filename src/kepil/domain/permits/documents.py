"""The result documents (App.3, App.4, Rules §6) as data with stable, JSON-able dicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from kepil.domain.permits.application import ActivityAddress, ApplicantKind, ApplicationForm
from kepil.domain.permits.grounds import RefusalReasons
from kepil.domain.permits.roles import Actor, PermitRole
from kepil.domain.permits.validation import Problem

PERMIT_VALIDITY_YEARS: Final = 3  # App.3 «Особые условия»
# App.1 item 2; the ministry has been renamed before, so the name is a parameter, this a default.
PROVIDER_NAME_RU: Final = (
    "Министерство цифрового развития, инноваций и аэрокосмической промышленности "
    "Республики Казахстан"
)
PROVIDER_NAME_KK: Final = (
    "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі"
)
HEADINGS: Final = {
    "provider_name": {
        "kk": "Мемлекеттік органның атауы",
        "ru": "Наименование государственного органа",
    },
    "provider_requisites": {
        "kk": "Мемлекеттік органның деректемелері",
        "ru": "Реквизиты государственного органа",
    },
}
PERMIT_TITLE: Final = "РАЗРЕШЕНИЕ на выпуск и обращение обеспеченных цифровых активов"
PERMIT_SPECIAL_CONDITION: Final = (
    "срок действия настоящего разрешения – 3 (три) года со дня его выдачи"
)
PERMIT_NOTE: Final = (
    "обеспеченный цифровой актив не является расчетной денежной единицей, законным платежным "
    "средством; не признается финансовым инструментом или финансовым активом согласно статье 5 "
    'Закона Республики Казахстан "О цифровых активах в Республике Казахстан"'
)
REFUSAL_TITLE: Final = (
    "МОТИВИРОВАННЫЙ ОТКАЗ в выдаче разрешения на выпуск и обращение обеспеченных цифровых активов"
)
FURTHER_CONSIDERATION_TITLE: Final = "Уведомление об отказе в дальнейшем рассмотрении документов"
_DEFAULT_POSITIONS: Final = {
    PermitRole.HEAD: "Руководитель",
    PermitRole.EXAMINER: "Ответственный исполнитель",
}


def _headings() -> dict[str, dict[str, str]]:
    # A fresh copy each time: a caller editing one document's dict must not edit the next one.
    return {key: dict(pair) for key, pair in HEADINGS.items()}


def add_years(start: date, years: int) -> date:
    """The corresponding month and day `years` later; 29 February becomes 28 February.

    Civil Code of Kazakhstan art. 172: a term in years ends on the corresponding month and day
    of its last year; where that month has no such day, on the month's last day.
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Provider:
    """The state body that issues the document, named in Kazakh and Russian (App.3, App.4)."""

    name_kk: str = PROVIDER_NAME_KK
    name_ru: str = PROVIDER_NAME_RU
    requisites_kk: str = ""
    requisites_ru: str = ""

    def to_canonical_dict(self) -> dict[str, str]:
        """The provider block with stable keys."""
        return {
            "name_kk": self.name_kk,
            "name_ru": self.name_ru,
            "requisites_kk": self.requisites_kk,
            "requisites_ru": self.requisites_ru,
        }


@dataclass(frozen=True, slots=True)
class Recipient:
    """The applicant as the document addresses it: name, kind and requisites."""

    name: str
    kind: ApplicantKind
    iin_or_bin: str
    address: str
    phone: str
    email: str

    @classmethod
    def from_form(cls, form: ApplicationForm) -> Recipient:
        """The applicant as the Appendix 2 form names it."""
        requisites = form.requisites
        return cls(
            name=form.applicant_name,
            kind=form.applicant_kind,
            iin_or_bin=form.applicant_identifier,
            address=requisites.address,
            phone=requisites.phone,
            email=requisites.email,
        )

    def to_canonical_dict(self) -> dict[str, str]:
        """The recipient block with stable keys."""
        return {
            "name": self.name,
            "kind": str(self.kind),
            "iin_or_bin": self.iin_or_bin,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
        }


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signs with EDS: the head or the person acting for the head (Rules §9)."""

    position: str
    name: str
    iin: str

    @classmethod
    def for_actor(cls, actor: Actor) -> Signer:
        """The official signing, with their position or the role's usual title."""
        return cls(actor.position or _DEFAULT_POSITIONS.get(actor.role, ""), actor.name, actor.iin)

    def to_canonical_dict(self) -> dict[str, str]:
        """The signer block with stable keys."""
        return {"position": self.position, "name": self.name, "iin": self.iin}


@dataclass(frozen=True, slots=True)
class Permit:
    """The permit of Appendix 3: valid 3 years from the day of issue."""

    number: str
    application_number: str
    issue_date: date
    provider: Provider
    recipient: Recipient
    platform_name: str
    purpose: str
    activity_addresses: tuple[ActivityAddress, ...]
    signer: Signer

    @property
    def valid_from(self) -> date:
        """The permit is valid from its day of issue."""
        return self.issue_date

    @property
    def valid_until(self) -> date:
        """The last day of validity: the same month and day 3 years after issue (CC art. 172)."""
        return add_years(self.issue_date, PERMIT_VALIDITY_YEARS)

    def is_valid_on(self, day: date) -> bool:
        """Whether the permit's 3-year term covers the day (status changes are not seen here)."""
        return self.valid_from <= day <= self.valid_until

    def to_canonical_dict(self) -> dict[str, object]:
        """The permit as a plain JSON-able dict with stable key names, ready to canonicalise."""
        return {
            "document_type": "permit",
            "title": PERMIT_TITLE,
            "headings": _headings(),
            "number": self.number,
            "application_number": self.application_number,
            "issue_date": self.issue_date.isoformat(),
            "provider": self.provider.to_canonical_dict(),
            "recipient": self.recipient.to_canonical_dict(),
            "platform_name": self.platform_name,
            "purpose": self.purpose,
            "activity_addresses": [a.to_canonical_dict() for a in self.activity_addresses],
            "special_conditions": PERMIT_SPECIAL_CONDITION,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "note": PERMIT_NOTE,
            "signer": self.signer.to_canonical_dict(),
        }


@dataclass(frozen=True, slots=True)
class MotivatedRefusal:
    """The motivated refusal of Appendix 4: grounds of App.1 §10 and their justification."""

    number: str
    application_number: str
    application_date: date
    issue_date: date
    provider: Provider
    recipient: Recipient
    reasons: RefusalReasons
    signer: Signer

    def to_canonical_dict(self) -> dict[str, object]:
        """The refusal as a plain JSON-able dict with stable key names."""
        return {
            "document_type": "motivated_refusal",
            "title": REFUSAL_TITLE,
            "headings": _headings(),
            "number": self.number,
            "application_number": self.application_number,
            "application_date": self.application_date.isoformat(),
            "issue_date": self.issue_date.isoformat(),
            "provider": self.provider.to_canonical_dict(),
            "recipient": self.recipient.to_canonical_dict(),
            "grounds": self.reasons.to_canonical_list(),
            "motivation": self.reasons.motivation,
            "signer": self.signer.to_canonical_dict(),
        }


@dataclass(frozen=True, slots=True)
class RefusalOfFurtherConsideration:
    """The Rules §6 notice: the package is incomplete or holds expired documents."""

    number: str
    application_number: str
    application_date: date
    issue_date: date
    provider: Provider
    recipient: Recipient
    problems: tuple[Problem, ...]
    signer: Signer

    def to_canonical_dict(self) -> dict[str, object]:
        """The notice as a plain JSON-able dict with stable key names."""
        return {
            "document_type": "refusal_of_further_consideration",
            "title": FURTHER_CONSIDERATION_TITLE,
            "headings": _headings(),
            "number": self.number,
            "application_number": self.application_number,
            "application_date": self.application_date.isoformat(),
            "issue_date": self.issue_date.isoformat(),
            "provider": self.provider.to_canonical_dict(),
            "recipient": self.recipient.to_canonical_dict(),
            "problems": [problem.to_canonical_dict() for problem in self.problems],
            "signer": self.signer.to_canonical_dict(),
        }
