"""Rules §8 over HTTP, on SQLite and PostgreSQL: the notice carries the hearing's time and place,
the limits are stated when broken, one move, the cabinet told in both languages, and a case
stored in the old shape still gets its notice."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, and_, insert, select, text, update

from kepil.adapters.db import migrate
from kepil.adapters.db.permit_tables import permit_applications, permit_stage_deadlines
from kepil.domain.calendar import ALMATY
from kepil.domain.permits import PermitRole

from .portal import Portal

CLERK, EXAMINER = PermitRole.CLERK, PermitRole.EXAMINER
PLACE = "Астана, пр. Мангилик Ел, 55/14, каб. 301"


def _under_review(portal: Portal) -> str:
    """Filed Monday 6 April 2026: the term ends 13 April, the notice is due 8 April 18:30."""
    portal.at("2026-04-06T10:00")
    number = portal.submit().json()["number"]
    assert portal.decide(CLERK, number, "register").status_code == 200
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    return number


def _notify(portal: Portal, number: str, hearing_at: str, place: str = PLACE) -> dict[str, str]:
    answer = portal.decide(
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=[2],
        motivation="гарантийное письмо не подтверждает 5 узлов",
        hearing_at=hearing_at,
        place=place,
    )
    return dict(answer.json()) | {"status_code": str(answer.status_code)}


def test_the_preliminary_refusal_carries_the_hearing_and_the_cabinet_hears_it_in_both_languages(
    portal: Portal,
) -> None:
    number = _under_review(portal)
    portal.at("2026-04-07T10:00")
    done = _notify(portal, number, "2026-04-08T15:00:00+05:00")
    assert (done["status_code"], done["status"]) == ("200", "hearing_scheduled"), done
    assert done["event"] == "preliminary_refusal_issued"
    case = portal.application(number)
    notice = case["history"][-1]
    assert notice["details"]["hearing_at"] == "2026-04-08T15:00:00+05:00"
    assert notice["details"]["place"] == PLACE
    assert not notice["late"]
    deadlines = {d["stage"]: d for d in case["deadlines"]}
    assert deadlines["hearing_notice"]["settled_at"] == "2026-04-07T10:00:00+05:00"
    assert deadlines["hearing"]["due"] == "2026-04-09T18:30:00+05:00"
    told = portal.client.get(
        "/api/v1/cabinet/notifications", headers=portal.applicant.headers
    ).json()[0]
    assert told["kind"] == "preliminary_refusal_issued"
    assert "гарантийное письмо не подтверждает 5 узлов" in told["message"]
    assert f"08.04.2026 15:00 (время Алматы), место (способ): {PLACE}" in told["message"]
    assert f"08.04.2026 15:00 (Алматы уақытымен), орны (тәсілі): {PLACE}" in told["message_kk"]
    assert "Негіздер (1-қосымшаның 10-тармағы): 2)" in told["message_kk"]


def test_a_hearing_outside_the_limits_is_refused_with_the_limit_stated(portal: Portal) -> None:
    number = _under_review(portal)
    portal.at("2026-04-07T10:00")
    after = _notify(portal, number, "2026-04-09T18:31:00+05:00")
    assert after["status_code"] == "409"
    assert "no later than 2 working days from the notice: by 2026-04-09T18:30+05:00" in str(
        after["error"]
    )
    before = _notify(portal, number, "2026-04-07T09:00:00+05:00")
    assert "before its notice (2026-04-07T10:00+05:00)" in str(before["error"])
    nowhere = _notify(portal, number, "2026-04-08T15:00:00+05:00", place=" ")
    assert "the place or way of the hearing is required" in str(nowhere["error"])
    missing = portal.decide(
        EXAMINER, number, "issue_preliminary_refusal", grounds=[2], motivation="м", place=PLACE
    )
    assert missing.status_code == 422
    assert "hearing_at" in missing.json()["error"]["message"]
    assert portal.application(number)["status"] == "under_review"


def test_the_hearing_moves_once_with_a_new_notice_and_a_second_move_is_refused(
    portal: Portal,
) -> None:
    number = _under_review(portal)
    portal.at("2026-04-07T10:00")
    _notify(portal, number, "2026-04-08T15:00:00+05:00")
    portal.at("2026-04-08T09:00")
    moved = portal.decide(
        EXAMINER,
        number,
        "schedule_hearing",
        hearing_at="2026-04-10T11:00:00+05:00",
        place="видеосвязь",
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["event"]) == ("hearing_scheduled", "hearing_moved")
    deadlines = {d["stage"]: d for d in portal.application(number)["deadlines"]}
    assert deadlines["hearing"]["due"] == "2026-04-10T18:30:00+05:00"
    told = portal.client.get(
        "/api/v1/cabinet/notifications", headers=portal.applicant.headers
    ).json()[0]
    assert told["kind"] == "hearing_moved"
    assert "10.04.2026 11:00 (время Алматы), место (способ): видеосвязь" in told["message"]
    assert "10.04.2026 11:00 (Алматы уақытымен), орны (тәсілі): видеосвязь" in told["message_kk"]
    again = portal.decide(
        EXAMINER,
        number,
        "schedule_hearing",
        hearing_at="2026-04-10T12:00:00+05:00",
        place="видеосвязь",
    )
    assert again.status_code == 409
    assert "moved already (to 2026-04-10T11:00+05:00)" in again.json()["error"]["message"]
    portal.at("2026-04-10T11:30")
    held = portal.decide(EXAMINER, number, "hold_hearing", applicant_attended=True)
    assert held.json()["status"] == "hearing_held", held.text


def test_a_case_stored_as_a_preliminary_refusal_without_time_and_place_still_gets_its_notice(
    portal: Portal, engine: Engine
) -> None:
    number = _under_review(portal)
    _store_in_the_old_shape(engine, number, datetime(2026, 4, 7, 10, 0, tzinfo=ALMATY))
    portal.at("2026-04-09T10:00")
    assert portal.application(number)["status"] == "preliminary_refusal"
    outside = portal.decide(
        EXAMINER, number, "schedule_hearing", hearing_at="2026-04-14T10:00:00+05:00", place=PLACE
    )
    assert outside.status_code == 409
    assert "by 2026-04-13T18:30+05:00" in outside.json()["error"]["message"]
    notice = portal.decide(
        EXAMINER, number, "schedule_hearing", hearing_at="2026-04-10T15:00:00+05:00", place=PLACE
    )
    assert notice.status_code == 200, notice.text
    assert (notice.json()["status"], notice.json()["event"]) == (
        "hearing_scheduled",
        "hearing_scheduled",
    )
    case = portal.application(number)
    assert case["history"][-1]["late"]  # the notice with the time came after 8 April 18:30
    deadlines = {d["stage"]: d for d in case["deadlines"]}
    assert deadlines["hearing_notice"]["settled_at"] == "2026-04-09T10:00:00+05:00"
    assert deadlines["hearing"]["due"] == "2026-04-13T18:30:00+05:00"
    told = portal.client.get(
        "/api/v1/cabinet/notifications", headers=portal.applicant.headers
    ).json()[0]
    assert "старая мотивировка" in told["message"]
    assert f"10.04.2026 15:00 (Алматы уақытымен), орны (тәсілі): {PLACE}" in told["message_kk"]
    # It was the notice, not a move: the one move is still there.
    portal.at("2026-04-10T09:00")
    moved = portal.decide(
        EXAMINER, number, "schedule_hearing", hearing_at="2026-04-13T10:00:00+05:00", place=PLACE
    )
    assert moved.json()["event"] == "hearing_moved", moved.text


def _store_in_the_old_shape(engine: Engine, number: str, noticed: datetime) -> None:
    """Rewrite the case as the service stored a preliminary refusal before it carried the
    hearing's time and place: the notice stage settled on it, the hearing stage from it."""
    reasons = {"grounds": [2], "motivation": "старая мотивировка"}
    stages = permit_stage_deadlines.c
    with engine.begin() as connection:
        connection.execute(
            update(permit_applications)
            .where(permit_applications.c.number == number)
            .values(
                status="preliminary_refusal",
                preliminary_reasons=json.dumps(reasons),
                last_event_at=noticed,
                version=permit_applications.c.version + 1,
            )
        )
        connection.execute(
            update(permit_stage_deadlines)
            .where(and_(stages.application_number == number, stages.stage == "review"))
            .values(settled_at=noticed, outcome="met")
        )
        connection.execute(
            insert(permit_stage_deadlines),
            [
                {
                    "application_number": number,
                    "stage": "hearing_notice",
                    "due": datetime(2026, 4, 8, 18, 30, tzinfo=ALMATY),
                    "settled_at": noticed,
                    "outcome": "met",
                },
                {
                    "application_number": number,
                    "stage": "hearing",
                    "due": datetime(2026, 4, 9, 18, 30, tzinfo=ALMATY),
                    "settled_at": None,
                    "outcome": None,
                },
            ],
        )


