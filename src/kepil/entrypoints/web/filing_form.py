"""The App.2 form as a page posts it: typed values kept as typed, read with the domain's codec,
checked with the domain's rules, and every problem placed beside the control it concerns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kepil.domain.auth import ENTREPRENEUR, Principal
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits.app2 import app2_statements
from kepil.domain.permits.application import ApplicantKind, ApplicationForm, AttachmentKind
from kepil.domain.permits.codec import (
    FORM_SCHEMA,
    FormDecodingError,
    form_from_dict,
    form_to_dict,
)
from kepil.domain.permits.documents import Provider
from kepil.domain.permits.validation import (
    Problem,
    ProblemCode,
    completeness_problems,
    form_problems,
)
from kepil.entrypoints.web import filing_words as words

TEXT_FIELDS = ("applicant_name", "iin_or_bin", "address", "phone", "email")
LONG_FIELDS = ("platform_name", "purpose")
ADDRESS_PARTS = ("postal_code", "region", "city", "district", "settlement", "street", "building")
FACTS = ("file_name", "media_type", "size", "sha256")
CONSENTS = (
    "truthfulness_confirmed",
    "consents_to_protected_secrets_use",
    "consents_to_personal_data_access",
)
# Where the domain's field paths are on the page.
_REQUISITES = {f"requisites.{name}": name for name in ("address", "iin_or_bin", "phone", "email")}
_INDEXED = re.compile(r"^(activity_addresses|attachments)\[(\d+)\](?:\.(\w+))?")
# Bounds that keep a posted page small; far above anything the form needs.
MAX_BLOCKS = 20
MAX_VALUE = 4000


@dataclass(frozen=True, slots=True)
class Wording:
    """The language the page is read in and the App.2 statements it shows there: the applicant
    signs exactly these words (app2.py), and the service checks they are the current ones."""

    language: str
    statements: dict[str, str]

    @classmethod
    def of(cls, language: str, provider: Provider) -> Wording:
        """The current statements in `language`, addressed to the configured state body."""
        return cls(language, app2_statements(language, provider.genitive[language]))


@dataclass
class Messages:
    """Messages (untranslated msgids) by the id of the control they are placed beside."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, control: str, message: str) -> None:
        """Place a message beside a control, once."""
        kept = self.by_field.setdefault(control, [])
        if message not in kept:
            kept.append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


