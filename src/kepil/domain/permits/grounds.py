"""The closed list of grounds for refusal (Appendix 1 §10) and refusals that cite them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Final

from kepil.domain.permits.application import ApplicationForm
from kepil.domain.permits.errors import InvalidRefusalError


class RefusalGround(IntEnum):
    """A ground of App.1 §10, numbered as the law numbers it."""

    UNRELIABLE_DOCUMENTS = 1
    NONCOMPLIANCE_WITH_REQUIREMENTS = 2
    COURT_BAN_ON_ACTIVITY = 3
    COURT_DEPRIVATION_OF_SPECIAL_RIGHT = 4
    NO_PERSONAL_DATA_CONSENT = 5

    @property
    def text(self) -> str:
        """The ground in the words of the law."""
        return GROUND_TEXTS[self]

    @property
    def text_kk(self) -> str:
        """The ground in Kazakh: kepil's translation, not the law's words."""
        return GROUND_TEXTS_KK[self]


GROUND_1_TEXT: Final = (
    "установление недостоверности документов, представленных заявителем для получения "
    "разрешения, и (или) данных (сведений), содержащихся в них"
)
GROUND_2_TEXT: Final = (
    "несоответствие услугополучателя и (или) представленных материалов, объектов, данных и "
    "сведений, необходимых для оказания государственной услуги, требованиям, установленным "
    "нормативными правовыми актами Республики Казахстан"
)
GROUND_3_TEXT: Final = (
    "в отношении услугополучателя имеется вступившее в законную силу решение (приговор) суда о "
    "запрещении деятельности или отдельных видов деятельности, требующих получения данной "
    "государственной услуги"
)
GROUND_4_TEXT: Final = (
    "в отношении услугополучателя имеется вступившее в законную силу решение суда, на "
    "основании которого услугополучатель лишен специального права, связанного с получением "
    "государственной услуги"
)
GROUND_5_TEXT: Final = (
    "отсутствие согласия услугополучателя, предоставляемого в соответствии со статьей 8 Закона "
    'Республики Казахстан "О персональных данных и их защите", на доступ к персональным '
    "данным ограниченного доступа, которые требуются для оказания государственной услуги"
)
GROUND_TEXTS: Final = {
    RefusalGround.UNRELIABLE_DOCUMENTS: GROUND_1_TEXT,
    RefusalGround.NONCOMPLIANCE_WITH_REQUIREMENTS: GROUND_2_TEXT,
    RefusalGround.COURT_BAN_ON_ACTIVITY: GROUND_3_TEXT,
    RefusalGround.COURT_DEPRIVATION_OF_SPECIAL_RIGHT: GROUND_4_TEXT,
    RefusalGround.NO_PERSONAL_DATA_CONSENT: GROUND_5_TEXT,
}

# kepil's translation of App.1 §10 (the Order's Kazakh text is not among the seeds); the Russian
# above stays the law. The phrasing follows the Kazakh of other services' standards
# («көрсетілетін қызметті алушы» for «услугополучатель»).
GROUND_TEXTS_KK: Final = {
    RefusalGround.UNRELIABLE_DOCUMENTS: (
        "өтініш беруші рұқсат алу үшін ұсынған құжаттардың және (немесе) олардағы деректердің "
        "(мәліметтердің) анық еместігінің анықталуы"
    ),
    RefusalGround.NONCOMPLIANCE_WITH_REQUIREMENTS: (
        "көрсетілетін қызметті алушының және (немесе) мемлекеттік қызмет көрсету үшін қажетті "
        "ұсынылған материалдардың, объектілердің, деректер мен мәліметтердің Қазақстан "
        "Республикасының нормативтік құқықтық актілерінде белгіленген талаптарға сәйкес келмеуі"
    ),
    RefusalGround.COURT_BAN_ON_ACTIVITY: (
        "көрсетілетін қызметті алушыға қатысты осы мемлекеттік көрсетілетін қызметті алуды "
        "талап ететін қызметпен немесе жекелеген қызмет түрлерімен айналысуға тыйым салу туралы "
        "соттың заңды күшіне енген шешімінің (үкімінің) болуы"
    ),
    RefusalGround.COURT_DEPRIVATION_OF_SPECIAL_RIGHT: (
        "көрсетілетін қызметті алушыға қатысты соттың заңды күшіне енген шешімінің болуы, оның "
        "негізінде көрсетілетін қызметті алушы мемлекеттік көрсетілетін қызметті алуға "
        "байланысты арнаулы құқығынан айырылған"
    ),
    RefusalGround.NO_PERSONAL_DATA_CONSENT: (
        "мемлекеттік қызмет көрсету үшін талап етілетін, қолжетімділігі шектеулі дербес "
        "деректерге қол жеткізуге «Дербес деректер және оларды қорғау туралы» Қазақстан "
        "Республикасы Заңының 8-бабына сәйкес берілетін көрсетілетін қызметті алушы келісімінің "
        "болмауы"
    ),
}


def automatic_grounds(form: ApplicationForm) -> frozenset[RefusalGround]:
    """The grounds the form itself proves, without an examiner: today only ground 5."""
    if not form.consents_to_personal_data_access:
        return frozenset({RefusalGround.NO_PERSONAL_DATA_CONSENT})
    return frozenset()


@dataclass(frozen=True, slots=True)
class RefusalReasons:
    """The grounds a refusal cites (at least one, from the closed list) and its motivation."""

    grounds: tuple[RefusalGround, ...]
    motivation: str

    @classmethod
    def of(cls, grounds: Iterable[int], motivation: str) -> RefusalReasons:
        """Validated reasons: grounds sorted and deduplicated, motivation not blank."""
        try:
            cited = tuple(sorted({RefusalGround(ground) for ground in grounds}))
        except ValueError as error:
            raise InvalidRefusalError(f"a ground outside App.1 §10 items 1-5: {error}") from None
        if not cited:
            raise InvalidRefusalError("a refusal must cite at least one ground of App.1 §10")
        if not motivation.strip():
            raise InvalidRefusalError("a refusal must state its motivation (App.4)")
        return cls(grounds=cited, motivation=motivation.strip())

    def to_canonical_list(self) -> list[dict[str, int | str]]:
        """The cited grounds as JSON-able dicts: number, text of the law, kepil's Kazakh."""
        return [
            {"number": int(ground), "text": ground.text, "text_kk": ground.text_kk}
            for ground in self.grounds
        ]


