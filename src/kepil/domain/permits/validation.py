"""What is wrong with an application: every problem with a stable code, never just the first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from kepil.domain.identity import (
    Bin,
    EntityType,
    Iin,
    InvalidIdentifierError,
    parse_identifier,
)
from kepil.domain.permits.application import (
    BACKING_DOCUMENT_KINDS,
    ActivityAddress,
    ApplicantKind,
    ApplicationForm,
    Attachment,
    AttachmentKind,
)


class ProblemCode(StrEnum):
    """Why a form or a package of documents is not acceptable."""

    # The form itself (Appendix 2): caught when it is submitted.
    APPLICANT_IDENTIFIER_INVALID = "applicant_identifier_invalid"
    APPLICANT_KIND_MISMATCH = "applicant_kind_mismatch"
    APPLICANT_NAME_MISSING = "applicant_name_missing"
    APPLICANT_ADDRESS_MISSING = "applicant_address_missing"
    PHONE_INVALID = "phone_invalid"
    EMAIL_INVALID = "email_invalid"
    PLATFORM_NAME_MISSING = "platform_name_missing"
    PURPOSE_MISSING = "purpose_missing"
    ACTIVITY_ADDRESS_MISSING = "activity_address_missing"
    POSTAL_CODE_INVALID = "postal_code_invalid"
    ACTIVITY_ADDRESS_INCOMPLETE = "activity_address_incomplete"
    ATTACHMENT_FILE_NAME_MISSING = "attachment_file_name_missing"
    ATTACHMENT_MEDIA_TYPE_INVALID = "attachment_media_type_invalid"
    ATTACHMENT_EMPTY = "attachment_empty"
    ATTACHMENT_HASH_INVALID = "attachment_hash_invalid"
    ATTACHMENT_DUPLICATED = "attachment_duplicated"
    # The package (Rules §6, App.1 §9): grounds for refusing further consideration.
    BACKING_DOCUMENT_MISSING = "backing_document_missing"
    GUARANTEE_LETTER_MISSING = "guarantee_letter_missing"
    DOCUMENT_EXPIRED = "document_expired"
    TRUTHFULNESS_NOT_CONFIRMED = "truthfulness_not_confirmed"
    PROTECTED_SECRETS_CONSENT_MISSING = "protected_secrets_consent_missing"


COMPLETENESS_CODES: Final = frozenset(
    {
        ProblemCode.BACKING_DOCUMENT_MISSING,
        ProblemCode.GUARANTEE_LETTER_MISSING,
        ProblemCode.DOCUMENT_EXPIRED,
        ProblemCode.TRUTHFULNESS_NOT_CONFIRMED,
        ProblemCode.PROTECTED_SECRETS_CONSENT_MISSING,
    }
)
FORM_CODES: Final = frozenset(ProblemCode) - COMPLETENESS_CODES


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: a code, the field or attachment it concerns, and a human detail."""

    code: ProblemCode
    field: str
    detail: str = ""

    def to_canonical_dict(self) -> dict[str, str]:
        """The problem as a JSON-able dict with stable keys."""
        return {"code": str(self.code), "field": self.field, "detail": self.detail}


# Deliberately simple: the portal and the mail server are the real judges of an address;
# this only catches a form filled in the wrong box.
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE_SEPARATORS: Final = re.compile(r"[\s()\-]")
_POSTAL_CODE: Final = re.compile(r"^[0-9]{6}$")
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_MEDIA_TYPE: Final = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+-]+$")


def form_problems(form: ApplicationForm) -> list[Problem]:
    """Every field problem of the Appendix 2 form, in the order of the form."""
    problems = _requisites_problems(form)
    if not form.applicant_name.strip():
        problems.append(Problem(ProblemCode.APPLICANT_NAME_MISSING, "applicant_name"))
    if not form.platform_name.strip():
        problems.append(Problem(ProblemCode.PLATFORM_NAME_MISSING, "platform_name"))
    if not form.purpose.strip():
        problems.append(Problem(ProblemCode.PURPOSE_MISSING, "purpose"))
    if not form.activity_addresses:
        problems.append(Problem(ProblemCode.ACTIVITY_ADDRESS_MISSING, "activity_addresses"))
    for index, address in enumerate(form.activity_addresses):
        problems.extend(_address_problems(f"activity_addresses[{index}]", address))
    seen: set[str] = set()
    for index, attachment in enumerate(form.attachments):
        problems.extend(_attachment_problems(f"attachments[{index}]", attachment, seen))
    return problems


