"""The registry entry page shows officials and the holder where each registry change stands for
each platform of the permit (issue 21), in Kazakh and Russian; the public sees none of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from tests.integration.permits.portal import Portal
from tests.integration.web.cabinet_portal import (
    CLERK,
    HEAD,
    change_permit_status,
    issue_permit,
    open_portal,
    portal_people,
)
from tests.support.pki import Person
from tests.support.web import sign_in_on_pages

from kepil.adapters.db.platform_repository import SqlRelayStore
from kepil.bootstrap import Container
from kepil.services.bridge.relay import Committed, Notice


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(
    database_url: str,
    tmp_path: Path,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Portal]:
    monkeypatch.setenv("KEPIL_RELAY", "off")  # the test moves the outbox itself
    with open_portal(database_url, tmp_path, people) as found:
        yield found


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_officials_see_each_platforms_delivery_state_on_the_registry_entry(
    portal: Portal,
) -> None:
    issue_permit(portal)
    entry = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()["items"][0]
    registry_number, permit = entry["registry_number"], entry["permit_number"]
    registered = portal.client.post(
        f"/api/v1/permits/{permit}/platforms",
        json={"name": "Grain Chain", "chain_id": "grain", "nodes": ["http://127.0.0.1:9"]},
        headers=portal.applicant.headers,
    )
    assert registered.status_code == 201, registered.text
    change_permit_status(portal, registry_number, "suspend")
    change_permit_status(portal, registry_number, "reinstate")
    container: Container = portal.client.app.state.container  # type: ignore[attr-defined]
    store, now = SqlRelayStore(container.engine), portal.clock.now()
    [suspension] = store.claim("relay", now, timedelta(seconds=60), 5)
    store.failed(suspension.id, "relay", "http://127.0.0.1:9: refused", now, now, None)
    [suspension] = store.claim("relay", now, timedelta(seconds=60), 5)
    told = Notice("permit_change_delivered", "применено", "қолданылды")
    store.delivered(suspension.id, "relay", Committed(12, "ok"), "ok", now, told)
    [reinstatement] = store.claim("relay", now, timedelta(seconds=60), 5)
    store.failed(reinstatement.id, "relay", "http://127.0.0.1:9: refused", now, now, None)

    public = _text(portal.client.get(f"/registry/{registry_number}?lang=ru").text)
    assert "Grain Chain" not in public

    sign_in_on_pages(portal.client, portal.officials[HEAD].auth, portal.clock.now())
    ru = _text(portal.client.get(f"/registry/{registry_number}", params={"lang": "ru"}).text)
    kk = _text(portal.client.get(f"/registry/{registry_number}", params={"lang": "kk"}).text)

    assert "Платформы, работающие по разрешению" in ru
    assert "Grain Chain (grain)" in ru
    assert "Приостановление" in ru
    assert "Применено в блоке 12 (ok)" in ru
    assert "Возобновление" in ru
    assert "Ещё не доставлено, попытки продолжаются" in ru
    assert "Последняя ошибка: http://127.0.0.1:9: refused." in ru
    assert "Рұқсат бойынша жұмыс істейтін платформалар" in kk
    assert "12 блогында қолданылды (ok)" in kk
    assert "Әлі жеткізілген жоқ, әрекеттер жалғасуда" in kk


def test_officials_see_a_refused_change_with_its_code_and_an_abandoned_one(
    portal: Portal,
) -> None:
    issue_permit(portal)
    entry = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()["items"][0]
    registry_number, permit = entry["registry_number"], entry["permit_number"]
    for chain in ("grain", "wheat"):
        registered = portal.client.post(
            f"/api/v1/permits/{permit}/platforms",
            json={"name": chain.title(), "chain_id": chain, "nodes": ["http://127.0.0.1:9"]},
            headers=portal.applicant.headers,
        )
        assert registered.status_code == 201, registered.text
    change_permit_status(portal, registry_number, "suspend")
    container: Container = portal.client.app.state.container  # type: ignore[attr-defined]
    store, now = SqlRelayStore(container.engine), portal.clock.now()
    grain, wheat = store.claim("relay", now, timedelta(seconds=60), 5)
    told = Notice("permit_change_refused", "отклонено", "қабылданбады")
    code = "permit_change_for_another_permit"
    assert store.delivered(grain.id, "relay", Committed(7, code), code, now, told, "refused")
    store.failed(wheat.id, "relay", "no node answered", now, now, None)
    clerk = portal.officials[CLERK]
    abandoned = portal.client.post(
        f"/api/v1/permits/{permit}/platforms/2/deliveries/1/abandon", headers=clerk.headers
    )
    assert abandoned.status_code == 200, abandoned.text

    sign_in_on_pages(portal.client, portal.officials[HEAD].auth, portal.clock.now())
    ru = _text(portal.client.get(f"/registry/{registry_number}", params={"lang": "ru"}).text)
    kk = _text(portal.client.get(f"/registry/{registry_number}", params={"lang": "kk"}).text)

    assert "Отклонено платформой" in ru
    assert f"Отклонено в блоке 7 ({code}); повторно не отправляется" in ru
    assert "Доставка прекращена" in ru
    assert "Должностное лицо прекратило эту доставку" in ru
    assert "Платформа қабылдамады" in kk
    assert f"7 блогында қабылданбады ({code}); қайта жіберілмейді" in kk
    assert "Жеткізу тоқтатылды" in kk
