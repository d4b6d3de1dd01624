"""The PDFs' own labels in Kazakh and Russian, and how a document's words are picked.

The document's JSON is the first source: its `titles`, `headings`, `legal_basis`, `opening` and
`wording` pairs (docs/documents.md) carry the law's words and kepil's Kazakh translation. The
labels here are used only where a document signed before those keys existed has none; they are
kepil's wording (the appendices print no such labels), marked so in the output's sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

LANGUAGES: Final = ("kk", "ru")
ALMATY: Final = ZoneInfo("Asia/Almaty")

# kepil's labels, for documents whose JSON lacks the heading; the Russian follows App.3/App.4.
LABELS: Final[dict[str, dict[str, str]]] = {
    "provider_name": {
        "kk": "Мемлекеттік органның атауы",
        "ru": "Наименование государственного органа",
    },
    "provider_requisites": {
        "kk": "Мемлекеттік органның деректемелері",
        "ru": "Реквизиты государственного органа",
    },
    "number": {"kk": "Нөмірі", "ru": "Номер"},
    "application_number": {"kk": "Өтініштің нөмірі", "ru": "Номер заявления"},
    "issue_date": {"kk": "Берілген күні", "ru": "Дата выдачи"},
    "application_date": {"kk": "Өтініш берілген күні", "ru": "Дата заявления"},
    "recipient_name": {
        "kk": "Көрсетілетін қызметті алушының атауы",
        "ru": "Наименование услугополучателя",
    },
    "recipient_requisites": {
        "kk": "Көрсетілетін қызметті алушының деректемелері",
        "ru": "Реквизиты услугополучателя",
    },
    "platform_name": {
        "kk": "Цифрлық платформаның атауы",
        "ru": "Наименование цифровой платформы",
    },
    "purpose": {"kk": "Мақсаты", "ru": "С целью"},
    "activity_addresses": {"kk": "Қызмет мекенжайы", "ru": "Адрес осуществления деятельности"},
    "special_conditions": {"kk": "Ерекше шарттар", "ru": "Особые условия"},
    "note": {"kk": "Ескертпе", "ru": "Примечание"},
    "validity": {"kk": "Қолданылу мерзімі", "ru": "Срок действия"},
    "grounds": {"kk": "Бас тарту негіздері", "ru": "Основания отказа"},
    "motivation": {"kk": "Бас тартудың негіздемесі", "ru": "Обоснование отказа"},
    "problems": {"kk": "Құжаттардағы кемшіліктер", "ru": "Недостатки документов"},
    "clearances": {
        "kk": "Орындаушының қол қойылған белгілері",
        "ru": "Подписанные отметки исполнителя",
    },
    "signer": {"kk": "Қол қойған", "ru": "Подписал"},
    "eds": {"kk": "электрондық цифрлық қолтаңба", "ru": "электронная цифровая подпись"},
    "not_configured": {"kk": "бапталмаған", "ru": "не настроены"},
    "from_to": {"kk": "{start} бастап {end} дейін", "ru": "с {start} по {end}"},
    "card": {
        "kk": "Электрондық құжаттың карточкасы",
        "ru": "Карточка электронного документа",
    },
    "card_signer": {"kk": "Қол қоюшы", "ru": "Подписант"},
    "card_position": {"kk": "Лауазымы", "ru": "Должность"},
    "card_serial": {"kk": "Сертификаттың сериялық нөмірі", "ru": "Серийный номер сертификата"},
    "card_validity": {"kk": "Сертификаттың қолданылу мерзімі", "ru": "Срок действия сертификата"},
    "card_moment": {"kk": "Қол қою уақыты", "ru": "Момент подписания"},
    "card_sha256": {"kk": "Құжаттың SHA-256", "ru": "SHA-256 документа"},
    "card_files": {"kk": "Қоса берілген файлдар", "ru": "Вложенные файлы"},
    "card_check": {"kk": "Құжатты тексеру", "ru": "Проверка документа"},
    "check_offline": {
        "kk": "актінің жария нөмірі жоқ: kepil doc verify командасымен тексеріледі",
        "ru": "у акта нет публичного номера: проверяется командой kepil doc verify",
    },
    "source_timestamp": {
        "kk": "RFC 3161 уақыт белгісі (TSA)",
        "ru": "метка времени RFC 3161 (TSA)",
    },
    "source_signing_time": {
        "kk": "қол қоюшының сағаты (CMS signingTime)",
        "ru": "часы подписанта (CMS signingTime)",
    },
    "source_none": {"kk": "белгісіз", "ru": "не указан"},
    "page": {"kk": "Бет", "ru": "Стр."},
    "version_of": {"kk": "Қазақ тіліндегі нұсқасы", "ru": "Версия на русском языке"},
}

# kepil's Kazakh titles for documents whose JSON carries only the law's Russian one.
TITLES_KK: Final = {
    "permit": "Қамтамасыз етілген цифрлық активтерді шығаруға және айналымға РҰҚСАТ",
    "motivated_refusal": (
        "Қамтамасыз етілген цифрлық активтерді шығаруға және айналымға рұқсат беруден "
        "ДӘЛЕЛДІ БАС ТАРТУ"
    ),
    "refusal_of_further_consideration": ("Құжаттарды одан әрі қараудан бас тарту туралы хабарлама"),
}


# Signed acts that are not result documents: a title by what the act does (kepil's wording;
# the Rules name these notices and decisions but draw no form for them).
ACT_TITLES: Final[dict[str, dict[str, str]]] = {
    "issue_preliminary_refusal": {
        "kk": "Алдын ала шешім және тыңдау туралы хабарлама (Қағидалардың 8-тармағы)",
        "ru": "Уведомление о предварительном решении и заслушивании (пункт 8 Правил)",
    },
    "schedule_hearing": {
        "kk": "Тыңдаудың уақыты мен орны туралы хабарлама",
        "ru": "Уведомление о времени и месте заслушивания",
    },
    "satisfy": {
        "kk": "Шағымды қанағаттандыру туралы шешім",
        "ru": "Решение об удовлетворении жалобы",
    },
    "uphold": {
        "kk": "Шағым бойынша шешімді күшінде қалдыру туралы шешім",
        "ru": "Решение об оставлении обжалуемого решения в силе",
    },
    "reject": {
        "kk": "Шағымды қанағаттандырудан бас тарту туралы шешім",
        "ru": "Решение об отказе в удовлетворении жалобы",
    },
    "forward": {
        "kk": "Шағымды қарау органына жіберу туралы шешім",
        "ru": "Решение о направлении жалобы в орган по рассмотрению жалоб",
    },
}
# Labels for the fields such acts carry; any other field is shown under its own key.
ACT_FIELDS: Final[dict[str, dict[str, str]]] = {
    "application_number": LABELS["application_number"],
    "complaint_number": {"kk": "Шағымның нөмірі", "ru": "Номер жалобы"},
    "grounds": LABELS["grounds"],
    "motivation": {"kk": "Негіздеме", "ru": "Обоснование"},
    "hearing_at": {"kk": "Тыңдау уақыты", "ru": "Время заслушивания"},
    "place": {"kk": "Тыңдау орны немесе тәсілі", "ru": "Место или способ заслушивания"},
    "decision": {"kk": "Шешім", "ru": "Решение"},
    "reason": {"kk": "Себебі", "ru": "Причина"},
}


# Rules §6 notice: each problem under its code, in both languages (kepil's wording: the Rules
# name the grounds of App.1 §9 but not these sentences). Keys are validation.ProblemCode values.
PROBLEMS: Final[dict[str, dict[str, str]]] = {
    "applicant_identifier_invalid": {
        "kk": "Өтініш берушінің ЖСН/БСН-і жарамсыз",
        "ru": "Неверный ИИН/БИН заявителя",
    },
    "applicant_kind_mismatch": {
        "kk": "Өтініш берушінің түрі сәйкестендіру нөміріне сәйкес келмейді",
        "ru": "Вид заявителя не соответствует его идентификационному номеру",
    },
    "applicant_name_missing": {
        "kk": "Өтініш берушінің атауы көрсетілмеген",
        "ru": "Не указано наименование заявителя",
    },
    "applicant_address_missing": {
        "kk": "Өтініш берушінің мекенжайы көрсетілмеген",
        "ru": "Не указан адрес заявителя",
    },
    "phone_invalid": {"kk": "Телефон нөмірі дұрыс емес", "ru": "Неверный номер телефона"},
    "email_invalid": {
        "kk": "Электрондық пошта мекенжайы дұрыс емес",
        "ru": "Неверный адрес электронной почты",
    },
    "platform_name_missing": {
        "kk": "Цифрлық платформаның атауы көрсетілмеген",
        "ru": "Не указано наименование цифровой платформы",
    },
    "purpose_missing": {
        "kk": "Қызметтің мақсаты көрсетілмеген",
        "ru": "Не указана цель деятельности",
    },
    "activity_address_missing": {
        "kk": "Қызмет жүзеге асырылатын мекенжай көрсетілмеген",
        "ru": "Не указан адрес осуществления деятельности",
    },
    "postal_code_invalid": {"kk": "Пошта индексі дұрыс емес", "ru": "Неверный почтовый индекс"},
    "activity_address_incomplete": {
        "kk": "Қызмет жүзеге асырылатын мекенжай толық көрсетілмеген",
        "ru": "Адрес осуществления деятельности указан не полностью",
    },
    "attachment_file_name_missing": {
        "kk": "Қоса берілген файлдың атауы жоқ",
        "ru": "У приложенного файла нет имени",
    },
    "attachment_media_type_invalid": {
        "kk": "Қоса берілген файлдың түріне жол берілмейді",
        "ru": "Недопустимый тип приложенного файла",
    },
    "attachment_empty": {"kk": "Қоса берілген файл бос", "ru": "Приложенный файл пуст"},
    "attachment_hash_invalid": {
        "kk": "Қоса берілген файлдың хэші сәйкес келмейді",
        "ru": "Хэш приложенного файла не совпадает",
    },
    "attachment_duplicated": {"kk": "Файл екі рет қоса берілген", "ru": "Файл приложен дважды"},
    "backing_document_missing": {
        "kk": "Қамтамасыз етуді растайтын құжат ұсынылмаған",
        "ru": "Не представлен документ, подтверждающий обеспечение",
    },
    "guarantee_letter_missing": {
        "kk": "Кепілдік хат ұсынылмаған",
        "ru": "Не представлено гарантийное письмо",
    },
    "document_expired": {
        "kk": "Құжаттың қолданылу мерзімі өткен",
        "ru": "Истёк срок действия документа",
    },
    "truthfulness_not_confirmed": {
        "kk": "Мәліметтердің дұрыстығы расталмаған",
        "ru": "Не подтверждена достоверность сведений",
    },
    "protected_secrets_consent_missing": {
        "kk": "Заңмен қорғалатын құпияны құрайтын мәліметтерді пайдалануға келісім берілмеген",
        "ru": "Не дано согласие на использование сведений, составляющих охраняемую законом тайну",
    },
}


def problem(value: Mapping[str, Any], language: str) -> str:
    """One §6 problem as a sentence in the language, its field and detail after it."""
    code = value.get("code")
    sentence = PROBLEMS.get(code, {}).get(language) if isinstance(code, str) else None
    where = [str(value[key]) for key in ("field", "detail") if isinstance(value.get(key), str)]
    where = [part for part in where if part]
    if sentence is None:
        # A code this kepil does not know (a newer one): shown as signed, never dropped.
        return "; ".join(str(v) for v in value.values() if isinstance(v, str) and v)
    return f"{sentence} ({'; '.join(where)})" if where else sentence


def in_language(value: Mapping[str, Any], key: str, language: str) -> str:
    """value[key + "_kk"] on the Kazakh page when present, else value[key] (the Russian)."""
    if language == "kk":
        found = value.get(f"{key}_kk")
        if isinstance(found, str) and found:
            return found
    found = value.get(key)
    return str(found) if isinstance(found, str | int) and not isinstance(found, bool) else ""


def label(key: str, language: str) -> str:
    """kepil's label for `key` in the language."""
    return LABELS[key][language]


