"""`/api/v1/permits/{permit_number}/platforms`: where the registry's changes are relayed."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kepil.entrypoints.api.dependencies import BusDep, ContainerDep, SessionDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.schemas.platforms import PlatformIn, PlatformNodesIn, PlatformOut
from kepil.services.permits.platforms import (
    AbandonDelivery,
    ChangePlatform,
    RegisterPlatform,
    RemovePlatform,
    platforms_of,
)

router = APIRouter(prefix="/api/v1/permits", tags=["platforms"])


@router.post(
    "/{permit_number}/platforms",
    status_code=201,
    response_model=PlatformOut,
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422)},
)
def register(
    permit_number: str, body: PlatformIn, bus: BusDep, signed_in: SessionDep
) -> PlatformOut:
    """Register a platform for the permit (its holder, or an official with registry duties):
    every later status change of the permit is relayed to its nodes, and the latest
    suspension or revocation made before."""
    command = RegisterPlatform(
        permit_number, body.name, body.chain_id, tuple(body.nodes), signed_in.principal
    )
    return PlatformOut.model_validate(bus.handle(command), from_attributes=True)


@router.get(
    "/{permit_number}/platforms",
    response_model=list[PlatformOut],
    responses={code: {"model": ErrorResponse} for code in (401, 404)},
)
def listed(permit_number: str, app: ContainerDep, signed_in: SessionDep) -> list[PlatformOut]:
    """The permit's platforms with each change's delivery: pending, failing (the last error,
    the next attempt) or delivered (the block height and the ledger's code)."""
    found = platforms_of(permit_number, signed_in.principal, app.uow())
    return [PlatformOut.model_validate(p, from_attributes=True) for p in found]


@router.put(
    "/{permit_number}/platforms/{platform_id}",
    response_model=PlatformOut,
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 422)},
)
def change(
    permit_number: str,
    platform_id: int,
    body: PlatformNodesIn,
    bus: BusDep,
    signed_in: SessionDep,
) -> PlatformOut:
    """Give the platform other nodes (its holder with the right of signature, or an official
    with registry duties): the changes still on their way are tried again at once."""
    command = ChangePlatform(
        permit_number, platform_id, body.name, tuple(body.nodes), signed_in.principal
    )
    return PlatformOut.model_validate(bus.handle(command), from_attributes=True)


@router.delete(
    "/{permit_number}/platforms/{platform_id}",
    status_code=204,
    response_class=Response,
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404)},
)
def remove(permit_number: str, platform_id: int, bus: BusDep, signed_in: SessionDep) -> Response:
    """Stop relaying the permit's changes to the platform; what is not delivered is abandoned
    (the platform and its history stay on record; registering the chain again revives it)."""
    bus.handle(RemovePlatform(permit_number, platform_id, signed_in.principal))
    return Response(status_code=204)


@router.post(
    "/{permit_number}/platforms/{platform_id}/deliveries/{change_id}/abandon",
    response_model=PlatformOut,
    responses={code: {"model": ErrorResponse} for code in (401, 403, 404, 409)},
)
def abandon(
    permit_number: str, platform_id: int, change_id: int, bus: BusDep, signed_in: SessionDep
) -> PlatformOut:
    """An official with registry duties stops one change's delivery, so it no longer holds
    back the platform's later changes (409 `delivery_settled` when it is not on its way)."""
    command = AbandonDelivery(permit_number, platform_id, change_id, signed_in.principal)
    return PlatformOut.model_validate(bus.handle(command), from_attributes=True)
