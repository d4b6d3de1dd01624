"""Every answer carries a request id and leaves exactly one log line; a 500 too, in JSON."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from tests.integration.permits.portal import Portal


class _BugError(RuntimeError):
    pass


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "kepil.api"]


@pytest.fixture
def failing(sqlite_portal: Portal) -> Portal:
    """The portal with one more route that fails as a bug behind any router would."""

    def fail() -> None:
        raise _BugError("secret detail: /srv/kepil/data")

    def fail_midway() -> StreamingResponse:
        def rows() -> Iterator[str]:
            yield "first row\n"
            raise _BugError("the database went away")

        return StreamingResponse(rows())

    app = sqlite_portal.client.app
    assert isinstance(app, FastAPI)
    app.add_api_route("/api/v1/failing", fail)
    app.add_api_route("/api/v1/failing-midway", fail_midway)
    return sqlite_portal


def test_a_clients_request_id_is_echoed_and_logged_on_exactly_one_line(
    sqlite_portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kepil.api")
    for path, status in [("/api/v1/registry", 200), ("/api/v1/registry/R-none", 404)]:
        caplog.clear()
        response = sqlite_portal.client.get(path, headers={"x-request-id": "support-42.a:b_c"})
        assert response.status_code == status
        assert response.headers["x-request-id"] == "support-42.a:b_c"
        (line,) = _lines(caplog)
        assert line.request_id == "support-42.a:b_c"  # type: ignore[attr-defined]
        assert line.status == status  # type: ignore[attr-defined]


@pytest.mark.parametrize("sent", ["", "x" * 201, "has space", "line\u2028break", "<script>"])
def test_an_unusable_request_id_is_replaced_by_a_fresh_one(
    sqlite_portal: Portal, caplog: pytest.LogCaptureFixture, sent: str
) -> None:
    caplog.set_level(logging.INFO, logger="kepil.api")
    response = sqlite_portal.client.get(
        "/api/v1/registry", headers={"x-request-id": sent.encode("utf-8")}
    )
    given = response.headers["x-request-id"]
    assert given != sent
    assert 16 <= len(given) <= 64
    (line,) = _lines(caplog)
    assert line.request_id == given  # type: ignore[attr-defined]


def test_a_server_error_answers_json_with_its_request_id_and_logs_the_traceback_once(
    failing: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kepil.api")
    response = failing.client.get("/api/v1/failing", headers={"x-request-id": "ticket-7"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "ticket-7"
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "ticket-7" in error["message"]
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    (line,) = _lines(caplog)
    assert line.levelno == logging.ERROR
    assert line.request_id == "ticket-7"  # type: ignore[attr-defined]
    assert line.status == 500  # type: ignore[attr-defined]
    assert line.exc_info is not None
    assert line.exc_info[0] is _BugError


def test_a_failure_after_the_answer_began_is_logged_once_as_an_error(
    failing: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kepil.api")
    response = failing.client.get("/api/v1/failing-midway", headers={"x-request-id": "t-8"})
    assert response.headers["x-request-id"] == "t-8"
    (line,) = _lines(caplog)
    assert line.levelno == logging.ERROR
    assert line.request_id == "t-8"  # type: ignore[attr-defined]
    assert line.exc_info is not None
