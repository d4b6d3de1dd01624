"""The documented bounds of the API's integer parameters.

An integer past what the database's 64-bit integers hold reaches the driver as an overflow;
bounding every integer at the edge turns it into a 422 that names the parameter, and puts the
bound in the OpenAPI for clients.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# A page further than this is no page anyone reads; it also keeps OFFSET cheap to refuse.
MAX_OFFSET = 1_000_000_000
# The largest sequence number or block height: SQLite's INTEGER and PostgreSQL's bigint.
MAX_POSITION = 2**63 - 1

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"entries to skip, at most {MAX_OFFSET:,}")
]
