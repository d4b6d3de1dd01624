"""The JSON forms of the permit domain: what is signed, stored and published."""

from __future__ import annotations

import pytest
from tests.support.clock import almaty

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import Application, ApplicationForm, PermitRole
from kepil.domain.permits.codec import (
    FormDecodingError,
    deadline_from_dict,
    deadline_to_dict,
    event_record,
    form_from_dict,
    form_to_dict,
    schedule_from_dict,
    schedule_to_dict,
)
from kepil.domain.permits.roles import Actor


def test_p3_a_form_survives_the_round_trip_through_json(form: ApplicationForm) -> None:
    assert form_from_dict(form_to_dict(form)) == form


def test_p3_a_mistyped_signed_form_names_every_bad_field(form: ApplicationForm) -> None:
    data = form_to_dict(form)
    data["applicant_kind"] = "bank"
    data["truthfulness_confirmed"] = "yes"
    data["attachments"][0]["size"] = -1
    data["attachments"][1]["valid_until"] = "31.12.2027"
    del data["requisites"]["email"]
    with pytest.raises(FormDecodingError) as raised:
        form_from_dict(data)
    fields = [problem.split(":")[0] for problem in raised.value.problems]
    assert fields == [
        "requisites.email",
        "applicant_kind",
        "attachments[0].size",
        "attachments[1].valid_until",
        "truthfulness_confirmed",
    ]


def test_a_form_that_is_not_an_object_is_refused_not_crashed() -> None:
    with pytest.raises(FormDecodingError, match="an object is required"):
        form_from_dict(["not", "a", "form"])


def test_stored_schedule_and_deadlines_read_back_equal(
    form: ApplicationForm, cal: WorkingCalendar
) -> None:
    actor = Actor(PermitRole.APPLICANT, "Тестов", "850314312344", bin="150640123452")
    application = Application.submit("A-1", form, actor, almaty("2026-03-20T19:00"), cal)
    schedule = application.schedule
    assert schedule_from_dict(schedule_to_dict(schedule)) == schedule
    for deadline in application.deadlines.all():
        assert deadline_from_dict(deadline_to_dict(deadline)) == deadline
    record = event_record(application.history[0])
    assert record.kind == "application_submitted"
    assert record.details["registration_day"] == "2026-03-26"
