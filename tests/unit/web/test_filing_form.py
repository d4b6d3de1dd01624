"""The filing form's pure helpers: reading what a page posts, placing each domain problem beside
its control, and the words every problem code and attachment kind is shown in."""

from __future__ import annotations

from datetime import date

import pytest

from kepil.domain.auth import Principal
from kepil.domain.permits import Provider
from kepil.domain.permits.app2 import app2_statements
from kepil.domain.permits.application import (
    ATTACHMENT_KIND_TEXTS,
    PERSONAL_DATA_CONSENT_TEXT,
    PROTECTED_SECRETS_CONSENT_TEXT,
    TRUTHFULNESS_TEXT,
)
from kepil.domain.permits.validation import Problem, ProblemCode
from kepil.entrypoints.web import filing_words as words
from kepil.entrypoints.web.complaint_pages import complaint_problems
from kepil.entrypoints.web.filing_form import FilingForm, Wording, check, page_order, placed
from kepil.entrypoints.web.i18n import Language, read_catalogue

TODAY = date(2026, 12, 7)
SHA = "ab" * 32


def principal(bin_: str | None, role: str | None) -> Principal:
    return Principal("900101300126", bin_, "ТЕСТОВ ТЕСТ", "ТОО «Тест»", role, "01", "TEST CA")


def test_a_director_files_for_the_organisation_under_its_bin() -> None:
    blank = FilingForm.blank(principal("120440056787", "head"))
    assert blank.values["iin_or_bin"] == "120440056787"
    assert blank.values["applicant_kind"] == "legal_entity"
    assert blank.values["applicant_name"] == "ТОО «Тест»"
    assert [block["kind"] for block in blank.attachments] == ["", "guarantee_letter"]


def test_an_entrepreneur_files_under_the_iin() -> None:
    blank = FilingForm.blank(principal(None, None))
    assert blank.values["iin_or_bin"] == "900101300126"
    assert blank.values["applicant_kind"] == "individual_entrepreneur"


def test_a_missing_part_of_an_address_is_said_beside_that_part_of_the_right_block() -> None:
    filing = FilingForm.posted({"address_count": "3", "addresses-2-postal_code": "010000"})
    problem = Problem(
        ProblemCode.ACTIVITY_ADDRESS_INCOMPLETE,
        "activity_addresses[0]",
        "street, building, city_or_settlement",
    )
    assert placed(filing, problem) == [
        ("addresses-2-street", words.ADDRESS_PARTS["street"]),
        ("addresses-2-building", words.ADDRESS_PARTS["building"]),
        ("addresses-2-city", words.ADDRESS_PARTS["city_or_settlement"]),
    ]


def test_an_attachment_problem_goes_beside_the_block_whose_file_it_is() -> None:
    filing = FilingForm.posted(
        {"attachment_count": "3", "attachments-2-sha256": SHA, "attachments-2-file_name": "a.pdf"}
    )
    empty = Problem(ProblemCode.ATTACHMENT_EMPTY, "attachments[0]")
    expired = Problem(ProblemCode.DOCUMENT_EXPIRED, "attachments[0]", "a.pdf")
    assert placed(filing, empty) == [("attachments-2-file", words.PROBLEMS[empty.code])]
    assert placed(filing, expired)[0][0] == "attachments-2-valid_until"


def test_an_unreadable_choice_does_not_hide_the_other_problems() -> None:
    filing = FilingForm.posted(
        {
            "applicant_kind": "",
            "attachment_count": "1",
            "attachments-0-kind": "",
            "attachments-0-sha256": SHA,
            "attachments-0-file_name": "a.pdf",
            "attachments-0-media_type": "application/pdf",
            "attachments-0-size": "12",
            "attachments-0-valid_until": "31.12.2027",
        }
    )
    checked = check(filing, TODAY)
    assert checked.content is None
    errors = checked.errors.by_field
    assert errors["applicant_kind"] == [words.CHOOSE_ONE]
    assert errors["attachments-0-kind"] == [words.CHOOSE_KIND]
    assert errors["attachments-0-valid_until"] == [words.DATE_FORMAT]
    for control in ("applicant_name", "iin_or_bin", "address", "phone", "email", "purpose"):
        assert control in errors, control


