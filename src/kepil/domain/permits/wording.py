"""The fixed words of the result documents (App.3, App.4, Rules §6) in Russian and Kazakh.

Whose words these are matters: the Russian text of Order 130/НҚ (seeds/000_*.txt) is the law in
force, and every Russian sentence below is copied from it. The Order's official Kazakh text is
not among the seeds, so only the two headings the appendices print in Kazakh («Мемлекеттік
органның атауы», «Мемлекеттік органның деректемелері») are the law's Kazakh; every other Kazakh
sentence is kepil's translation. `KK_SOURCES` says so key by key, and the canonical documents
carry it (`wording_sources`) so a printed form can say it too.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Literal

Source = Literal["law", "kepil_translation"]
Pair = dict[str, str]

LAW: Final[Source] = "law"
KEPIL: Final[Source] = "kepil_translation"

_DIGITAL_ASSETS_LAW_RU: Final = (
    'Закона Республики Казахстан "О цифровых активах в Республике Казахстан"'
)
_DIGITAL_ASSETS_LAW_KK: Final = (
    "«Қазақстан Республикасындағы цифрлық активтер туралы» Қазақстан Республикасы Заңының"
)

# Headings: (kk, ru, source of the kk). The ru words are App.3/App.4's own in every line.
_HEADINGS: Final[dict[str, tuple[str, str, Source]]] = {
    "provider_name": ("Мемлекеттік органның атауы", "Наименование государственного органа", LAW),
    "provider_requisites": (
        "Мемлекеттік органның деректемелері",
        "Реквизиты государственного органа",
        LAW,
    ),
    "number": ("Нөмірі", "Номер", KEPIL),
    "application_number": ("Өтініш нөмірі", "Номер заявления", KEPIL),
    "issue_date": ("Берілген күні", "Дата выдачи", KEPIL),
    "recipient_name": (
        "Көрсетілетін қызметті алушының атауы",
        "Наименование услугополучателя",
        KEPIL,
    ),
    "recipient_requisites": (
        "Көрсетілетін қызметті алушының деректемелері",
        "Реквизиты услугополучателя",
        KEPIL,
    ),
    "platform_name": (
        "қамтамасыз етілген цифрлық активтерді сақтау және айырбастау жөніндегі цифрлық "
        "платформаның атауы",
        "наименование цифровой платформы по хранению и обмену обеспеченными цифровыми активами",
        KEPIL,
    ),
    "purpose": ("Мақсаты", "С целью", KEPIL),
    "activity_addresses": (
        "пошталық индекс, облыс, қала, аудан, елді мекен, көшенің атауы, үйдің/ғимараттың "
        "(тұрақты үй-жайдың) нөмірі",
        "почтовый индекс, область, город, район, населенный пункт, наименование улицы, номер "
        "дома/здания (стационарного помещения)",
        KEPIL,
    ),
    "special_conditions": ("Ерекше шарттар", "Особые условия", KEPIL),
    "note": ("Ескертпе", "Примечание", KEPIL),
    "signer": (
        "Қол қоюшының лауазымы, тегі, аты, әкесінің аты (бар болса), электрондық цифрлық қолтаңба",
        "Должность подписывающего, фамилия, имя, отчество (при его наличии), электронная "
        "цифровая подпись",
        KEPIL,
    ),
}

# Sentences of the forms: (kk, ru). Every ru is the law's (App.3, App.4); every kk is kepil's.
PERMIT_TITLE: Final = (
    "Қамтамасыз етілген цифрлық активтерді шығаруға және айналымға РҰҚСАТ",
    "РАЗРЕШЕНИЕ на выпуск и обращение обеспеченных цифровых активов",
)
# App.3, the sentence before the platform's name; the seed's text with its quotation marks.
PERMIT_LEGAL_BASIS: Final = (
    f"{_DIGITAL_ASSETS_LAW_KK} 6-бабына және «Рұқсаттар және хабарламалар туралы» Қазақстан "
    "Республикасының Заңына сәйкес, қоса берілген құжаттар тізбесін ескере отырып, қамтамасыз "
    "етілген цифрлық активтерді шығаруға және айналымға рұқсат берілді:",
    f"в соответствии со статьей 6 {_DIGITAL_ASSETS_LAW_RU} и Законом Республики Казахстан "
    '"О разрешениях и уведомлениях", учитывая прилагаемый перечень документов, выдано '
    "разрешение на выпуск и обращение обеспеченных цифровых активов на:",
)
PERMIT_SPECIAL_CONDITION: Final = (
    "осы рұқсаттың қолданылу мерзімі – берілген күнінен бастап 3 (үш) жыл",
    "срок действия настоящего разрешения – 3 (три) года со дня его выдачи",
)
PERMIT_NOTE: Final = (
    "қамтамасыз етілген цифрлық актив есеп айырысу ақша бірлігі, заңды төлем құралы болып "
    f"табылмайды; {_DIGITAL_ASSETS_LAW_KK} 5-бабына сәйкес қаржы құралы немесе қаржы активі "
    "деп танылмайды",
    "обеспеченный цифровой актив не является расчетной денежной единицей, законным платежным "
    "средством; не признается финансовым инструментом или финансовым активом согласно статье 5 "
    f"{_DIGITAL_ASSETS_LAW_RU}",
)
REFUSAL_TITLE: Final = (
    "Қамтамасыз етілген цифрлық активтерді шығаруға және айналымға рұқсат беруден "
    "ДӘЛЕЛДІ БАС ТАРТУ",
    "МОТИВИРОВАННЫЙ ОТКАЗ в выдаче разрешения на выпуск и обращение обеспеченных цифровых активов",
)
# App.4: «(Наименование государственного органа), рассмотрев Ваше заявление от (Дата
# заявления) года № (Номер заявления) и прилагаемый перечень документов, сообщает следующее:»
REFUSAL_OPENING: Final = (
    "{provider} Сіздің {date} жылғы № {number} өтінішіңізді және қоса берілген құжаттар "
    "тізбесін қарап, мынаны хабарлайды:",
    "{provider}, рассмотрев Ваше заявление от {date} года № {number} и прилагаемый перечень "
    "документов, сообщает следующее:",
)
# Rules §6 names the notice, it has no appendix of its own: the ru title is kepil's wording
# of §6 as it always was, the kk its translation.
FURTHER_CONSIDERATION_TITLE: Final = (
    "Құжаттарды одан әрі қараудан бас тарту туралы хабарлама",
    "Уведомление об отказе в дальнейшем рассмотрении документов",
)

# The signer's position in Kazakh: kepil's translation of the usual titles of the civil service
# («Руководитель» / «Ответственный исполнитель» are what a document says of a head or examiner
# with no position of their own). A position granted in other words has no Kazakh here, and the
# document then carries an empty `position_kk`: a reader shows the Russian rather than a guess.
_POSITIONS_KK: Final = {
    "руководитель": "Басшы",
    "ответственный исполнитель": "Жауапты орындаушы",
    "исполняющий обязанности руководителя": "Басшының міндетін атқарушы",
    "временно исполняющий обязанности руководителя": "Басшының міндетін уақытша атқарушы",
    "заместитель руководителя": "Басшының орынбасары",
    "министр": "Министр",
    "вице-министр": "Вице-министр",
    "ответственный секретарь": "Жауапты хатшы",
    "председатель": "Төраға",
    "заместитель председателя": "Төрағаның орынбасары",
    "директор департамента": "Департамент директоры",
    "заместитель директора департамента": "Департамент директорының орынбасары",
    "руководитель управления": "Басқарма басшысы",
    "главный эксперт": "Бас сарапшы",
    "эксперт": "Сарапшы",
    "главный специалист": "Бас маман",
    "ведущий специалист": "Жетекші маман",
}


def position_kk(position_ru: str) -> str:
    """kepil's Kazakh for a position written in Russian; empty when kepil knows none."""
    return _POSITIONS_KK.get(" ".join(position_ru.split()).casefold(), "")