# App.1 §10 items 3 and 4 come from court records the state systems report (Rules §4).
REPORTED_GROUNDS: Final = frozenset(
    {RefusalGround.COURT_BAN_ON_ACTIVITY, RefusalGround.COURT_DEPRIVATION_OF_SPECIAL_RIGHT}
)


@dataclass(frozen=True, slots=True)
class GroundClearance:
    """The examiner's signed record of why a reported ground 3 or 4 does not concern this
    activity; without one a permit cannot be drafted over the report."""

    ground: RefusalGround
    reason: str
    examiner_name: str
    examiner_iin: str
    recorded_at: datetime

    @classmethod
    def of(
        cls, ground: int, reason: str, examiner_name: str, examiner_iin: str, at: datetime
    ) -> GroundClearance:
        """A validated record: ground 3 or 4 and a reason that is not blank."""
        try:
            cited = RefusalGround(ground)
        except ValueError:
            raise InvalidRefusalError(f"ground {ground} is outside App.1 §10 items 1-5") from None
        if cited not in REPORTED_GROUNDS:
            raise InvalidRefusalError(
                f"only grounds 3 and 4 come from court records and may be cleared, not {ground}"
            )
        if not reason.strip():
            raise InvalidRefusalError(
                f"say why ground {ground} does not concern this activity (App.1 §10)"
            )
        return cls(cited, reason.strip(), examiner_name, examiner_iin, at)

    def to_canonical_dict(self) -> dict[str, object]:
        """The record as the permit carries it."""
        return {
            "ground": int(self.ground),
            "ground_text": self.ground.text,
            "ground_text_kk": self.ground.text_kk,  # kepil's translation
            "reason": self.reason,
            "examiner": {"name": self.examiner_name, "iin": self.examiner_iin},
            "recorded_at": self.recorded_at.isoformat(),
        }
