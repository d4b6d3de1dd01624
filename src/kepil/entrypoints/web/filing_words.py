"""The words the filing, withdrawing and complaint pages show for what the code decides: every
problem code of the form, the kinds of attachment, the confirmations of Appendix 2, the
service's refusals. Each is a msgid translated where it is shown."""

from __future__ import annotations

from typing import Final

from kepil.domain.permits.application import ApplicantKind, AttachmentKind
from kepil.domain.permits.complaints import ComplaintSubject, FiledWith
from kepil.domain.permits.validation import ProblemCode
from kepil.entrypoints.web.i18n import N_

_P = ProblemCode
PROBLEMS: Final[dict[ProblemCode, str]] = {
    _P.APPLICANT_IDENTIFIER_INVALID: N_(
        "This is not a valid IIN or BIN: it has 12 digits, the last one a check digit."
    ),
    _P.APPLICANT_KIND_MISMATCH: N_(
        "This number does not fit the kind of applicant: an individual entrepreneur files under "
        "an IIN (or the BIN of a joint entrepreneurship), a legal entity under its BIN."
    ),
    _P.APPLICANT_NAME_MISSING: N_("Enter the name of the entrepreneur or the legal entity."),
    _P.APPLICANT_ADDRESS_MISSING: N_("Enter the applicant's address."),
    _P.PHONE_INVALID: N_("Enter a phone number of 10 to 15 digits, for example +7 701 123 45 67."),
    _P.EMAIL_INVALID: N_("Enter an e-mail address such as name@example.kz."),
    _P.PLATFORM_NAME_MISSING: N_("Enter the name of the digital platform."),
    _P.PURPOSE_MISSING: N_("Describe the purpose of issuing and circulating the assets."),
    _P.ACTIVITY_ADDRESS_MISSING: N_("Enter at least one address where the activity is carried on."),
    _P.POSTAL_CODE_INVALID: N_("A postal code is 6 digits."),
    _P.ACTIVITY_ADDRESS_INCOMPLETE: N_("The address is incomplete."),
    _P.ATTACHMENT_FILE_NAME_MISSING: N_("The file has no name. Choose the file again."),
    _P.ATTACHMENT_MEDIA_TYPE_INVALID: N_(
        "The type of this file is not recognised. Attach a PDF, JPEG, PNG, XML or signature "
        "(.p7s) file."
    ),
    _P.ATTACHMENT_EMPTY: N_("The file is empty."),
    _P.ATTACHMENT_HASH_INVALID: N_("The file could not be read. Choose it again."),
    _P.ATTACHMENT_DUPLICATED: N_("The same file is attached twice."),
    _P.BACKING_DOCUMENT_MISSING: N_(
        "No backing document is attached (Appendix 1, §9 item 2): without one the application "
        "will be refused further consideration."
    ),
    _P.GUARANTEE_LETTER_MISSING: N_(
        "The guarantee letter is not attached (Appendix 1, §9 item 3): without it the "
        "application will be refused further consideration."
    ),
    _P.DOCUMENT_EXPIRED: N_(
        "This document's validity has ended: the application will be refused further consideration."
    ),
    _P.TRUTHFULNESS_NOT_CONFIRMED: N_(
        "Without this confirmation the application will be refused further consideration."
    ),
    _P.PROTECTED_SECRETS_CONSENT_MISSING: N_(
        "Without this consent the application will be refused further consideration."
    ),
}

ADDRESS_PARTS: Final = {
    "street": N_("Enter the street."),
    "building": N_("Enter the number of the house or building."),
    "city_or_settlement": N_("Enter a city or a settlement: one of them is enough."),
}
CHOOSE_ONE: Final = N_("Choose one of the options.")
CHOOSE_KIND: Final = N_("Choose what this document is.")
DATE_FORMAT: Final = N_("Enter the date as year-month-day, for example 2027-12-31.")
FILE_UNREAD: Final = N_("The file could not be read. Choose it again.")

APPLICANT_KINDS: Final = {
    ApplicantKind.INDIVIDUAL_ENTREPRENEUR: N_("Individual entrepreneur"),
    ApplicantKind.LEGAL_ENTITY: N_("Legal entity"),
}