def pair(texts: tuple[str, str]) -> Pair:
    """A (kk, ru) tuple as the {"kk", "ru"} dict the canonical documents carry."""
    return {"kk": texts[0], "ru": texts[1]}


def headings() -> dict[str, Pair]:
    """Every heading of the forms in both languages; a fresh dict for each document."""
    return {key: {"kk": kk, "ru": ru} for key, (kk, ru, _) in _HEADINGS.items()}


def heading_sources() -> dict[str, dict[str, Source]]:
    """Whose words each heading is, language by language."""
    return {key: {"kk": source, "ru": LAW} for key, (_, _, source) in _HEADINGS.items()}


def sentence_sources(*keys: str) -> dict[str, dict[str, Source]]:
    """The fixed sentences of a document: Russian from the law, Kazakh kepil's translation."""
    return {key: {"kk": KEPIL, "ru": LAW} for key in keys}


def law_day(day: date) -> str:
    """A date as the forms write it before «года» / «жылғы»: 01.04.2026."""
    return day.strftime("%d.%m.%Y")


def refusal_opening(provider: Pair, application_date: date, application_number: str) -> Pair:
    """App.4's opening sentence with the state body's name, the application's date and number."""
    day = law_day(application_date)
    kk, ru = REFUSAL_OPENING
    return {
        "kk": kk.format(provider=provider["kk"], date=day, number=application_number),
        "ru": ru.format(provider=provider["ru"], date=day, number=application_number),
    }