def test_the_section_6_problems_are_warnings_and_do_not_stop_signing() -> None:
    filing = FilingForm.posted(
        {
            "applicant_kind": "individual_entrepreneur",
            "applicant_name": "ИП Тестов",
            "iin_or_bin": "900101300126",
            "address": "Астана",
            "phone": "+7 701 123 45 67",
            "email": "a@b.kz",
            "platform_name": "P",
            "purpose": "Цель",
            "addresses-0-postal_code": "010000",
            "addresses-0-city": "Астана",
            "addresses-0-street": "Кенесары",
            "addresses-0-building": "1",
        }
    )
    checked = check(filing, TODAY)
    assert checked.errors.by_field == {}
    assert checked.content is not None
    assert set(checked.warnings.by_field) == {
        "truthfulness_confirmed",
        "consents_to_protected_secrets_use",
        "attachments",
    }


def test_every_problem_code_has_words() -> None:
    assert set(words.PROBLEMS) == set(ProblemCode)


def test_the_russian_words_of_the_kinds_and_confirmations_are_the_orders_own() -> None:
    russian = read_catalogue(Language.RU)
    for kind, text in ATTACHMENT_KIND_TEXTS.items():
        assert russian[words.ATTACHMENT_KINDS[kind]] == text
    assert russian[words.CONSENTS["truthfulness_confirmed"]] == TRUTHFULNESS_TEXT
    assert (
        russian[words.CONSENTS["consents_to_protected_secrets_use"]]
        == PROTECTED_SECRETS_CONSENT_TEXT
    )
    assert russian[words.CONSENTS["consents_to_personal_data_access"]] == PERSONAL_DATA_CONSENT_TEXT


@pytest.mark.parametrize(
    ("payload", "refused"),
    [
        ({}, ["application_number", "subject", "filed_with", "target", "text"]),
        (
            {
                "application_number": "APP-2026-000001",
                "subject": "action",
                "filed_with": "provider",
                "target": "t",
                "text": "x" * 20_001,
            },
            ["text"],
        ),
        (
            {
                "application_number": "APP-2026-000001",
                "subject": "action",
                "filed_with": "provider",
                "target": "t",
                "text": "x",
            },
            [],
        ),
    ],
)
def test_a_complaint_is_checked_by_the_services_reader_field_by_field(
    payload: dict[str, str], refused: list[str]
) -> None:
    full = {name: payload.get(name, "") for name in words.COMPLAINT_FIELDS}
    assert complaint_problems(full) == refused


def test_the_problems_are_listed_in_the_order_of_their_fields_on_the_page() -> None:
    filing = FilingForm.posted(
        {
            "applicant_kind": "",
            "attachment_count": "1",
            "attachments-0-kind": "",
            "attachments-0-sha256": SHA,
            "attachments-0-file_name": "a.pdf",
            "attachments-0-media_type": "application/pdf",
            "attachments-0-size": "12",
            "attachments-0-valid_until": "31.12.2027",
        }
    )
    listed = list(check(filing, TODAY).errors.by_field)
    on_page = [control for control in page_order(filing) if control in listed]
    assert listed == on_page
    assert listed[0] == "applicant_kind"
    assert listed.index("email") < listed.index("attachments-0-kind")


def test_the_form_to_sign_carries_the_statements_the_page_shows_in_its_language() -> None:
    filing = FilingForm.posted({"applicant_kind": "legal_entity", "applicant_name": "ТОО"})
    wording = Wording.of("kk", Provider())
    data = filing.to_dict(wording)
    assert data["language"] == "kk"
    assert data["statements"] == app2_statements("kk", Provider().genitive["kk"])
    assert "statements" not in filing.to_dict()


@pytest.mark.parametrize("language", list(Language))
def test_the_catalogue_words_of_the_confirmations_are_the_statements_signed(
    language: Language,
) -> None:
    # An older form (signed without its statements) is read back in the catalogue's words:
    # they must be the same as the words a new form signs.
    catalogue = read_catalogue(language)
    signed = app2_statements(language.value, "x")
    for key, msgid in words.CONSENTS.items():
        assert catalogue[msgid] == signed[key], key
