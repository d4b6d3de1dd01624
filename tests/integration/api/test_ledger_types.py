"""The ledger API publishes every transaction type's payload schema: in the OpenAPI of the
submission, and at GET /api/v1/ledger/types."""

from __future__ import annotations

import jsonschema_rs
from tests.integration.permits.portal import Portal

from kepil.ledger import PAYLOAD_TYPES
from kepil.ledger.schemas import payload_schema


def test_the_openapi_names_each_types_payload_schema_in_the_transaction_submission(
    sqlite_portal: Portal,
) -> None:
    document = sqlite_portal.client.get("/openapi.json").json()
    submit = document["paths"]["/api/v1/ledger/transactions"]["post"]
    envelope = submit["requestBody"]["content"]["application/json"]["schema"]
    branches = envelope["properties"]["body"]["oneOf"]
    by_type = {b["properties"]["type"]["const"]: b["properties"]["payload"] for b in branches}
    assert by_type.keys() == PAYLOAD_TYPES.keys()
    assert by_type["transfer"] == payload_schema("transfer")
    assert "/api/v1/ledger/types" in document["paths"]


def test_the_types_endpoint_lists_every_type_with_its_schema_and_signers(
    sqlite_portal: Portal,
) -> None:
    answer = sqlite_portal.client.get("/api/v1/ledger/types")
    assert answer.status_code == 200
    types = {t["type"]: t for t in answer.json()["types"]}
    assert types.keys() == PAYLOAD_TYPES.keys()
    swap = types["swap"]
    assert swap["signed_by"] == "payload.a.party and payload.b.party"
    validator = jsonschema_rs.Draft202012Validator(swap["payload_schema"])
    assert not validator.is_valid({"a": {"party": "1", "asset": "x", "amount": 1}})
    one = sqlite_portal.client.get("/api/v1/ledger/types/permit_status")
    assert one.status_code == 200
    assert one.json()["signed_by"] == "ministry"
    missing = sqlite_portal.client.get("/api/v1/ledger/types/teleport")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
