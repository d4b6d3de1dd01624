"""A bounded schemathesis run over the whole OpenAPI, with and without an official's session:
no operation answers a 5xx or a status its OpenAPI does not list."""

from __future__ import annotations

import time
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from tests.integration.permits.portal import Portal

from kepil.domain.permits import PermitRole

EXAMPLES = 25  # per operation, valid and invalid requests mixed
BUDGET_SECONDS = 90
CHECKS = [not_a_server_error, status_code_conformance]
_REQUEST_FIELDS = ("method", "url", "headers", "params", "cookies", "json", "data", "files")


def _request(portal: Portal, case: Case, headers: dict[str, str] | None) -> Any:
    # Prepared as schemathesis would send it with `requests`: the exact bytes, any body.
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    prepared = requests.Request(
        **{key: sent.get(key) for key in _REQUEST_FIELDS if key in sent}
    ).prepare()
    return portal.client.request(
        prepared.method, prepared.url, headers=dict(prepared.headers), content=prepared.body
    )


def _sessions(portal: Portal, case: Case) -> list[dict[str, str] | None]:
    head = portal.officials[PermitRole.HEAD]
    if case.operation.label == "POST /api/v1/auth/logout":
        # Signing out ends the session: a fresh one, so the head's stays for the next cases.
        portal.login(head)
    return [None, head.headers]


def test_no_operation_answers_a_5xx_or_a_status_its_openapi_does_not_list(
    sqlite_portal: Portal,
) -> None:
    portal = sqlite_portal
    schema = schemathesis.openapi.from_dict(portal.client.get("/openapi.json").json())
    started = time.monotonic()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,  # the same requests on every run
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded even when failing
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def check(case: Case) -> None:
            for headers in _sessions(portal, case):
                response = _request(portal, case, headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except Exception as failure:  # every operation is tried, and every failure reported
            failures.append(f"{operation.label}: {failure}")
    assert failures == [], "\n\n".join(failures)
    assert time.monotonic() - started < BUDGET_SECONDS
