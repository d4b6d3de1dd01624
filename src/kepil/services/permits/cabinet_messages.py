"""What the applicant's cabinet is told at each step of an application, in Russian and Kazakh.

Each step says the new status (Rules §4: «принято» on submission). The §8 notices say more: the
preliminary decision (its grounds of App.1 §10 and its motivation) and the hearing's time and
place (or way); a moved hearing is a new notice with the new time and place. Moments are said on
Almaty clocks, as the applicant lives by them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import (
    ApplicationEvent,
    HearingMoved,
    HearingScheduled,
    PreliminaryRefusalIssued,
    RefusalGround,
    RefusalReasons,
)

# What the cabinet says at each status, in Russian.
CABINET_TEXTS: Final = {
    "submitted": "Заявление принято",
    "registered": "Заявление зарегистрировано",
    "refused_further_consideration": "Отказ в дальнейшем рассмотрении заявления",
    "under_review": "Заявление на рассмотрении",
    "preliminary_refusal": "Предварительное решение об отказе; назначается заслушивание",
    "hearing_scheduled": "Назначено заслушивание",
    "hearing_held": "Заслушивание проведено",
    "permit_issued": "Разрешение выдано",
    "refused": "Мотивированный отказ в выдаче разрешения",
    "withdrawn": "Заявление отозвано",
}
# The same in Kazakh, in the words the pages use for these statuses.
CABINET_TEXTS_KK: Final = {
    "submitted": "Өтініш қабылданды",
    "registered": "Өтініш тіркелді",
    "refused_further_consideration": "Өтінішті одан әрі қараудан бас тартылды",
    "under_review": "Өтініш қаралуда",
    "preliminary_refusal": "Бас тарту туралы алдын ала шешім; тыңдау тағайындалады",
    "hearing_scheduled": "Тыңдау тағайындалды",
    "hearing_held": "Тыңдау өткізілді",
    "permit_issued": "Рұқсат берілді",
    "refused": "Рұқсат беруден дәлелді бас тарту берілді",
    "withdrawn": "Өтініш кері қайтарып алынды",
}
# App.1 §10 grounds in Kazakh, as the pages say them (the Russian is the law's own text).
GROUND_TEXTS_KK: Final = {
    RefusalGround.UNRELIABLE_DOCUMENTS: (
        "өтініш беруші ұсынған құжаттардың және (немесе) олардағы деректердің (мәліметтердің) "
        "анық еместігі анықталды"
    ),
    RefusalGround.NONCOMPLIANCE_WITH_REQUIREMENTS: (
        "өтініш берушінің және (немесе) ұсынылған материалдардың, деректер мен мәліметтердің "
        "Қазақстан Республикасының нормативтік құқықтық актілерінде белгіленген талаптарға "
        "сәйкес келмеуі"
    ),
    RefusalGround.COURT_BAN_ON_ACTIVITY: (
        "өтініш берушіге қатысты осы қызметті алуды талап ететін қызметке тыйым салу туралы "
        "заңды күшіне енген сот шешімі (үкімі) бар"
    ),
    RefusalGround.COURT_DEPRIVATION_OF_SPECIAL_RIGHT: (
        "өтініш берушіге қатысты заңды күшіне енген сот шешімі бар, оның негізінде өтініш "
        "беруші осы қызметке байланысты арнаулы құқығынан айырылған"
    ),
    RefusalGround.NO_PERSONAL_DATA_CONSENT: (
        "өтініш берушінің қызмет көрсету үшін қажетті қолжетімділігі шектеулі дербес "
        "деректерге қол жеткізуге келісімі жоқ"
    ),
}


@dataclass(frozen=True, slots=True)
class CabinetMessage:
    """One message in both languages."""

    ru: str
    kk: str


def cabinet_message(event: ApplicationEvent) -> CabinetMessage:
    """What the applicant is told of the step: the status, and for the §8 notices the decision
    with the hearing's time and place."""
    status = str(event.status)
    plain = CabinetMessage(CABINET_TEXTS.get(status, status), CABINET_TEXTS_KK.get(status, status))
    match event:
        case PreliminaryRefusalIssued():
            return _notice(_DECIDED, event.reasons, event.hearing_at, event.place)
        case HearingMoved():
            moved = _moved(event.previous_hearing_at)
            return _notice(moved, event.reasons, event.hearing_at, event.place)
        case HearingScheduled():
            return _notice(_SCHEDULED, event.reasons, event.hearing_at, event.place)
        case _:
            return plain


_DECIDED = CabinetMessage(
    "Предварительное решение об отказе в выдаче разрешения (пункт 8 Правил).",
    "Рұқсат беруден бас тарту туралы алдын ала шешім (Қағидалардың 8-тармағы).",
)
_SCHEDULED = CabinetMessage(
    "Назначено заслушивание по предварительному решению об отказе в выдаче разрешения "
    "(пункт 8 Правил).",
    "Рұқсат беруден бас тарту туралы алдын ала шешім бойынша тыңдау тағайындалды "
    "(Қағидалардың 8-тармағы).",
)


def _moved(previous: datetime | None) -> CabinetMessage:
    if previous is None:
        return CabinetMessage(
            "Заслушивание перенесено (пункт 8 Правил).",
            "Тыңдау ауыстырылды (Қағидалардың 8-тармағы).",
        )
    was = _moment(previous)
    return CabinetMessage(
        f"Заслушивание, назначенное на {was}, перенесено (пункт 8 Правил).",
        f"{was} тағайындалған тыңдау ауыстырылды (Қағидалардың 8-тармағы).",
    )


def _notice(
    opening: CabinetMessage, reasons: RefusalReasons | None, hearing_at: datetime, place: str
) -> CabinetMessage:
    when = _moment(hearing_at)
    ru = [
        opening.ru,
        f"Заслушивание: {when} (время Алматы), место (способ): {place}. На нём вы можете "
        "выразить позицию по предварительному решению.",
    ]
    kk = [
        opening.kk,
        f"Тыңдау: {when} (Алматы уақытымен), орны (тәсілі): {place}. Онда алдын ала шешім "
        "бойынша өз ұстанымыңызды білдіре аласыз.",
    ]
    if reasons is not None:
        ru[1:1] = [
            "Основания (пункт 10 приложения 1): "
            + "; ".join(f"{int(g)}) {g.text}" for g in reasons.grounds)
            + ".",
            f"Мотивировка: {reasons.motivation}",
        ]
        kk[1:1] = [
            "Негіздер (1-қосымшаның 10-тармағы): "
            + "; ".join(f"{int(g)}) {GROUND_TEXTS_KK[g]}" for g in reasons.grounds)
            + ".",
            f"Дәлелдемесі: {reasons.motivation}",
        ]
    return CabinetMessage("\n".join(ru), "\n".join(kk))


def _moment(at: datetime) -> str:
    return f"{to_almaty(at):%d.%m.%Y %H:%M}"
