"""`/api/v1/registry`: the public state registry of permit holders (Rules §11)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.entrypoints.api.routers.auth import SessionDep
from kepil.entrypoints.api.signed import SignedIn
from kepil.services.permits import registry, registry_status
from kepil.services.permits.ports import MAX_PAGE_SIZE, RegistryQuery

router = APIRouter(prefix="/api/v1/registry", tags=["state registry"])

CSV_COLUMNS = (
    "registry_number", "permit_number", "application_number", "holder_name", "holder_iin_bin",
    "platform_name", "purpose", "addresses", "issued_on", "valid_until", "status",
    "status_reason",
)  # fmt: skip


class StatusChangeOut(BaseModel):
    """One line of an entry's history."""

    at: datetime
    status: RegistryStatus
    reason: str
    actor: str


class EntryOut(BaseModel):
    """A permit holder as the registry shows it today."""

    registry_number: str
    permit_number: str
    application_number: str
    holder_name: str
    holder_iin_bin: str
    platform_name: str
    purpose: str
    addresses: list[str]
    issued_on: date
    valid_until: date
    status: RegistryStatus
    status_reason: str


class EntryWithHistoryOut(EntryOut):
    """An entry and every status change it went through."""

    history: list[StatusChangeOut]


class PageOut(BaseModel):
    """A page of entries and the count of all that match."""

    items: list[EntryOut]
    total: int
    limit: int
    offset: int
    as_of: date


def _query(
    q: Annotated[str | None, Query(max_length=200, description="part of a name")] = None,
    iin_bin: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    platform: Annotated[str | None, Query(max_length=200)] = None,
    status: RegistryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RegistryQuery:
    return RegistryQuery(q, iin_bin, platform, status, limit, offset)


QueryDep = Annotated[RegistryQuery, Depends(_query)]


@router.get("", response_model=PageOut)
def search(query: QueryDep, app: ContainerDep) -> PageOut:
    """Search by name, IIN/BIN, platform and status; newest permits first."""
    page = registry.search_registry(query, app.uow(), app.clock)
    items = [_out(entry, page.as_of) for entry in page.entries]
    return PageOut(
        items=items, total=page.total, limit=query.limit, offset=query.offset, as_of=page.as_of
    )


@router.get("/export.csv", response_class=StreamingResponse)
def export_csv(query: QueryDep, app: ContainerDep) -> StreamingResponse:
    """Every matching entry as CSV (UTF-8 with BOM, so spreadsheet programs read Cyrillic)."""
    day = registry.today(app.clock)
    rows = registry.export_registry(query, app.uow(), app.clock)
    headers = {"content-disposition": f'attachment; filename="registry-{day}.csv"'}
    return StreamingResponse(_csv(rows, day), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/export.json", response_class=StreamingResponse)
def export_json(query: QueryDep, app: ContainerDep) -> StreamingResponse:
    """Every matching entry as one JSON array, streamed."""
    day = registry.today(app.clock)
    rows = registry.export_registry(query, app.uow(), app.clock)
    headers = {"content-disposition": f'attachment; filename="registry-{day}.json"'}
    return StreamingResponse(_json(rows, day), media_type="application/json", headers=headers)


@router.get(
    "/{registry_number}",
    response_model=EntryWithHistoryOut,
    responses={404: {"model": ErrorResponse}},
)
def entry(registry_number: str, app: ContainerDep) -> EntryWithHistoryOut:
    """One entry with its status history."""
    found = registry.registry_entry(registry_number, app.uow())
    if found is None:
        raise ApiError(404, "not_found", f"no registry entry {registry_number}")
    base = _out(found, registry.today(app.clock))
    history = [StatusChangeOut(at=h.at, status=h.status, reason=h.reason, actor=h.actor)
               for h in found.history]  # fmt: skip
    return EntryWithHistoryOut(**base.model_dump(), history=history)


@router.post(
    "/{registry_number}/status",
    response_model=EntryWithHistoryOut,
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422)},
)
def change_status(
    registry_number: str, body: SignedIn, app: ContainerDep, signed_in: SessionDep
) -> EntryWithHistoryOut:
    """Suspend, reinstate or revoke a permit: `{"document_type": "permit_status_change",
    "registry_number", "action": "suspend" | "reinstate" | "revoke", "reason"}`, signed."""
    cms = body.der()
    command = registry_status.ChangePermitStatus(signed_in[1].principal, registry_number, cms)
    registry_status.change_permit_status(command, app.uow(), app.permits)
    return entry(registry_number, app)


def _out(entry: RegistryEntry, day: date) -> EntryOut:
    return EntryOut(
        registry_number=entry.registry_number,
        permit_number=entry.permit_number,
        application_number=entry.application_number,
        holder_name=entry.holder_name,
        holder_iin_bin=entry.holder_iin_bin,
        platform_name=entry.platform_name,
        purpose=entry.purpose,
        addresses=list(entry.addresses),
        issued_on=entry.issued_on,
        valid_until=entry.valid_until,
        status=entry.status_on(day),
        status_reason=entry.status_reason,
    )


def _csv(rows: Iterator[RegistryEntry], day: date) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    for entry in rows:
        out = _out(entry, day).model_dump(mode="json")
        out["addresses"] = "; ".join(out["addresses"])
        writer.writerow([out[column] for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _json(rows: Iterator[RegistryEntry], day: date) -> Iterator[str]:
    yield "["
    for index, entry in enumerate(rows):
        text = json.dumps(_out(entry, day).model_dump(mode="json"), ensure_ascii=False)
        yield text if index == 0 else f",{text}"
    yield "]"
