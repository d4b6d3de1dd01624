"""Issue 20 items 1-3, 5, 6: the forms of Appendices 3-4 to the letter, in Kazakh and Russian."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from kepil.domain.permits import (
    Application,
    ApplicationStatus,
    MotivatedRefusal,
    Permit,
    Provider,
    Recipient,
    RefusalReasons,
    Signer,
    TransitionNotAllowedError,
)
from kepil.domain.permits.app2 import STATEMENTS, app2_statements, stale_statements
from kepil.domain.permits.application import ApplicationForm
from kepil.domain.permits.codec import form_from_dict, form_to_dict
from kepil.domain.permits.events import ReportedGroundCleared
from kepil.domain.permits.roles import Actor

Submit = Callable[..., Application]
At = Callable[[str], datetime]
SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "000_af377394862ce23c.txt"
KAZAKH_LETTERS = set("әғқңөұүһі")
PROVIDER = Provider(
    name_kk="ТЕСТ министрлігі",
    name_ru="ТЕСТ Министерство",
    bin="210240044100",
    address_kk="Астана қ., Мәңгілік Ел даңғылы, 8",
    address_ru="г. Астана, проспект Мангилик Ел, 8",
    phone="+7 7172 00 00 00",
    email="test@example.kz",
    site="https://example.kz",
)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _permit(form: ApplicationForm, provider: Provider = PROVIDER) -> Permit:
    return Permit(
        number="PRM-1",
        application_number="APP-1",
        issue_date=date(2026, 4, 16),
        provider=provider,
        recipient=Recipient.from_form(form),
        platform_name=form.platform_name,
        purpose=form.purpose,
        activity_addresses=form.activity_addresses,
        signer=Signer("Вице-министр", "Иванов И.И.", "850314312344"),
    )


def _refusal(form: ApplicationForm) -> MotivatedRefusal:
    return MotivatedRefusal(
        number="REF-1",
        application_number="APP-2026-000007",
        application_date=date(2026, 4, 13),
        issue_date=date(2026, 4, 20),
        provider=PROVIDER,
        recipient=Recipient.from_form(form),
        reasons=RefusalReasons.of([2], "Гарантийное письмо не подтверждает пять узлов."),
        signer=Signer("Вице-министр", "Иванов И.И.", "850314312344"),
    )


def _reviewed(submitted: Submit, clerk: Actor, examiner: Actor, at: At) -> Application:
    application = submitted("2026-04-13T10:00")
    application.register(clerk, at("2026-04-13T11:00"))
    application.start_review(examiner, at("2026-04-14T10:00"))
    return application


def test_permit_carries_the_legal_basis_sentence_of_app3(form: ApplicationForm) -> None:
    document = _permit(form).to_canonical_dict()
    sentence = document["legal_basis"]["ru"]  # type: ignore[index]
    assert sentence.startswith("в соответствии со статьей 6 Закона Республики Казахстан")
    assert '"О разрешениях и уведомлениях"' in sentence
    assert "учитывая прилагаемый перечень документов, выдано разрешение" in sentence
    assert document["legal_basis"]["kk"].startswith(  # type: ignore[index]
        "«Қазақстан Республикасындағы цифрлық активтер туралы»"
    )


@pytest.mark.skipif(not SEED.exists(), reason="the seed text lives beside the project")
def test_permit_legal_basis_is_word_for_word_the_seed_text_of_app3(
    form: ApplicationForm,
) -> None:
    # The seed is a PDF extract that moves some words («статьей 6», «Законом») out of their
    # place, so the sentence is compared word for word as a multiset, quotation marks and all.
    seed = _flat(SEED.read_text(encoding="utf-8"))
    app3 = seed[seed.index("РАЗРЕШЕНИЕ на выпуск") :]
    start = app3.index("в соответствии со")
    paragraph = app3[start : app3.index("_", start)]
    sentence = _permit(form).to_canonical_dict()["legal_basis"]["ru"]  # type: ignore[index]
    assert Counter(_flat(sentence).split()) == Counter(paragraph.split())


def test_refusal_opens_with_app4_sentence_naming_the_body_date_and_number(
    form: ApplicationForm,
) -> None:
    document = _refusal(form).to_canonical_dict()
    assert document["opening"]["ru"] == (  # type: ignore[index]
        "ТЕСТ Министерство, рассмотрев Ваше заявление от 13.04.2026 года № APP-2026-000007 и "
        "прилагаемый перечень документов, сообщает следующее:"
    )
    assert document["opening"]["kk"].startswith("ТЕСТ министрлігі Сіздің 13.04.2026 жылғы")  # type: ignore[index]
    assert "№ APP-2026-000007" in document["opening"]["kk"]  # type: ignore[index]
    assert document["signer"] == {
        "position": "Вице-министр",
        "name": "Иванов И.И.",
        "iin": "850314312344",
        "position_kk": "Вице-министр",
    }


def test_documents_carry_the_state_body_requisites_under_the_law_heading(
    form: ApplicationForm,
) -> None:
    document = _permit(form).to_canonical_dict()
    provider = document["provider"]
    assert provider["bin"] == "210240044100"  # type: ignore[index]
    assert provider["configured"] is True  # type: ignore[index]
    assert provider["address"]["kk"].startswith("Астана қ.")  # type: ignore[index]
    assert "БИН 210240044100" in provider["requisites_ru"]  # type: ignore[index]
    assert "БСН 210240044100" in provider["requisites_kk"]  # type: ignore[index]
    assert document["headings"]["provider_requisites"] == {  # type: ignore[index]
        "kk": "Мемлекеттік органның деректемелері",
        "ru": "Реквизиты государственного органа",
    }


def test_unconfigured_requisites_are_empty_and_say_so_not_made_up(form: ApplicationForm) -> None:
    provider = _permit(form, Provider()).to_canonical_dict()["provider"]
    assert provider["configured"] is False  # type: ignore[index]
    assert provider["requisites_ru"] == provider["requisites_kk"] == ""  # type: ignore[index]


def test_every_document_has_kazakh_and_russian_and_says_whose_words(
    form: ApplicationForm,
) -> None:
    for document in (_permit(form).to_canonical_dict(), _refusal(form).to_canonical_dict()):
        assert json.loads(json.dumps(document, ensure_ascii=False)) == document
        titles = document["titles"]
        assert titles["ru"] == document["title"]  # type: ignore[index]
        assert KAZAKH_LETTERS & set(titles["kk"])  # type: ignore[index]
        for key, pair in document["headings"].items():  # type: ignore[attr-defined]
            assert pair["kk"], key
            assert pair["ru"], key
        sources = document["wording_sources"]
        assert sources["headings"]["provider_name"] == {"kk": "law", "ru": "law"}  # type: ignore[index]
        assert sources["headings"]["issue_date"]["kk"] == "kepil_translation"  # type: ignore[index]
        assert sources["title"] == {"kk": "kepil_translation", "ru": "law"}  # type: ignore[index]
    permit = _permit(form).to_canonical_dict()
    assert permit["wording"]["note"]["ru"] == permit["note"]  # type: ignore[index]
    assert "5-бабына" in permit["wording"]["note"]["kk"]  # type: ignore[index]
    assert "3 (үш) жыл" in permit["wording"]["special_conditions"]["kk"]  # type: ignore[index]


def test_a_permit_cannot_be_drafted_over_a_reported_court_ban_until_the_examiner_clears_it(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    with pytest.raises(TransitionNotAllowedError, match=r"ground\(s\) 3"):
        application.issue_permit(head, at("2026-04-15T10:00"), "PRM-1", PROVIDER, [3])
    event = application.clear_reported_ground(
        examiner, at("2026-04-15T11:00"), 3, "Запрет касается торговли алкоголем.", [3]
    )
    assert isinstance(event, ReportedGroundCleared)
    assert application.status is ApplicationStatus.UNDER_REVIEW
    issued = application.issue_permit(head, at("2026-04-15T12:00"), "PRM-1", PROVIDER, [3])
    record = issued.permit.to_canonical_dict()["ground_clearances"]
    assert record == [
        {
            "ground": 3,
            "ground_text": issued.permit.clearances[0].ground.text,
            "ground_text_kk": issued.permit.clearances[0].ground.text_kk,
            "reason": "Запрет касается торговли алкоголем.",
            "examiner": {"name": examiner.name, "iin": examiner.iin},
            "recorded_at": "2026-04-15T11:00:00+05:00",
        }
    ]


def test_a_reported_deprivation_blocks_the_permit_as_ground_4(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    application.clear_reported_ground(examiner, at("2026-04-15T11:00"), 3, "Иной вид.", [3, 4])
    with pytest.raises(TransitionNotAllowedError, match=r"ground\(s\) 4;"):
        application.issue_permit(head, at("2026-04-15T12:00"), "PRM-1", PROVIDER, [3, 4])


def test_only_a_reported_ground_3_or_4_with_a_reason_may_be_cleared_by_the_examiner(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    moment = at("2026-04-15T11:00")
    with pytest.raises(TransitionNotAllowedError, match="report no court decision for ground 4"):
        application.clear_reported_ground(examiner, moment, 4, "Иной вид.", [3])
    with pytest.raises(TransitionNotAllowedError, match="only grounds 3 and 4"):
        application.clear_reported_ground(examiner, moment, 2, "Иной вид.", [2, 3])
    with pytest.raises(TransitionNotAllowedError, match="say why ground 3"):
        application.clear_reported_ground(examiner, moment, 3, "  ", [3])
    with pytest.raises(Exception, match="head may not clear_reported_ground"):
        application.clear_reported_ground(head, moment, 3, "Иной вид.", [3])
    application.clear_reported_ground(examiner, moment, 3, "Иной вид.", [3])
    with pytest.raises(TransitionNotAllowedError, match="already recorded for ground 3"):
        application.clear_reported_ground(examiner, at("2026-04-15T11:30"), 3, "Ещё.", [3])


def test_without_reports_the_permit_carries_no_clearance_records(
    submitted: Submit, clerk: Actor, examiner: Actor, head: Actor, at: At
) -> None:
    application = _reviewed(submitted, clerk, examiner, at)
    issued = application.issue_permit(head, at("2026-04-15T12:00"), "PRM-1", PROVIDER)
    assert issued.permit.to_canonical_dict()["ground_clearances"] == []


def test_what_the_applicant_signs_carries_the_addressee_and_request_of_app2() -> None:
    russian = app2_statements("ru", "Министерства цифрового развития")
    assert russian["addressee"] == "Руководителю Министерства цифрового развития"
    assert russian["request"].startswith("Руководствуясь статьей 6 Закона Республики Казахстан")
    assert (
        "прошу рассмотреть прилагаемый перечень документов и выдать разрешение"
        in (russian["request"])
    )
    assert russian["truthfulness_confirmed"].startswith("Подтверждаю достоверность")
    kazakh = app2_statements("kk", "ТЕСТ министрлігінің")
    assert kazakh["addressee"] == "ТЕСТ министрлігінің басшысына"
    assert list(kazakh) == list(STATEMENTS) == list(russian)
    assert all(KAZAKH_LETTERS & set(text) for text in kazakh.values())
    with pytest.raises(ValueError, match="kk or ru"):
        app2_statements("en", "x")


@pytest.mark.skipif(not SEED.exists(), reason="the seed text lives beside the project")
def test_app2_request_sentence_is_word_for_word_the_seed_text() -> None:
    seed = _flat(SEED.read_text(encoding="utf-8"))
    start = seed.index("Руководствуясь")
    paragraph = seed[start : seed.index("_", start)]
    request = app2_statements("ru", "x")["request"]
    assert Counter(_flat(request).split()) == Counter(paragraph.split())


def test_a_form_with_an_altered_or_missing_statement_is_stale_naming_it(
    make_form: Callable[..., ApplicationForm],
) -> None:
    names = {"kk": "ТЕСТ министрлігі", "ru": "ТЕСТ Министерство"}
    current = app2_statements("ru", names["ru"])
    good = make_form(language="ru", statements=tuple(current.items()))
    assert stale_statements(good, names) == []
    altered = {**current, "consents_to_protected_secrets_use": "Согласен."}
    assert stale_statements(make_form(language="ru", statements=tuple(altered.items())), names) == [
        "consents_to_protected_secrets_use"
    ]
    kazakh_words_russian_page = make_form(
        language="ru", statements=tuple(app2_statements("kk", names["kk"]).items())
    )
    assert stale_statements(kazakh_words_russian_page, names) == list(STATEMENTS)
    another_body = app2_statements("ru", "Другое министерство")
    assert stale_statements(
        make_form(language="ru", statements=tuple(another_body.items())), names
    ) == ["addressee"]
    assert stale_statements(make_form(), names) == list(STATEMENTS)


def test_the_signed_statements_round_trip_and_an_older_form_reads_without_them(
    make_form: Callable[..., ApplicationForm],
) -> None:
    said = tuple(app2_statements("kk", "ТЕСТ").items())
    signed = make_form(language="kk", statements=said)
    data = form_to_dict(signed)
    assert data["language"] == "kk"
    assert data["statements"] == dict(said)
    assert form_from_dict(data) == signed
    older = make_form()
    assert "statements" not in form_to_dict(older)
    assert form_from_dict(form_to_dict(older)) == older


@pytest.mark.skipif(not SEED.exists(), reason="the seed text lives beside the project")
def test_refusal_opening_is_the_seed_text_of_app4_with_its_blanks_filled(
    form: ApplicationForm,
) -> None:
    seed = _flat(SEED.read_text(encoding="utf-8"))
    start = seed.index("(Наименование государственного органа), рассмотрев")
    sentence = seed[start : seed.index("следующее:", start) + len("следующее:")]
    filled = (
        sentence.replace("(Наименование государственного органа)", "ТЕСТ Министерство")
        .replace("(Дата заявления)", "13.04.2026")
        .replace("(Номер заявления)", "APP-2026-000007")
    )
    assert _refusal(form).to_canonical_dict()["opening"]["ru"] == filled  # type: ignore[index]
