"""`/desk/monitoring`: the SLA dashboard of Rules §10 for the Ministry's officials (the auditor,
the head and every other duty that may read the monitoring, as services/permits/monitoring.py
decides), with the stage log's verification state, and its exports: the figures and the weekly
series as CSV, the stage log as JSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime

from babel.numbers import format_decimal
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from kepil.domain.calendar import to_almaty
from kepil.domain.monitoring import ChainCheck
from kepil.entrypoints.api.dependencies import ViewsDep
from kepil.entrypoints.web import words
from kepil.entrypoints.web.desk_monitoring_chart import SERIES, chart
from kepil.entrypoints.web.i18n import N_, Language
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep
from kepil.services.errors import ForbiddenError
from kepil.services.permits.sweeper import RESPONSIBLE
from kepil.services.permits.views.dashboard import Dashboard
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/desk/monitoring"
FIGURES_CSV = f"{PAGE}/figures.csv"
WEEKS_CSV = f"{PAGE}/weeks.csv"
FEED_JSONL = f"{PAGE}/stage-log.jsonl"
_FEED_BATCH = 1000

# Why a chain check failed, by the start of the domain's reason (domain/monitoring.py,
# services/permits/monitoring.py); the reason's own text follows in the page for the record.
CHAIN_REASONS: tuple[tuple[str, str], ...] = (
    ("gap", N_("An entry is missing from the sequence.")),
    ("does not link", N_("An entry does not link to the entry before it.")),
    ("content does not match", N_("An entry's content was changed after it was written.")),
    ("the log ends", N_("The log does not end where its head says it does.")),
    ("the last entry", N_("The last entry is not the one the log's head names.")),
    ("entries lie beyond", N_("Entries lie beyond the log's head.")),
)
UNKNOWN_REASON = N_("An entry does not verify.")


def chain_reason(check: ChainCheck) -> str:
    """The msgid saying why the chain broke, or an empty string when it is intact."""
    if check.intact:
        return ""
    reason = check.reason or ""
    for start, message in CHAIN_REASONS:
        if reason.startswith(start):
            return message
    return UNKNOWN_REASON


@router.get(PAGE)
def monitoring_page(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> HTMLResponse:
    """The figures as tables, the weekly chart with its table, the chain's state, the exports."""
    try:
        board = views.monitoring_dashboard(person.principal)
    except ForbiddenError:
        return render(request, prefs, "desk_monitoring_only.html", status_code=403)
    context = {
        "board": board,
        "chart": chart(board.weeks, prefs.language),
        "series": SERIES,
        "chain_reason": chain_reason(board.chain.check),
        "words": words,
        "responsible": RESPONSIBLE,
        "hours": lambda value: _hours(value, prefs.language),
        "exports": {"figures": FIGURES_CSV, "weeks": WEEKS_CSV, "feed": FEED_JSONL},
    }
    return render(request, prefs, "desk_monitoring.html", context)


@router.get(FIGURES_CSV)
def figures_csv(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """The dashboard's figures, one per line: figure, subject (a status or a stage), value."""
    try:
        board = views.monitoring_dashboard(person.principal)
    except ForbiddenError:
        return render(request, prefs, "desk_monitoring_only.html", status_code=403)
    return _attachment(figures_text(board), "text/csv", _name("figures", board.at, "csv"))


@router.get(WEEKS_CSV)
def weeks_csv(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """The weekly series of the chart, one Almaty week (Monday to Sunday) per line."""
    try:
        board = views.monitoring_dashboard(person.principal)
    except ForbiddenError:
        return render(request, prefs, "desk_monitoring_only.html", status_code=403)
    return _attachment(weeks_text(board), "text/csv", _name("weeks", board.at, "csv"))


@router.get(FEED_JSONL)
def stage_log_jsonl(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """The whole §10 stage log, one chained entry per line as the API's feed gives it, read in
    batches so that a long log is never held in memory at once."""
    try:
        views.require_monitoring_reader(person.principal)
    except ForbiddenError:
        return render(request, prefs, "desk_monitoring_only.html", status_code=403)
    name = _name("stage-log", views.clock.now(), "jsonl")
    return StreamingResponse(
        _feed_lines(views),
        media_type="application/x-ndjson",
        headers=_download_headers(name),
    )


def figures_text(board: Dashboard) -> str:
    """The figures as CSV text."""
    rows: list[tuple[str, str, object]] = [("as_of", "", to_almaty(board.at).isoformat())]
    rows += [("applications", str(item.status), item.count) for item in board.statuses]
    rows.append(("applications", "total", board.total))
    for now in board.stages:
        rows += [
            ("open_stages", str(now.stage), now.open),
            ("overdue_stages", str(now.stage), now.overdue),
            ("most_working_days_late", str(now.stage), now.most_working_days_late),
        ]
    for timing in board.timings:
        rows += [
            ("stages_met_in_window", str(timing.stage), timing.settled),
            ("stages_met_late_in_window", str(timing.stage), timing.late),
            ("median_working_hours", str(timing.stage), _blank(timing.median_hours)),
            ("p90_working_hours", str(timing.stage), _blank(timing.p90_hours)),
        ]
    check = board.chain.check
    rows += [
        ("window_starts", "", board.window_starts.isoformat()),
        ("chain_intact", "", "yes" if check.intact else "no"),
        ("chain_entries_checked", "", check.checked),
        ("chain_first_broken_seq", "", _blank(check.first_broken_seq)),
        ("chain_checked_at", "", to_almaty(board.chain.checked_at).isoformat()),
    ]
    return _csv([("figure", "subject", "value"), *rows])


def weeks_text(board: Dashboard) -> str:
    """The weekly series as CSV text, oldest week first."""
    header = (
        "week_starts",
        "week_ends",
        "received",
        "permits",
        "refusals",
        "further_consideration_refused",
        "withdrawn",
        "decided",
        "stages_late",
    )
    rows = [
        (
            week.starts.isoformat(),
            week.ends.isoformat(),
            week.received,
            week.permits,
            week.refusals,
            week.further_consideration_refused,
            week.withdrawn,
            week.decided,
            week.stages_late,
        )
        for week in board.weeks
    ]
    return _csv([header, *rows])


def _feed_lines(views: PermitViews) -> Iterator[bytes]:
    after = 0
    while True:
        page = views.monitoring_feed(after, _FEED_BATCH)
        for entry in page:
            line = {
                "seq": entry.seq,
                "record": entry.record.to_json(),
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
            yield (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode()
        if len(page) < _FEED_BATCH:
            return
        after = page[-1].seq


def _hours(value: float | None, language: Language) -> str:
    """Working hours with one decimal in the language's way (2,5 in Kazakh and Russian)."""
    return "—" if value is None else format_decimal(value, "0.0", locale=language.babel_locale)


def _blank(value: float | int | None) -> object:
    return "" if value is None else value


def _csv(rows: list[tuple[object, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _name(what: str, at: datetime, extension: str) -> str:
    return f"kepil-monitoring-{what}-{to_almaty(at).date().isoformat()}.{extension}"


def _download_headers(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}


def _attachment(text: str, media_type: str, name: str) -> Response:
    return Response(
        text.encode(), media_type=f"{media_type}; charset=utf-8", headers=_download_headers(name)
    )
