"""What `/api/v1/permits/{permit_number}/platforms` takes and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from kepil.entrypoints.api.schemas.base import AlmatyModel
from kepil.services.bridge.platforms import MAX_NAME, MAX_NODES, MAX_URL


class PlatformIn(BaseModel):
    """A platform running under the permit: its chain and its nodes' base URLs."""

    name: str = Field(default="", max_length=MAX_NAME, description="default: the chain id")
    chain_id: str = Field(min_length=1, max_length=100)
    nodes: list[str] = Field(
        min_length=1,
        max_length=MAX_NODES,
        description="base URLs, http:// or https://, without user or password",
        json_schema_extra={"items": {"type": "string", "maxLength": MAX_URL}},
    )


class PlatformNodesIn(BaseModel):
    """A registered platform's new node list (and name; the present one when empty)."""

    name: str = Field(default="", max_length=MAX_NAME, description="default: unchanged")
    nodes: list[str] = Field(
        min_length=1,
        max_length=MAX_NODES,
        description="base URLs, http:// or https://, without user or password",
        json_schema_extra={"items": {"type": "string", "maxLength": MAX_URL}},
    )


class DeliveryOut(AlmatyModel):
    """Where one registry change stands for the platform."""

    change_id: int
    action: str
    recorded_at: datetime
    state: Literal["pending", "failing", "delivered", "superseded", "refused", "abandoned"]
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    height: int | None = Field(description="the block that applied (or refused) it")
    code: str | None = Field(
        description="the ledger's result: ok, or permit_change_replayed / stale_nonce confirmed by "
        "reading the chain's permit back (delivered, superseded); for a refused change the code "
        "it met, permit_change_not_applied when the chain moved past it without applying it"
    )
    delivered_at: datetime | None
    tx_id: str | None


class PlatformOut(AlmatyModel):
    """A platform registered for the permit, with each change's delivery, oldest first."""

    id: int
    permit_number: str
    name: str
    chain_id: str
    nodes: list[str]
    registered_at: datetime
    deliveries: list[DeliveryOut]
