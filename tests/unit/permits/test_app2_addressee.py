"""Issue 20 item 4, the reviewer's finding: App.2's addressee governs the state body's name in
the genitive, in Russian and in Kazakh."""

from __future__ import annotations

from collections.abc import Callable

from kepil.domain.permits import Provider
from kepil.domain.permits.app2 import app2_statements, stale_statements
from kepil.domain.permits.application import ApplicationForm


def test_the_addressee_declines_the_default_ministry_in_russian_and_kazakh() -> None:
    provider = Provider()
    russian = app2_statements("ru", provider.genitive["ru"])["addressee"]
    assert russian == (
        "Руководителю Министерства цифрового развития, инноваций и аэрокосмической "
        "промышленности Республики Казахстан"
    )
    kazakh = app2_statements("kk", provider.genitive["kk"])["addressee"]
    assert kazakh == (
        "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі "
        "министрлігінің басшысына"
    )


def test_a_form_signed_with_the_old_ungrammatical_addressee_is_stale(
    make_form: Callable[..., ApplicationForm],
) -> None:
    provider = Provider()
    old = app2_statements("ru", provider.name["ru"])  # «Руководителю Министерство …»
    form = make_form(language="ru", statements=tuple(old.items()))
    assert stale_statements(form, provider.genitive) == ["addressee"]
    current = app2_statements("ru", provider.genitive["ru"])
    fresh = make_form(language="ru", statements=tuple(current.items()))
    assert stale_statements(fresh, provider.genitive) == []
