"""Grounds of App.1 §10 and the result documents of App.3, App.4 and Rules §6."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from kepil.domain.permits import (
    ApplicationForm,
    InvalidRefusalError,
    MotivatedRefusal,
    Permit,
    Provider,
    Recipient,
    RefusalGround,
    RefusalReasons,
    Signer,
    add_years,
    automatic_grounds,
)

Make = Callable[..., ApplicationForm]


def _permit(form: ApplicationForm, issued: date) -> Permit:
    return Permit(
        number="KZ-OCA-0001",
        application_number="A-1",
        issue_date=issued,
        provider=Provider(),
        recipient=Recipient.from_form(form),
        platform_name=form.platform_name,
        purpose=form.purpose,
        activity_addresses=form.activity_addresses,
        signer=Signer("Вице-министр", "Иванов И.И.", "850314312344"),
    )


def test_app1_10_the_list_of_grounds_is_closed_at_five() -> None:
    assert [int(ground) for ground in RefusalGround] == [1, 2, 3, 4, 5]
    assert RefusalGround.NO_PERSONAL_DATA_CONSENT.text.startswith("отсутствие согласия")
    with pytest.raises(InvalidRefusalError, match="outside"):
        RefusalReasons.of([6], "иное")


def test_app1_10_ground_5_is_found_from_the_form_alone(
    form: ApplicationForm, make_form: Make
) -> None:
    assert automatic_grounds(form) == frozenset()
    no_consent = make_form(consents_to_personal_data_access=False)
    assert automatic_grounds(no_consent) == {RefusalGround.NO_PERSONAL_DATA_CONSENT}


def test_app3_permit_is_valid_three_years_from_the_day_of_issue(form: ApplicationForm) -> None:
    permit = _permit(form, date(2026, 4, 16))
    assert permit.valid_until == date(2029, 4, 16)
    assert permit.is_valid_on(date(2029, 4, 16))
    assert not permit.is_valid_on(date(2029, 4, 17))


def test_app3_permit_issued_on_29_february_ends_on_28_february() -> None:
    assert add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert add_years(date(2028, 2, 28), 3) == date(2031, 2, 28)


def test_app3_canonical_dict_is_plain_json_with_bilingual_headings(form: ApplicationForm) -> None:
    document = _permit(form, date(2026, 4, 16)).to_canonical_dict()
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document
    assert document["valid_until"] == "2029-04-16"
    assert document["headings"]["provider_name"] == {  # type: ignore[index]
        "kk": "Мемлекеттік органның атауы",
        "ru": "Наименование государственного органа",
    }
    assert "не является расчетной денежной единицей" in str(document["note"])
    assert "3 (три) года" in str(document["special_conditions"])
    document["headings"]["provider_name"]["kk"] = "x"  # type: ignore[index]
    assert _permit(form, date(2026, 4, 16)).to_canonical_dict()["headings"] != document["headings"]


def test_p9_motivated_refusal_names_the_signer_and_cites_grounds(form: ApplicationForm) -> None:
    refusal = MotivatedRefusal(
        number="R-1",
        application_number="A-1",
        application_date=date(2026, 4, 13),
        issue_date=date(2026, 4, 17),
        provider=Provider(),
        recipient=Recipient.from_form(form),
        reasons=RefusalReasons.of([2, 2], "Узлов три, а не пять"),
        signer=Signer("Вице-министр", "Иванов И.И.", "850314312344"),
    )
    document = refusal.to_canonical_dict()
    assert document["grounds"] == [
        {
            "number": 2,
            "text": RefusalGround.NONCOMPLIANCE_WITH_REQUIREMENTS.text,
            "text_kk": RefusalGround.NONCOMPLIANCE_WITH_REQUIREMENTS.text_kk,
        }
    ]
    assert document["motivation"] == "Узлов три, а не пять"
    assert document["signer"] == {
        "position": "Вице-министр",
        "name": "Иванов И.И.",
        "iin": "850314312344",
        "position_kk": "Вице-министр",
    }
