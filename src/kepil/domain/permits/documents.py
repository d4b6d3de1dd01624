"""The result documents (App.3, App.4, Rules §6) as data with stable, JSON-able dicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from kepil.domain.permits import wording
from kepil.domain.permits.application import ActivityAddress, ApplicantKind, ApplicationForm
from kepil.domain.permits.grounds import GroundClearance, RefusalReasons
from kepil.domain.permits.roles import Actor, PermitRole
from kepil.domain.permits.validation import Problem

PERMIT_VALIDITY_YEARS: Final = 3  # App.3 «Особые условия»
# App.1 item 2; the ministry has been renamed before, so the name is a setting, this a default.
PROVIDER_NAME_RU: Final = (
    "Министерство цифрового развития, инноваций и аэрокосмической промышленности "
    "Республики Казахстан"
)
PROVIDER_NAME_KK: Final = (
    "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі"
)
# The same names in the genitive, as App.2's addressee declines them: «Руководителю
# Министерства …» / «… министрлігінің басшысына». A declension is not derived from a configured
# name (Министерство/Агентство/Комитет decline apart; Kazakh harmony picks -ның/-нің/-дың…),
# so each name comes with its genitive.
PROVIDER_NAME_RU_GENITIVE: Final = (
    "Министерства цифрового развития, инноваций и аэрокосмической промышленности "
    "Республики Казахстан"
)
PROVIDER_NAME_KK_GENITIVE: Final = (
    "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігінің"
)
# The ru-only keys the documents always had keep their values; the pairs are added beside them.
PERMIT_TITLE: Final = wording.PERMIT_TITLE[1]
PERMIT_SPECIAL_CONDITION: Final = wording.PERMIT_SPECIAL_CONDITION[1]
PERMIT_NOTE: Final = wording.PERMIT_NOTE[1]
REFUSAL_TITLE: Final = wording.REFUSAL_TITLE[1]
FURTHER_CONSIDERATION_TITLE: Final = wording.FURTHER_CONSIDERATION_TITLE[1]
_DEFAULT_POSITIONS: Final = {
    PermitRole.HEAD: "Руководитель",
    PermitRole.EXAMINER: "Ответственный исполнитель",
}


def _sources(*sentences: str, title_ru: wording.Source = wording.LAW) -> dict[str, object]:
    # Whose words: the Russian is the law's, the Kazakh headings partly, the rest kepil's.
    return {
        "title": {"kk": wording.KEPIL, "ru": title_ru},
        **wording.sentence_sources(*sentences),
        "headings": wording.heading_sources(),
    }


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
    """The state body that issues the document and its requisites (App.3, App.4).

    The requisites come from configuration; empty ones are shown as "not configured", never
    made up (prod refuses to start without them, config.py)."""

    name_kk: str = PROVIDER_NAME_KK
    name_ru: str = PROVIDER_NAME_RU
    bin: str = ""
    address_kk: str = ""
    address_ru: str = ""
    phone: str = ""
    email: str = ""
    site: str = ""
    name_kk_genitive: str = PROVIDER_NAME_KK_GENITIVE
    name_ru_genitive: str = PROVIDER_NAME_RU_GENITIVE

    @property
    def configured(self) -> bool:
        """Whether every requisite is known."""
        return all((self.bin, self.address_kk, self.address_ru, self.phone, self.email, self.site))

    @property
    def name(self) -> dict[str, str]:
        """The body's name in both languages."""
        return {"kk": self.name_kk, "ru": self.name_ru}

    @property
    def genitive(self) -> dict[str, str]:
        """The body's name in the genitive in both languages, for App.2's addressee."""
        return {"kk": self.name_kk_genitive, "ru": self.name_ru_genitive}

    def requisites(self, language: str) -> str:
        """The requisites as one line in the language ("kk" or "ru"); empty if none is set."""
        labels = _REQUISITE_LABELS[language]
        address = self.address_kk if language == "kk" else self.address_ru
        parts = zip(labels, (self.bin, address, self.phone, self.email, self.site), strict=True)
        return "; ".join(f"{label} {value}" for label, value in parts if value)

    def to_canonical_dict(self) -> dict[str, object]:
        """The provider block with stable keys."""
        return {
            "name_kk": self.name_kk,
            "name_ru": self.name_ru,
            "requisites_kk": self.requisites("kk"),
            "requisites_ru": self.requisites("ru"),
            "bin": self.bin,
            "address": {"kk": self.address_kk, "ru": self.address_ru},
            "phone": self.phone,
            "email": self.email,
            "site": self.site,
            "configured": self.configured,
        }


# kepil's labels (the forms name the block, not its parts); БСН is the Kazakh for БИН.
_REQUISITE_LABELS: Final = {
    "kk": ("БСН", "мекенжайы:", "тел.:", "e-mail:", "сайт:"),
    "ru": ("БИН", "адрес:", "тел.:", "e-mail:", "сайт:"),
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

    @property
    def position_kk(self) -> str:
        """The position in Kazakh (kepil's translation); empty when kepil has none for it."""
        return wording.position_kk(self.position)

    def to_canonical_dict(self) -> dict[str, str]:
        """The signer block with stable keys."""
        return {
            "position": self.position,
            "name": self.name,
            "iin": self.iin,
            "position_kk": self.position_kk,
        }


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
    # Reported grounds 3/4 the examiner recorded, signed, as not concerning this activity.
    clearances: tuple[GroundClearance, ...] = ()

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
            "headings": wording.headings(),
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
            "titles": wording.pair(wording.PERMIT_TITLE),
            "legal_basis": wording.pair(wording.PERMIT_LEGAL_BASIS),
            "wording": {
                "special_conditions": wording.pair(wording.PERMIT_SPECIAL_CONDITION),
                "note": wording.pair(wording.PERMIT_NOTE),
            },
            "wording_sources": {
                **_sources("legal_basis", "special_conditions", "note"),
                # The clearance's ground_text is the law's; its ground_text_kk kepil's.
                "ground_clearances": {"kk": wording.KEPIL, "ru": wording.LAW},
            },
            "ground_clearances": [c.to_canonical_dict() for c in self.clearances],
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
            "headings": wording.headings(),
            "number": self.number,
            "application_number": self.application_number,
            "application_date": self.application_date.isoformat(),
            "issue_date": self.issue_date.isoformat(),
            "provider": self.provider.to_canonical_dict(),
            "recipient": self.recipient.to_canonical_dict(),
            "grounds": self.reasons.to_canonical_list(),
            "motivation": self.reasons.motivation,
            "signer": self.signer.to_canonical_dict(),
            "titles": wording.pair(wording.REFUSAL_TITLE),
            "opening": wording.refusal_opening(
                self.provider.name, self.application_date, self.application_number
            ),
            "wording_sources": {
                **_sources("opening"),
                # Each cited ground's text is the law's; its text_kk kepil's.
                "grounds": {"kk": wording.KEPIL, "ru": wording.LAW},
            },
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
            "headings": wording.headings(),
            "number": self.number,
            "application_number": self.application_number,
            "application_date": self.application_date.isoformat(),
            "issue_date": self.issue_date.isoformat(),
            "provider": self.provider.to_canonical_dict(),
            "recipient": self.recipient.to_canonical_dict(),
            "problems": [problem.to_canonical_dict() for problem in self.problems],
            "signer": self.signer.to_canonical_dict(),
            "titles": wording.pair(wording.FURTHER_CONSIDERATION_TITLE),
            "wording_sources": _sources(title_ru=wording.KEPIL),
        }
