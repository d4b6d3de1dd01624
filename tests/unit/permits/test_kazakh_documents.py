"""Issue 20 item 6, the reviewer's finding: the grounds, the clearances and the signer's position
carry Kazakh beside the law's Russian, and say the Kazakh is kepil's."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kepil.domain.calendar import ALMATY
from kepil.domain.permits import MotivatedRefusal, Provider, Recipient, RefusalReasons, Signer
from kepil.domain.permits.application import ApplicationForm
from kepil.domain.permits.grounds import GROUND_TEXTS, GroundClearance, RefusalGround
from kepil.domain.permits.roles import Actor, PermitRole

KAZAKH_LETTERS = set("әғқңөұүһі")


def test_every_ground_of_app1_10_has_a_kazakh_text_beside_the_laws_russian() -> None:
    for ground in RefusalGround:
        assert ground.text == GROUND_TEXTS[ground]
        assert KAZAKH_LETTERS & set(ground.text_kk), ground
        assert ground.text_kk != ground.text


def test_a_refusal_cites_each_ground_in_the_laws_russian_and_kepils_kazakh(
    form: ApplicationForm,
) -> None:
    refusal = MotivatedRefusal(
        number="REF-1",
        application_number="APP-1",
        application_date=date(2026, 4, 13),
        issue_date=date(2026, 4, 20),
        provider=Provider(),
        recipient=Recipient.from_form(form),
        reasons=RefusalReasons.of([3, 2], "Запрет суда."),
        signer=Signer("Вице-министр", "Иванов И.И.", "850314312344"),
    ).to_canonical_dict()
    assert refusal["grounds"] == [
        {"number": 2, "text": GROUND_TEXTS[RefusalGround(2)], "text_kk": RefusalGround(2).text_kk},
        {"number": 3, "text": GROUND_TEXTS[RefusalGround(3)], "text_kk": RefusalGround(3).text_kk},
    ]
    assert "тыйым салу" in RefusalGround(3).text_kk
    assert refusal["wording_sources"]["grounds"] == {"kk": "kepil_translation", "ru": "law"}  # type: ignore[index]
    assert refusal["signer"]["position_kk"] == "Вице-министр"  # type: ignore[index]


def test_a_ground_clearance_carries_the_grounds_kazakh_text() -> None:
    at = datetime(2026, 4, 15, 11, 0, tzinfo=ALMATY)
    record = GroundClearance.of(4, "Иное право.", "ЭКСПЕРТ", "800101300006", at)
    data = record.to_canonical_dict()
    assert data["ground_text"] == GROUND_TEXTS[RefusalGround(4)]
    assert data["ground_text_kk"] == RefusalGround(4).text_kk
    assert "арнаулы құқығынан" in str(data["ground_text_kk"])


@pytest.mark.parametrize(
    ("role", "position", "kazakh"),
    [
        (PermitRole.HEAD, None, "Басшы"),
        (PermitRole.EXAMINER, None, "Жауапты орындаушы"),
        (PermitRole.HEAD, "Исполняющий обязанности руководителя", "Басшының міндетін атқарушы"),
        (PermitRole.EXAMINER, "главный  эксперт", "Бас сарапшы"),
        (PermitRole.HEAD, "Вице-министр", "Вице-министр"),
        (PermitRole.HEAD, "Советник по особым поручениям", ""),
    ],
)
def test_the_signer_carries_kepils_kazakh_position_or_none_rather_than_a_guess(
    role: PermitRole, position: str | None, kazakh: str
) -> None:
    actor = Actor(role, "Иванов И.И.", "850314312344", position=position)
    signer = Signer.for_actor(actor).to_canonical_dict()
    assert signer["position_kk"] == kazakh
    defaults = {PermitRole.HEAD: "Руководитель", PermitRole.EXAMINER: "Ответственный исполнитель"}
    assert signer["position"] == (position or defaults[role])