def heading(body: Mapping[str, Any], key: str, language: str) -> str:
    """The document's own heading for `key` in the language, else kepil's label."""
    pair = body.get("headings", {}).get(key)
    if isinstance(pair, dict) and isinstance(pair.get(language), str) and pair[language]:
        return str(pair[language])
    return label(key, language)


def pick(body: Mapping[str, Any], key: str, language: str, fallback: str = "") -> str:
    """A text the document holds as a pair, in the language; else the Russian, else fallback.

    Older documents hold only the law's Russian; it is shown on both pages rather than a
    translation the head never signed."""
    value = body.get(key)
    if isinstance(value, dict):
        chosen = value.get(language) or value.get("ru")
        return str(chosen) if chosen else fallback
    return str(value) if isinstance(value, str) and value else fallback


def title(body: Mapping[str, Any], language: str) -> str:
    """The document's title in the language."""
    titles = body.get("titles")
    if isinstance(titles, dict) and titles.get(language):
        return str(titles[language])
    if language == "kk" and body.get("document_type") in TITLES_KK:
        return TITLES_KK[str(body["document_type"])]
    if "title" not in body and body.get("action") in ACT_TITLES:
        return ACT_TITLES[str(body["action"])][language]
    return str(body.get("title", body.get("document_type", "")))


def day(value: object) -> str:
    """An ISO date or moment as the forms write dates: dd.mm.yyyy."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return date.fromisoformat(value[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return value


def moment(value: datetime) -> str:
    """A moment on Almaty clocks with the offset, to the second: 14.03.2026 10:15:00 UTC+05:00."""
    value = value.astimezone(ALMATY)
    offset = value.strftime("%z")
    return f"{value.strftime('%d.%m.%Y %H:%M:%S')} UTC{offset[:3]}:{offset[3:]}"