# English msgids; the Russian catalogue carries the exact words of App.1 §9 and App.2
# (tests/unit/web/test_filing_words.py holds it to the domain's texts).
ATTACHMENT_KINDS: Final = {
    AttachmentKind.TRADEMARK_REGISTER_EXTRACT: N_(
        "an electronic copy of an extract from the State Register of Trademarks"
    ),
    AttachmentKind.APPELLATION_OF_ORIGIN_REGISTER_EXTRACT: N_(
        "an electronic copy of an extract from the State Register of Appellations of Origin of "
        "Goods"
    ),
    AttachmentKind.SALE_CONTRACT: N_(
        "an electronic copy of a contract of sale of property (goods)"
    ),
    AttachmentKind.RETAIL_SALE_CONTRACT: N_(
        "an electronic copy of a contract of retail sale of goods"
    ),
    AttachmentKind.CONTRACTING_CONTRACT: N_(
        "an electronic copy of a contracting agreement (kontraktatsiya)"
    ),
    AttachmentKind.BARTER_CONTRACT: N_("an electronic copy of a barter contract"),
    AttachmentKind.GIFT_CONTRACT: N_("an electronic copy of a gift contract"),
    AttachmentKind.IP_CREATION_AND_USE_CONTRACT: N_(
        "an electronic copy of a contract on the creation and use of results of intellectual "
        "creative activity"
    ),
    AttachmentKind.COPYRIGHT_REGISTER_CERTIFICATE: N_(
        "an electronic copy of a certificate of entry in the State Register of Rights to "
        "Objects Protected by Copyright"
    ),
    AttachmentKind.GUARANTEE_LETTER: N_(
        "a guarantee letter in free form on the lease of server equipment or the purchase of "
        "at least 5 (five) nodes of the blockchain network of the distributed data platform "
        "and (or) on having an algorithm for confirming the recording of data in the nodes"
    ),
    AttachmentKind.OTHER: N_("another document"),
}

CONSENTS: Final = {
    "truthfulness_confirmed": N_(
        "I confirm that the information provided is accurate and I am aware of the liability "
        "for providing false information under the legislation of the Republic of Kazakhstan."
    ),
    "consents_to_protected_secrets_use": N_(
        "I consent to the use of information constituting a secret protected by law that is "
        "contained in information systems."
    ),
    "consents_to_personal_data_access": N_(
        "I consent to access to restricted personal data required to provide the public "
        "service, in accordance with Article 8 of the Law of the Republic of Kazakhstan "
        "\u201cOn Personal Data and Their Protection\u201d."
    ),
}

# A file refused by the service after upload, or an act refused, in the person's words; keyed
# by the service's stable error codes. An unknown code falls back to SERVICE_REFUSED.
SERVICE_ERRORS: Final = {
    "attachments_mismatch": N_(
        "The files sent differ from the ones listed in the signed form. Choose the files "
        "again and sign once more."
    ),
    "invalid_form": N_("The signed form could not be read. Reload the page and sign again."),
    "invalid_idempotency_key": N_("The page is out of date. Reload it and sign again."),
    "idempotency_key_reused": N_(
        "This page was already used to file a different application. Reload it and sign again."
    ),
    "signed_act_used": N_(
        "This signature was already used. Sign again: every signed request takes effect once."
    ),
    "signer_mismatch": N_(
        "The document was signed with a key of another person. Sign with your own signing key."
    ),
    "signature_right_required": N_(
        "Only the first head of the organisation or a person with the right of signature may "
        "do this. Sign with such a key."
    ),
    "wrong_key_usage": N_(
        "This key is for signing in, not for signing documents. In NCALayer choose your "
        "signing key (its file name begins with RSA or GOST)."
    ),
    "malformed_cms": N_(
        "NCALayer's answer could not be read. Press the button again; if this repeats, update "
        "NCALayer."
    ),
    "transition_not_allowed": N_("The application can no longer be withdrawn: its case is closed."),
    "application_not_found": N_("There is no such application among yours."),
    "too_large": N_("A file is larger than the service accepts."),
}
# Any other refusal of the signature itself (chain, validity, revocation).
SIGNATURE_REFUSED: Final = N_(
    "The signature was not accepted: the certificate is not valid now, has been revoked, "
    "or was not issued by the National Certification Centre."
)
SERVICE_REFUSED: Final = N_("The service refused the request. Reload the page and try again.")

# What the browser checks before anything is sent (rendered into the page for filing.js).
FILE_TOO_LARGE: Final = N_("This file is larger than %(size)s MB. Attach a smaller file.")
FILE_WRONG_TYPE: Final = N_(
    "Files of this type are not accepted. Attach a PDF, JPEG, PNG, XML or signature (.p7s) file."
)
FILES_TOO_LARGE: Final = N_("All files together are larger than %(size)s MB.")

COMPLAINT_SUBJECTS: Final = {
    ComplaintSubject.DECISION: N_("a decision"),
    ComplaintSubject.ACTION: N_("an action"),
    ComplaintSubject.INACTION: N_("inaction"),
}
FILED_WITH: Final = {
    FiledWith.PROVIDER: N_("the service provider (the Ministry)"),
    FiledWith.QUALITY_CONTROL_AGENCY: N_(
        "the authorised body for assessing and controlling the quality of public services"
    ),
}
COMPLAINT_FIELDS: Final = {
    "application_number": N_("Choose the application the complaint is about."),
    "subject": N_("Choose what the complaint is about."),
    "filed_with": N_("Choose where the complaint is filed."),
    "target": N_("Name the decision or action complained of (at most 1,000 characters)."),
    "text": N_("Write the complaint (at most 20,000 characters)."),
}
