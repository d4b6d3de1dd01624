"""The refusals an official meets on an action page, said in words that name the status, the
duty or what to do next, in Russian and Kazakh."""

from __future__ import annotations

from kepil.domain.permits.errors import TransitionNotAllowedError
from kepil.domain.permits.status import ApplicationAction
from kepil.entrypoints.web.desk_action_pages import refusal
from kepil.entrypoints.web.i18n import Language, translator
from kepil.entrypoints.web.signing_pages import refusal_problems
from kepil.services.errors import ConflictError, ForbiddenError

RU, KK = translator(Language.RU), translator(Language.KK)
_A = ApplicationAction


def test_an_undeclared_move_names_the_status_the_case_is_in() -> None:
    said = refusal(TransitionNotAllowedError("register", "registered"), _A.REGISTER)
    assert "«Зарегистрировано»" in said.said(RU)
    assert "«Тіркелді»" in said.said(KK)
    assert said.field == "form"


def test_a_guard_of_the_rules_is_said_with_its_reason_in_words() -> None:
    error = TransitionNotAllowedError(
        "start_review", "registered", "the package is incomplete (document_expired)"
    )
    said = refusal(error, _A.START_REVIEW).said(RU)
    assert "«Зарегистрировано»" in said
    assert "пакет документов неполный" in said


def test_a_guard_this_page_does_not_know_is_still_said_in_words() -> None:
    error = TransitionNotAllowedError("refuse", "hearing_held", "a reason added later")
    assert "не выполнены его условия" in refusal(error, _A.REFUSE).said(RU)


def test_a_missing_duty_names_the_duty_the_action_needs() -> None:
    error = ForbiddenError("role_required", "this needs a Ministry official with the role: clerk")
    assert "«Канцелярия Министерства»" in refusal(error, _A.REGISTER).said(RU)
    head = refusal(error, _A.ISSUE_PERMIT).said(RU)
    assert "«Руководитель Министерства или лицо, его замещающее»" in head


def test_a_used_act_and_a_concurrent_change_tell_the_official_to_reload() -> None:
    used = refusal(ConflictError("signed_act_used", "used"), _A.REGISTER).said(RU)
    assert "Обновите страницу" in used
    raced = refusal(ConflictError("concurrent_change", "changed"), _A.REGISTER).said(KK)
    assert "бетті жаңартыңыз" in raced


def test_the_applicants_pages_say_a_concurrent_change_and_a_document_mismatch_too() -> None:
    ((field, message),) = refusal_problems(ConflictError("concurrent_change", "changed"))
    assert field == "form"
    assert RU.gettext(message).startswith("По этому делу только что действовал кто-то другой")
    ((_, mismatch),) = refusal_problems(ConflictError("document_mismatch", "other bytes"))
    assert RU.gettext(mismatch).startswith("Подпись поставлена не под тем документом")
