"""A file from the cabinet is saved under the name it was filed with, never shown in the site."""

from __future__ import annotations

from kepil.entrypoints.web.cabinet_pages import download


def test_a_cyrillic_file_name_is_kept_for_browsers_that_read_it_and_made_safe_for_others() -> None:
    answer = download(b"%PDF", "text/html", 'Договор "№1"/копия.pdf')
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="__________1_______.pdf"; ')
    assert "filename*=UTF-8''%D0%94%D0%BE%D0%B3" in disposition
    assert "%2F" in disposition  # a slash cannot make a path of the name
    assert '"' not in disposition.split("filename*=")[1]


def test_whatever_type_was_declared_the_file_cannot_run_in_the_sites_origin() -> None:
    answer = download(b"<script>alert(1)</script>", "text/html", "page.html")
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
