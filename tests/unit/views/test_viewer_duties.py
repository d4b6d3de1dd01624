"""Who may know a case exists: Ministry duties read every case, except the contact centre's,
which only answers callers about a case they name with its applicant."""

from __future__ import annotations

from kepil.domain.auth import Principal
from kepil.domain.permits import PermitRole
from kepil.services.permits.views.viewer import Viewer

OPERATOR = Principal("910505400329", None, "ОПЕРАТОРОВА АЙЖАН", None, None, "01", "TEST CA")


def test_the_contact_centre_answers_callers_but_is_not_an_official_who_reads_cases() -> None:
    operator = Viewer(OPERATOR, frozenset({PermitRole.CONTACT_CENTRE}))
    assert operator.answers_callers
    assert not operator.is_official
    assert not operator.may_see("120440056787")


def test_any_other_duty_still_reads_every_case() -> None:
    both = Viewer(OPERATOR, frozenset({PermitRole.CONTACT_CENTRE, PermitRole.AUDITOR}))
    assert both.is_official
    assert both.may_see("120440056787")
    assert not Viewer(OPERATOR, frozenset({PermitRole.AUDITOR})).answers_callers
