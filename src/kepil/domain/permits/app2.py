"""The words of the Appendix 2 form that the applicant signs, in the language they filed in.

The applicant signs the form's own sentences, not only its fields: to whom it is addressed
(«Руководителю (Наименование государственного органа)»), the request («Руководствуясь статьей 6
Закона … прошу рассмотреть прилагаемый перечень документов и выдать разрешение…»), and each
confirmation and consent exactly as the page showed it. The service accepts a form only with the
current text of every statement, so nobody is bound by words they did not see.

Whose words: every Russian sentence is App.2's (Order 130/НҚ, seeds/000_*.txt) except the
personal-data consent, which App.2 does not print (it is built from App.1 §10 ground 5); every
Kazakh sentence is kepil's translation (the Order's Kazakh text is not among the seeds).
"""

from __future__ import annotations

from typing import Final

from kepil.domain.permits.application import (
    PERSONAL_DATA_CONSENT_TEXT,
    PROTECTED_SECRETS_CONSENT_TEXT,
    TRUTHFULNESS_TEXT,
    ApplicationForm,
)

LANGUAGES: Final = ("kk", "ru")
# The statements in the order the form prints them; the keys of the signed "statements".
STATEMENTS: Final = (
    "addressee",
    "request",
    "truthfulness_confirmed",
    "consents_to_protected_secrets_use",
    "consents_to_personal_data_access",
)
# App.2 prints «Руководителю» above the state body's name, which it governs in the genitive
# («Руководителю Министерства …»); Kazakh names the body first, in the genitive too
# («… министрлігінің басшысына»). The caller gives the genitive (Provider.genitive).
_ADDRESSEE: Final = {"kk": "{name} басшысына", "ru": "Руководителю {name}"}
_REQUEST: Final = {
    # kepil's translation
    "kk": "«Қазақстан Республикасындағы цифрлық активтер туралы» Қазақстан Республикасы "
    "Заңының 6-бабын басшылыққа ала отырып, қоса берілген құжаттар тізбесін қарап, "
    "қамтамасыз етілген цифрлық активтерді сақтау және айырбастау жөніндегі мына цифрлық "
    "платформада қамтамасыз етілген цифрлық активтерді шығаруға және айналымға "
    "рұқсат беруді сұраймын:",
    # App.2, word for word
    "ru": 'Руководствуясь статьей 6 Закона Республики Казахстан "О цифровых активах в '
    'Республике Казахстан", прошу рассмотреть прилагаемый перечень документов и выдать '
    "разрешение на выпуск и обращение обеспеченных цифровых активов на следующей цифровой "
    "платформе по хранению и обмену обеспеченными цифровыми активами:",
}
_CONFIRMATIONS: Final = {
    "truthfulness_confirmed": {
        # kepil's translation
        "kk": "Ұсынылған ақпараттың анықтығын растаймын және Қазақстан Республикасының "
        "заңнамасына сәйкес анық емес мәліметтер ұсынғаны үшін жауапкершілік туралы "
        "хабардармын.",
        "ru": TRUTHFULNESS_TEXT,  # App.2
    },
    "consents_to_protected_secrets_use": {
        # kepil's translation
        "kk": "Ақпараттық жүйелерде қамтылған, заңмен қорғалатын құпияны құрайтын мәліметтерді "
        "пайдалануға келісемін.",
        "ru": PROTECTED_SECRETS_CONSENT_TEXT,  # App.2
    },
    "consents_to_personal_data_access": {
        # kepil's translation of kepil's wording (App.1 §10 ground 5; App.2 has no such line)
        "kk": "«Дербес деректер және оларды қорғау туралы» Қазақстан Республикасы Заңының "
        "8-бабына сәйкес мемлекеттік қызметті көрсету үшін талап етілетін, қолжетімділігі "
        "шектеулі дербес деректерге қол жеткізуге келісемін.",
        "ru": PERSONAL_DATA_CONSENT_TEXT,
    },
}


def app2_statements(language: str, provider_genitive: str) -> dict[str, str]:
    """The current text of every statement of the form in `language` ("kk" or "ru"), addressed
    to the state body whose name in that language, in the genitive, is `provider_genitive`."""
    if language not in LANGUAGES:
        raise ValueError(f"the form is filed in kk or ru, not {language!r}")
    return {
        "addressee": _ADDRESSEE[language].format(name=provider_genitive),
        "request": _REQUEST[language],
        **{key: texts[language] for key, texts in _CONFIRMATIONS.items()},
    }


def stale_statements(form: ApplicationForm, provider_genitives: dict[str, str]) -> list[str]:
    """The statements whose signed text is missing or not the current one, in form order;
    a form in no known language has every statement wrong. `provider_genitives`: the body's
    name in the genitive by language (Provider.genitive)."""
    if form.language not in LANGUAGES:
        return list(STATEMENTS)
    current = app2_statements(form.language, provider_genitives[form.language])
    signed = dict(form.statements)
    wrong = [key for key in STATEMENTS if signed.get(key) != current[key]]
    return wrong + sorted(key for key in signed if key not in current)
