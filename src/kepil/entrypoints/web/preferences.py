"""The person's language and version: chosen by `?lang=` and `?version=`, kept in cookies."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request, Response

from kepil.entrypoints.web.i18n import DEFAULT_LANGUAGE, Language

LANGUAGE_COOKIE = "kepil_lang"
VERSION_COOKIE = "kepil_version"
# A year: a choice of language or of the accessible version should outlive a browser restart.
_COOKIE_AGE = 365 * 24 * 3600


class Version(enum.StrEnum):
    """The standard pages, or the version for the visually impaired (App.1 §11 item 4)."""

    STANDARD = "standard"
    ACCESSIBLE = "accessible"


E = TypeVar("E", bound=enum.StrEnum)


def _pick(kind: type[E], *candidates: str | None) -> E | None:
    for candidate in candidates:
        if candidate is not None and candidate in kind._value2member_map_:
            return kind(candidate)
    return None


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the request asks for, and whether the query changed what the cookies said."""

    language: Language
    version: Version
    chosen_language: bool
    chosen_version: bool

    def remember(self, request: Request, response: Response) -> None:
        """Keep a choice made in the query in its cookie for the next pages."""
        secure = request.url.scheme == "https"
        for chosen, name, value in (
            (self.chosen_language, LANGUAGE_COOKIE, self.language.value),
            (self.chosen_version, VERSION_COOKIE, self.version.value),
        ):
            if chosen:
                response.set_cookie(
                    name, value, max_age=_COOKIE_AGE, httponly=True, samesite="lax", secure=secure
                )


def preferences(request: Request) -> Preferences:
    """The query's choice first, then the cookie's, then Kazakh and the standard version."""
    query, cookies = request.query_params, request.cookies
    asked_language = _pick(Language, query.get("lang"))
    asked_version = _pick(Version, query.get("version"))
    language = asked_language or _pick(Language, cookies.get(LANGUAGE_COOKIE)) or DEFAULT_LANGUAGE
    version = asked_version or _pick(Version, cookies.get(VERSION_COOKIE)) or Version.STANDARD
    return Preferences(language, version, asked_language is not None, asked_version is not None)


PreferencesDep = Annotated[Preferences, Depends(preferences)]
