"""`/api/v1/registry`: the public state registry of permit holders (Rules §11)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.bounds import MAX_OFFSET, Offset
from kepil.entrypoints.api.dependencies import BusDep, SessionDep, ViewsDep
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.entrypoints.api.schemas.registry import EntryOut, EntryWithHistoryOut, PageOut
from kepil.entrypoints.api.schemas.signed import SignedIn
from kepil.services.permits.ports import MAX_PAGE_SIZE, RegistryQuery
from kepil.services.permits.registry_status import ChangePermitStatus
from kepil.services.permits.views.registry import RegistryEntryView

router = APIRouter(prefix="/api/v1/registry", tags=["state registry"])

CSV_COLUMNS = (
    "registry_number", "permit_number", "application_number", "holder_name", "holder_iin_bin",
    "platform_name", "purpose", "addresses", "issued_on", "valid_until", "status",
    "status_reason",
)  # fmt: skip


def _filters(
    q: Annotated[str | None, Query(max_length=200, description="part of a name")] = None,
    iin_bin: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    platform: Annotated[str | None, Query(max_length=200)] = None,
    status: RegistryStatus | None = None,
) -> RegistryQuery:
    return RegistryQuery(q, iin_bin, platform, status)


FiltersDep = Annotated[RegistryQuery, Depends(_filters)]


def _query(
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Offset = 0,
) -> RegistryQuery:
    return replace(filters, limit=limit, offset=offset)


QueryDep = Annotated[RegistryQuery, Depends(_query)]


@dataclass(frozen=True, slots=True)
class Selection:
    """What an export writes: the matches from `query.offset` on, `limit` of them or all."""

    query: RegistryQuery
    limit: int | None


def _selection(
    filters: FiltersDep,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_OFFSET, description="at most this many entries; all when absent"),
    ] = None,
    offset: Offset = 0,
) -> Selection:
    return Selection(replace(filters, offset=offset), limit)


SelectionDep = Annotated[Selection, Depends(_selection)]


@router.get("", response_model=PageOut)
def search(query: QueryDep, views: ViewsDep) -> PageOut:
    """Search by name, IIN/BIN, platform and status; newest permits first."""
    return PageOut.model_validate(views.registry_page(query), from_attributes=True)


@router.get("/export.csv", response_class=StreamingResponse)
def export_csv(selection: SelectionDep, views: ViewsDep) -> StreamingResponse:
    """The matching entries as CSV (UTF-8 with BOM, so spreadsheet programs read Cyrillic);
    every one unless `limit` or `offset` page them."""
    day = views.registry_day()
    headers = {"content-disposition": f'attachment; filename="registry-{day}.csv"'}
    rows = _csv(views.registry_export(selection.query, selection.limit))
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/export.json", response_class=StreamingResponse)
def export_json(selection: SelectionDep, views: ViewsDep) -> StreamingResponse:
    """The matching entries as one JSON array, streamed; every one unless `limit` or `offset`
    page them."""
    day = views.registry_day()
    headers = {"content-disposition": f'attachment; filename="registry-{day}.json"'}
    rows = _json(views.registry_export(selection.query, selection.limit))
    return StreamingResponse(rows, media_type="application/json", headers=headers)


@router.get(
    "/{registry_number}",
    response_model=EntryWithHistoryOut,
    responses={404: {"model": ErrorResponse}},
)
def entry(registry_number: str, views: ViewsDep) -> EntryWithHistoryOut:
    """One entry with its status history."""
    found = views.registry_entry(registry_number)
    if found is None:
        raise ApiError(404, "not_found", f"no registry entry {registry_number}")
    return EntryWithHistoryOut.model_validate(found, from_attributes=True)


@router.post(
    "/{registry_number}/status",
    response_model=EntryWithHistoryOut,
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422)},
)
def change_status(
    registry_number: str, body: SignedIn, bus: BusDep, views: ViewsDep, signed_in: SessionDep
) -> EntryWithHistoryOut:
    """Suspend, reinstate or revoke a permit: `{"document_type": "permit_status_change",
    "registry_number", "permit_number", "action": "suspend" | "reinstate" | "revoke", "reason"}`,
    signed. The platforms' nodes apply the same signed document to the permit it names."""
    bus.handle(ChangePermitStatus(signed_in.principal, registry_number, body.der()))
    return entry(registry_number, views)


# Starlette sends each chunk of a streamed answer through the thread pool and the socket on its
# own: one row per chunk made a 1,000-row export 10 times slower than forming it (bench pages).
_CHUNK = 64 * 1024


def _plain(view: RegistryEntryView) -> dict[str, object]:
    return EntryOut.model_validate(view, from_attributes=True).model_dump(mode="json")


def _csv(rows: Iterator[RegistryEntryView]) -> Iterator[str]:
    # A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
    # OWASP's advice is to prefix it with a single quote so it is read as text.
    formula_starts = ("=", "+", "-", "@", "\t", "\r")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for view in rows:
        out = _plain(view)
        out["addresses"] = "; ".join(view.addresses)
        cells = ["" if out[column] is None else str(out[column]) for column in CSV_COLUMNS]
        writer.writerow([f"'{c}" if c.startswith(formula_starts) else c for c in cells])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json(rows: Iterator[RegistryEntryView]) -> Iterator[str]:
    parts, size = ["["], 1
    for index, view in enumerate(rows):
        text = json.dumps(_plain(view), ensure_ascii=False)
        parts.append(text if index == 0 else f",{text}")
        size += len(text) + 1
        if size >= _CHUNK:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("]")
    yield "".join(parts)
