"""The Appendix 2 form and the package of App.1 §9: every problem with its own code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kepil.domain.permits import (
    BACKING_DOCUMENT_KINDS,
    ActivityAddress,
    ApplicantKind,
    ApplicantRequisites,
    ApplicationForm,
    Attachment,
    AttachmentKind,
    ProblemCode,
    completeness_problems,
    form_problems,
)

Make = Callable[..., ApplicationForm]
DAY = date(2026, 4, 13)


def _codes(problems: list) -> list[ProblemCode]:  # type: ignore[type-arg]
    return [problem.code for problem in problems]


def test_p3_a_valid_form_has_no_problems(form: ApplicationForm) -> None:
    assert form_problems(form) == []
    assert completeness_problems(form, DAY) == []


def test_p3_all_field_problems_are_reported_at_once(make_form: Make) -> None:
    form = make_form(
        requisites=ApplicantRequisites("", "123456789012", "12", "not-an-email"),
        activity_addresses=(ActivityAddress("01000", "", "", city="", settlement=""),),
    )
    assert _codes(form_problems(form)) == [
        ProblemCode.APPLICANT_ADDRESS_MISSING,
        ProblemCode.APPLICANT_IDENTIFIER_INVALID,
        ProblemCode.PHONE_INVALID,
        ProblemCode.EMAIL_INVALID,
        ProblemCode.POSTAL_CODE_INVALID,
        ProblemCode.ACTIVITY_ADDRESS_INCOMPLETE,
    ]


def test_p3_a_legal_entity_needs_a_bin_and_an_entrepreneur_an_iin(make_form: Make) -> None:
    entrepreneur_with_bin = make_form(applicant_kind=ApplicantKind.INDIVIDUAL_ENTREPRENEUR)
    assert _codes(form_problems(entrepreneur_with_bin)) == [ProblemCode.APPLICANT_KIND_MISMATCH]
    joint = ApplicantRequisites("Алматы", "190260007773", "87011234567", "a@b.kz")
    assert (
        form_problems(
            make_form(requisites=joint, applicant_kind=ApplicantKind.INDIVIDUAL_ENTREPRENEUR)
        )
        == []
    )


def test_p3_attachments_need_a_name_a_media_type_a_size_and_a_unique_sha256(
    make_form: Make,
) -> None:
    bad = Attachment(AttachmentKind.OTHER, "", "pdf", 0, "ABC")
    twin = Attachment(AttachmentKind.OTHER, "x.pdf", "application/pdf", 1, "0" * 63 + "1")
    form = make_form(attachments=(*make_form().attachments, bad, twin))
    assert _codes(form_problems(form)) == [
        ProblemCode.ATTACHMENT_FILE_NAME_MISSING,
        ProblemCode.ATTACHMENT_MEDIA_TYPE_INVALID,
        ProblemCode.ATTACHMENT_EMPTY,
        ProblemCode.ATTACHMENT_HASH_INVALID,
        ProblemCode.ATTACHMENT_DUPLICATED,
    ]


def test_app1_9_lists_nine_kinds_of_backing_document() -> None:
    assert len(BACKING_DOCUMENT_KINDS) == 9
    assert AttachmentKind.GUARANTEE_LETTER not in BACKING_DOCUMENT_KINDS


def test_app1_9_any_one_backing_document_suffices_and_more_are_no_defect(
    form: ApplicationForm, make_form: Make
) -> None:
    gift = Attachment(AttachmentKind.GIFT_CONTRACT, "gift.pdf", "application/pdf", 9, "a" * 64)
    assert completeness_problems(make_form(attachments=(*form.attachments, gift)), DAY) == []


def test_app1_9_backing_document_and_guarantee_letter_are_both_required(
    make_form: Make,
) -> None:
    form = make_form(attachments=())
    assert _codes(completeness_problems(form, DAY)) == [
        ProblemCode.BACKING_DOCUMENT_MISSING,
        ProblemCode.GUARANTEE_LETTER_MISSING,
    ]


def test_p6_a_document_expired_before_the_registration_day_is_reported(
    form: ApplicationForm,
) -> None:
    assert completeness_problems(form, date(2027, 12, 31)) == []
    problems = completeness_problems(form, date(2028, 1, 1))
    assert _codes(problems) == [ProblemCode.DOCUMENT_EXPIRED]
    assert problems[0].field == "attachments[0]"


def test_p6_missing_statements_of_the_form_make_the_package_incomplete(make_form: Make) -> None:
    form = make_form(truthfulness_confirmed=False, consents_to_protected_secrets_use=False)
    assert _codes(completeness_problems(form, DAY)) == [
        ProblemCode.TRUTHFULNESS_NOT_CONFIRMED,
        ProblemCode.PROTECTED_SECRETS_CONSENT_MISSING,
    ]
