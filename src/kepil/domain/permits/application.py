"""The application form of Appendix 2 and its attachments (Appendix 1 §9) as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final


class ApplicantKind(StrEnum):
    """Who may apply (Rules §1): an individual entrepreneur or a legal entity."""

    INDIVIDUAL_ENTREPRENEUR = "individual_entrepreneur"
    LEGAL_ENTITY = "legal_entity"


class AttachmentKind(StrEnum):
    """What an attached document is; the first nine are the backing documents of App.1 §9.2."""

    TRADEMARK_REGISTER_EXTRACT = "trademark_register_extract"
    APPELLATION_OF_ORIGIN_REGISTER_EXTRACT = "appellation_of_origin_register_extract"
    SALE_CONTRACT = "sale_contract"
    RETAIL_SALE_CONTRACT = "retail_sale_contract"
    CONTRACTING_CONTRACT = "contracting_contract"
    BARTER_CONTRACT = "barter_contract"
    GIFT_CONTRACT = "gift_contract"
    IP_CREATION_AND_USE_CONTRACT = "ip_creation_and_use_contract"
    COPYRIGHT_REGISTER_CERTIFICATE = "copyright_register_certificate"
    GUARANTEE_LETTER = "guarantee_letter"
    OTHER = "other"


BACKING_DOCUMENT_KINDS: Final = frozenset(
    {
        AttachmentKind.TRADEMARK_REGISTER_EXTRACT,
        AttachmentKind.APPELLATION_OF_ORIGIN_REGISTER_EXTRACT,
        AttachmentKind.SALE_CONTRACT,
        AttachmentKind.RETAIL_SALE_CONTRACT,
        AttachmentKind.CONTRACTING_CONTRACT,
        AttachmentKind.BARTER_CONTRACT,
        AttachmentKind.GIFT_CONTRACT,
        AttachmentKind.IP_CREATION_AND_USE_CONTRACT,
        AttachmentKind.COPYRIGHT_REGISTER_CERTIFICATE,
    }
)

ATTACHMENT_KIND_TEXTS: Final = {
    AttachmentKind.TRADEMARK_REGISTER_EXTRACT: (
        "электронная копия выписки из Государственного реестра товарных знаков"
    ),
    AttachmentKind.APPELLATION_OF_ORIGIN_REGISTER_EXTRACT: (
        "электронная копия выписки из Государственного реестра наименований мест "
        "происхождения товаров"
    ),
    AttachmentKind.SALE_CONTRACT: "электронная копия договора купли-продажи имущества (товара)",
    AttachmentKind.RETAIL_SALE_CONTRACT: (
        "электронная копия договора розничной купли-продажи товара"
    ),
    AttachmentKind.CONTRACTING_CONTRACT: "электронная копия договора контрактации",
    AttachmentKind.BARTER_CONTRACT: "электронная копия договора мены",
    AttachmentKind.GIFT_CONTRACT: "электронная копия договора дарения",
    AttachmentKind.IP_CREATION_AND_USE_CONTRACT: (
        "электронная копия договора о создании и использовании результатов интеллектуальной "
        "творческой деятельности"
    ),
    AttachmentKind.COPYRIGHT_REGISTER_CERTIFICATE: (
        "электронная копия свидетельства о внесении сведений в Государственный реестр прав "
        "на объекты, охраняемые авторским правом"
    ),
    AttachmentKind.GUARANTEE_LETTER: (
        "гарантийное письмо в произвольной форме о наличии аренды серверного оборудования или "
        "купли продажи не менее 5 (пять) узлов блокчейн-сети распределенной платформы данных "
        "и (или) о наличии алгоритма подтверждения записи данных в узлы"
    ),
    AttachmentKind.OTHER: "иной документ",
}

TRUTHFULNESS_TEXT: Final = (
    "Подтверждаю достоверность представленной информации и осведомлен об ответственности за "
    "предоставление недостоверных сведений в соответствии с законодательством Республики "
    "Казахстан."
)
PROTECTED_SECRETS_CONSENT_TEXT: Final = (
    "Согласен на использование сведений, составляющих охраняемую законом тайну, содержащихся "
    "в информационных системах."
)
# Appendix 2 prints no wording for this consent; it is built from App.1 §10 ground 5, whose
# absence is a ground for refusal, so the form must be able to carry it.
PERSONAL_DATA_CONSENT_TEXT: Final = (
    "Согласен на доступ к персональным данным ограниченного доступа, которые требуются для "
    "оказания государственной услуги, в соответствии со статьей 8 Закона Республики Казахстан "
    "«О персональных данных и их защите»."
)


@dataclass(frozen=True, slots=True)
class ApplicantRequisites:
    """The applicant's requisites at the top of the form: address, IIN/BIN, phone, e-mail."""

    address: str
    iin_or_bin: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class ActivityAddress:
    """A place of activity as Appendix 2 lists its parts; absent parts are empty strings."""

    postal_code: str
    street: str
    building: str
    region: str = ""
    city: str = ""
    district: str = ""
    settlement: str = ""

    def one_line(self) -> str:
        """The address as one line, largest part first, empty parts left out."""
        return ", ".join(part for part in self.to_canonical_dict().values() if part)

    def to_canonical_dict(self) -> dict[str, str]:
        """The address as a JSON-able dict with stable keys."""
        return {
            "postal_code": self.postal_code,
            "region": self.region,
            "city": self.city,
            "district": self.district,
            "settlement": self.settlement,
            "street": self.street,
            "building": self.building,
        }


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attached electronic document, identified by its SHA-256 (the EDS covers the hash)."""

    kind: AttachmentKind
    file_name: str
    media_type: str
    size: int
    sha256: str
    valid_until: date | None = None

    def expired_on(self, day: date) -> bool:
        """Whether the document's own validity ended before the given day."""
        return self.valid_until is not None and self.valid_until < day


@dataclass(frozen=True, slots=True)
class ApplicationForm:
    """Everything the applicant states in the Appendix 2 form, signed with the applicant's EDS."""

    requisites: ApplicantRequisites
    applicant_name: str
    applicant_kind: ApplicantKind
    platform_name: str
    purpose: str
    activity_addresses: tuple[ActivityAddress, ...]
    attachments: tuple[Attachment, ...]
    truthfulness_confirmed: bool
    consents_to_protected_secrets_use: bool
    consents_to_personal_data_access: bool
    # The language the form was filed in and the text of each statement as the applicant saw
    # it there (app2.STATEMENTS); empty only on forms stored before they were signed.
    language: str = ""
    statements: tuple[tuple[str, str], ...] = ()

    @property
    def applicant_identifier(self) -> str:
        """The applicant's IIN or BIN without surrounding whitespace."""
        return self.requisites.iin_or_bin.strip()

    def attachments_of(self, kinds: frozenset[AttachmentKind]) -> tuple[Attachment, ...]:
        """The attachments whose kind is one of the given kinds."""
        return tuple(item for item in self.attachments if item.kind in kinds)