def test_rows_stored_before_the_migration_read_as_never_moved_and_without_kazakh(
    engine: Engine,
) -> None:
    migrate.upgrade(engine, "0011")
    moment = "2026-04-07 05:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO permit_applications (number, applicant_id, applicant_name, "
                "platform_name, status, form, schedule, received_at, registration_day, "
                "preliminary_reasons, hearing_at, last_event_at, state_facts, signed_form, "
                "version) VALUES ('APP-OLD', '150640123452', 'ТОО', 'P', 'preliminary_refusal', "
                "'{}', '{}', :at, '2026-04-06', NULL, NULL, :at, '{}', :form, 3)"
            ),
            {"at": moment, "form": b"cms"},
        )
        connection.execute(
            text(
                "INSERT INTO notifications (recipient, case_number, kind, message, created_at) "
                "VALUES ('150640123452', 'APP-OLD', 'preliminary_refusal_issued', "
                "'Предварительное решение об отказе; назначается заслушивание', :at)"
            ),
            {"at": moment},
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        moves = connection.execute(select(permit_applications.c.hearing_moves)).scalar_one()
        kazakh = connection.execute(text("SELECT message_kk FROM notifications")).scalar_one()
    assert (moves, kazakh) == (0, "")


def test_the_limits_are_answered_before_the_examiner_signs(portal: Portal) -> None:
    number = _under_review(portal)
    portal.at("2026-04-09T10:00")
    examiner = portal.officials[EXAMINER]
    address = f"/api/v1/applications/{number}/hearing-limits"
    limits = portal.client.get(address, headers=examiner.headers)
    assert limits.status_code == 200, limits.text
    found = limits.json()
    assert (found["action"], found["moving"], found["allowed"]) == (
        "issue_preliminary_refusal",
        False,
        True,
    )
    assert found["earliest"] == "2026-04-09T10:00:00+05:00"
    assert found["latest"] == "2026-04-13T18:30:00+05:00"
    assert found["notice_due"] == "2026-04-08T18:30:00+05:00"
    assert found["notice_late"]  # a notice now is accepted and marked late
    assert found["moves_left"] == 1
    _notify(portal, number, "2026-04-10T10:00:00+05:00")
    moving = portal.client.get(address, headers=examiner.headers).json()
    assert (moving["action"], moving["moving"]) == ("schedule_hearing", True)
    assert (moving["hearing_at"], moving["place"]) == ("2026-04-10T10:00:00+05:00", PLACE)
    assert moving["latest"] == "2026-04-13T18:30:00+05:00"
    portal.at("2026-04-10T10:30")
    portal.decide(EXAMINER, number, "hold_hearing", applicant_attended=False)
    after = portal.client.get(address, headers=examiner.headers)
    assert after.status_code == 409
    assert after.json()["error"]["code"] == "no_hearing_step"
    assert "hearing_held" in after.json()["error"]["message"]