@dataclass
class FilingForm:
    """What the person typed, exactly as typed, with the blocks of addresses and attachments."""

    values: dict[str, str]
    addresses: list[dict[str, str]]
    attachments: list[dict[str, str]]
    consents: dict[str, bool]

    @classmethod
    def blank(cls, principal: Principal) -> FilingForm:
        """A new form for the signed-in person: their BIN if they sign for an organisation."""
        organisation = bool(principal.bin) and principal.role != ENTREPRENEUR
        kind = ApplicantKind.LEGAL_ENTITY if organisation else ApplicantKind.INDIVIDUAL_ENTREPRENEUR
        values = dict.fromkeys((*TEXT_FIELDS, *LONG_FIELDS), "")
        values["applicant_kind"] = str(kind)
        values["iin_or_bin"] = (principal.bin if organisation else principal.iin) or ""
        values["applicant_name"] = (principal.organization if organisation else "") or ""
        # Appendix 1 §9 asks for a backing document and the guarantee letter: a block for each.
        attachments = [_attachment_block(""), _attachment_block(AttachmentKind.GUARANTEE_LETTER)]
        return cls(values, [_address_block()], attachments, dict.fromkeys(CONSENTS, False))

    @classmethod
    def posted(cls, data: Mapping[str, str]) -> FilingForm:
        """The form from the posted fields; a block count outside bounds is clamped."""
        values = {name: _value(data, name) for name in (*TEXT_FIELDS, *LONG_FIELDS)}
        values["applicant_kind"] = _value(data, "applicant_kind")
        addresses = [
            {part: _value(data, f"addresses-{i}-{part}") for part in ADDRESS_PARTS}
            for i in range(_count(data, "address_count"))
        ]
        attachments = [
            {
                name: _value(data, f"attachments-{i}-{name}")
                for name in ("kind", "valid_until", *FACTS)
            }
            for i in range(_count(data, "attachment_count"))
        ]
        consents = {name: data.get(name) == "yes" for name in CONSENTS}
        return cls(values, addresses, attachments, consents)

    def add_address(self) -> None:
        """One more empty address block, for the 'add another address' button."""
        if len(self.addresses) < MAX_BLOCKS:
            self.addresses.append(_address_block())

    def add_attachment(self) -> None:
        """One more empty attachment block."""
        if len(self.attachments) < MAX_BLOCKS:
            self.attachments.append(_attachment_block(""))

    def filed_addresses(self) -> list[int]:
        """The address blocks that go into the form: any typed in, and always the first."""
        typed = [
            i for i, block in enumerate(self.addresses) if any(v.strip() for v in block.values())
        ]
        return typed or [0]

    def filed_attachments(self) -> list[int]:
        """The attachment blocks that carry a chosen file (the browser states its facts)."""
        return [
            i for i, block in enumerate(self.attachments) if block["sha256"] or block["file_name"]
        ]

    def to_dict(self, wording: Wording | None = None) -> dict[str, Any]:
        """The form in the JSON shape of Appendix 2 that the domain's codec reads, with the
        statements the page showed when `wording` is given."""
        said = {"language": wording.language, "statements": wording.statements} if wording else {}
        return {
            "schema": FORM_SCHEMA,
            "requisites": {
                "address": self.values["address"],
                "iin_or_bin": self.values["iin_or_bin"].strip(),
                "phone": self.values["phone"],
                "email": self.values["email"],
            },
            "applicant_name": self.values["applicant_name"],
            "applicant_kind": self.values["applicant_kind"],
            "platform_name": self.values["platform_name"],
            "purpose": self.values["purpose"],
            "activity_addresses": [self.addresses[i] for i in self.filed_addresses()],
            "attachments": [
                _attachment_dict(self.attachments[i]) for i in self.filed_attachments()
            ],
            **self.consents,
            **said,
        }


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking a posted form: the form if it reads, errors that stop signing,
    warnings of what the Rules §6 would refuse later, and the exact bytes to sign."""

    form: ApplicationForm | None
    errors: Messages
    warnings: Messages

    @property
    def content(self) -> bytes | None:
        """The canonical form bytes to sign, when nothing stops signing."""
        if self.form is None or self.errors:
            return None
        return form_bytes(self.form)


def form_bytes(form: ApplicationForm) -> bytes:
    """The canonical JSON of the form: what the applicant signs and SubmitApplication reads."""
    return canonical_bytes(form_to_dict(form))


def check(filing: FilingForm, today: date, wording: Wording | None = None) -> Checked:
    """Every problem of the form at once: the codec's, then the domain's field rules; the
    completeness rules (Rules §6) become warnings, as the service accepts and then refuses.
    The form to sign carries the statements of `wording` (the page's language)."""
    errors, warnings = Messages(), Messages()
    data = filing.to_dict(wording)
    form: ApplicationForm | None
    try:
        form = form_from_dict(data)
    except FormDecodingError as error:
        for path in error.problems:
            errors.add(*_decoding_message(filing, path))
        form = _decoded_despite(data, error.problems)
    if form is None:
        return Checked(None, errors, warnings)
    for problem in form_problems(form):
        for control, message in placed(filing, problem):
            errors.add(control, message)
    for problem in completeness_problems(form, today):
        for control, message in placed(filing, problem):
            warnings.add(control, message)
    return Checked(form, _in_page_order(filing, errors), _in_page_order(filing, warnings))


def page_order(filing: FilingForm) -> list[str]:
    """The controls' ids from the top of the page to the bottom."""
    order = ["applicant_kind", *TEXT_FIELDS, *LONG_FIELDS, "addresses"]
    for i in range(len(filing.addresses)):
        order += [f"addresses-{i}-{part}" for part in ADDRESS_PARTS]
    order.append("attachments")
    for i in range(len(filing.attachments)):
        order += [f"attachments-{i}-{part}" for part in ("kind", "file", "valid_until")]
    return order + list(CONSENTS)


def _in_page_order(filing: FilingForm, messages: Messages) -> Messages:
    # The summary at the top lists the problems as a person meets their fields going down the
    # page, whatever order the rules found them in (sign-and-send.js does the same).
    rank = {control: place for place, control in enumerate(page_order(filing))}
    ordered = sorted(messages.by_field.items(), key=lambda item: rank.get(item[0], len(rank)))
    return Messages(dict(ordered))


def placed(filing: FilingForm, problem: Problem) -> list[tuple[str, str]]:
    """Where on the page a domain problem goes, and its words (a msgid)."""
    message = words.PROBLEMS[problem.code]
    found = _INDEXED.match(problem.field)
    if found is None:
        whole = {"activity_addresses": "addresses-0-postal_code", **_REQUISITES}
        return [(whole.get(problem.field, problem.field), message)]
    index, part = int(found.group(2)), found.group(3)
    if found.group(1) == "activity_addresses":
        return _address_placed(f"addresses-{filing.filed_addresses()[index]}", problem, part)
    block = f"attachments-{filing.filed_attachments()[index]}"
    expired = problem.code is ProblemCode.DOCUMENT_EXPIRED
    return [(f"{block}-valid_until" if expired else f"{block}-file", message)]


def _address_placed(block: str, problem: Problem, part: str | None) -> list[tuple[str, str]]:
    if problem.code is not ProblemCode.ACTIVITY_ADDRESS_INCOMPLETE:
        return [(f"{block}-{part or 'postal_code'}", words.PROBLEMS[problem.code])]
    # The detail names the missing parts: each gets its own words beside its own box.
    missing = [name.strip() for name in problem.detail.split(",") if name.strip()]
    return [(f"{block}-{_part_control(name)}", words.ADDRESS_PARTS[name]) for name in missing]


def _part_control(name: str) -> str:
    return "city" if name == "city_or_settlement" else name


def _decoding_message(filing: FilingForm, problem: str) -> tuple[str, str]:
    path = problem.split(":", 1)[0]
    found = _INDEXED.match(path)
    if found is None:
        return (path if path == "applicant_kind" else "form", words.CHOOSE_ONE)
    block = f"attachments-{filing.filed_attachments()[int(found.group(2))]}"
    key = found.group(3)
    if key == "kind":
        return (f"{block}-kind", words.CHOOSE_KIND)
    if key == "valid_until":
        return (f"{block}-valid_until", words.DATE_FORMAT)
    return (f"{block}-file", words.FILE_UNREAD)


def _decoded_despite(data: dict[str, Any], problems: list[str]) -> ApplicationForm | None:
    """The form with each undecodable value set aside, so the other rules can still speak."""
    for problem in problems:
        path = problem.split(":", 1)[0]
        found = _INDEXED.match(path)
        if path == "applicant_kind":
            data["applicant_kind"] = str(next(iter(ApplicantKind)))
        elif found is not None and found.group(1) == "attachments":
            item = data["attachments"][int(found.group(2))]
            item.update({"kind": str(AttachmentKind.OTHER), "valid_until": None})
            if not isinstance(item["size"], int):
                item["size"] = 0
    try:
        return form_from_dict(data)
    except FormDecodingError:
        return None


def _attachment_dict(block: dict[str, str]) -> dict[str, Any]:
    size_text = block["size"].strip()
    return {
        "kind": block["kind"],
        "file_name": block["file_name"],
        "media_type": block["media_type"],
        "size": int(size_text) if size_text.isdecimal() and len(size_text) < 16 else size_text,
        "sha256": block["sha256"].strip().lower(),
        "valid_until": block["valid_until"].strip() or None,
    }


def _address_block() -> dict[str, str]:
    return dict.fromkeys(ADDRESS_PARTS, "")


def _attachment_block(kind: str) -> dict[str, str]:
    return {"kind": kind, "valid_until": "", **dict.fromkeys(FACTS, "")}


def _value(data: Mapping[str, str], name: str) -> str:
    value = data.get(name, "")
    return value[:MAX_VALUE] if isinstance(value, str) else ""


def _count(data: Mapping[str, str], name: str) -> int:
    text = _value(data, name)
    number = int(text) if text.isdecimal() and len(text) < 4 else 1
    return max(1, min(number, MAX_BLOCKS))
