"""The ledger's endpoints never hold the event loop: the permit service answers meanwhile."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.ledger import OPERATOR, Chain, genesis_payload

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app

BOUND = 10.0  # seconds any wait of this test may take at most


def test_a_permit_page_is_answered_while_a_ledger_submission_waits_for_its_block(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    app = create_app(bootstrap(settings))
    with TestClient(app) as client:
        node = app.state.ledger_node
        inside, release = threading.Event(), threading.Event()
        submit_bytes = node.submit_bytes

        def held(envelope: bytes | str) -> str:
            # The submission is held in the node, as it is while a block commits.
            inside.set()
            release.wait(BOUND)
            return submit_bytes(envelope)  # type: ignore[no-any-return]

        monkeypatch.setattr(node, "submit_bytes", held)
        envelope = Chain().tx(genesis_payload(), OPERATOR, chain=settings.ledger_chain_id)
        answers: dict[str, Any] = {}

        def request(name: str, method: str, path: str, **options: Any) -> None:
            answers[name] = client.request(method, path, **options)

        submitting = threading.Thread(
            target=request,
            args=("submission", "POST", "/api/v1/ledger/transactions"),
            kwargs={"content": envelope.to_bytes()},
        )
        reading = threading.Thread(target=request, args=("page", "GET", "/api/v1/registry"))
        submitting.start()
        try:
            assert inside.wait(BOUND), "the submission never reached the node"
            reading.start()
            reading.join(BOUND)
            page_answered_meanwhile = not reading.is_alive()
        finally:
            release.set()
            submitting.join(BOUND)
            reading.join(BOUND)
    assert page_answered_meanwhile, "the permit page waited for the ledger submission"
    assert answers["page"].status_code == 200
    assert answers["submission"].status_code == 202, answers["submission"].text