def completeness_problems(form: ApplicationForm, registration_day: date) -> list[Problem]:
    """What makes the package incomplete or expired on the registration day (Rules §6)."""
    problems: list[Problem] = []
    if not form.truthfulness_confirmed:
        problems.append(Problem(ProblemCode.TRUTHFULNESS_NOT_CONFIRMED, "truthfulness_confirmed"))
    if not form.consents_to_protected_secrets_use:
        problems.append(
            Problem(
                ProblemCode.PROTECTED_SECRETS_CONSENT_MISSING, "consents_to_protected_secrets_use"
            )
        )
    # App.1 §9.2 joins the nine kinds with «или» (the first two with «и (или)»): one suffices,
    # and more are not a defect, since §6 refuses only for what is missing or expired.
    if not form.attachments_of(BACKING_DOCUMENT_KINDS):
        problems.append(
            Problem(ProblemCode.BACKING_DOCUMENT_MISSING, "attachments", "App.1 §9 item 2")
        )
    if not form.attachments_of(frozenset({AttachmentKind.GUARANTEE_LETTER})):
        problems.append(
            Problem(ProblemCode.GUARANTEE_LETTER_MISSING, "attachments", "App.1 §9 item 3")
        )
    for index, attachment in enumerate(form.attachments):
        if attachment.expired_on(registration_day):
            problems.append(
                Problem(
                    ProblemCode.DOCUMENT_EXPIRED,
                    f"attachments[{index}]",
                    f"{attachment.file_name} valid until {attachment.valid_until}",
                )
            )
    return problems


def _requisites_problems(form: ApplicationForm) -> list[Problem]:
    problems: list[Problem] = []
    requisites = form.requisites
    if not requisites.address.strip():
        problems.append(Problem(ProblemCode.APPLICANT_ADDRESS_MISSING, "requisites.address"))
    try:
        identifier = parse_identifier(requisites.iin_or_bin)
    except InvalidIdentifierError as error:
        problems.append(
            Problem(ProblemCode.APPLICANT_IDENTIFIER_INVALID, "requisites.iin_or_bin", error.reason)
        )
    else:
        if not _identifier_fits(identifier, form.applicant_kind):
            problems.append(
                Problem(
                    ProblemCode.APPLICANT_KIND_MISMATCH,
                    "requisites.iin_or_bin",
                    f"{identifier.kind} does not identify a {form.applicant_kind}",
                )
            )
    digits = _PHONE_SEPARATORS.sub("", requisites.phone).removeprefix("+")
    if not (digits.isascii() and digits.isdigit() and 10 <= len(digits) <= 15):
        problems.append(Problem(ProblemCode.PHONE_INVALID, "requisites.phone"))
    if not _EMAIL.match(requisites.email.strip()):
        problems.append(Problem(ProblemCode.EMAIL_INVALID, "requisites.email"))
    return problems


def _identifier_fits(identifier: Iin | Bin, kind: ApplicantKind) -> bool:
    # An entrepreneur is registered under the owner's IIN, or under a BIN of type 6 when
    # the business is joint entrepreneurship; a legal entity always has a BIN of type 4 or 5.
    if isinstance(identifier, Iin):
        return kind is ApplicantKind.INDIVIDUAL_ENTREPRENEUR
    joint = identifier.entity_type is EntityType.JOINT_ENTREPRENEUR
    return joint == (kind is ApplicantKind.INDIVIDUAL_ENTREPRENEUR)


def _address_problems(field: str, address: ActivityAddress) -> list[Problem]:
    problems: list[Problem] = []
    if not _POSTAL_CODE.match(address.postal_code):
        problems.append(Problem(ProblemCode.POSTAL_CODE_INVALID, f"{field}.postal_code"))
    missing = [
        name
        for name, value in (("street", address.street), ("building", address.building))
        if not value.strip()
    ]
    # Cities of republican significance have no region and villages no city: one of the
    # locality parts is enough.
    if not (address.city.strip() or address.settlement.strip()):
        missing.append("city_or_settlement")
    if missing:
        problems.append(Problem(ProblemCode.ACTIVITY_ADDRESS_INCOMPLETE, field, ", ".join(missing)))
    return problems


def _attachment_problems(field: str, attachment: Attachment, seen: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if not attachment.file_name.strip():
        problems.append(Problem(ProblemCode.ATTACHMENT_FILE_NAME_MISSING, field))
    if not _MEDIA_TYPE.match(attachment.media_type):
        problems.append(Problem(ProblemCode.ATTACHMENT_MEDIA_TYPE_INVALID, field))
    if attachment.size <= 0:
        problems.append(Problem(ProblemCode.ATTACHMENT_EMPTY, field))
    if not _SHA256.match(attachment.sha256):
        problems.append(Problem(ProblemCode.ATTACHMENT_HASH_INVALID, field))
    elif attachment.sha256 in seen:
        problems.append(Problem(ProblemCode.ATTACHMENT_DUPLICATED, field, attachment.sha256))
    seen.add(attachment.sha256)
    return problems
