"""A platform node (`kepil node`) serves the explorer pages for its own replica: kk and ru, the
portal's templates with a navigation holding only what a node serves, pages for its errors."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kepil.entrypoints.node.config import NodeConfig
from kepil.entrypoints.node.process import create_node_app

# Addresses of portal pages a node does not serve: a link to one would 404 there.
PORTAL_ONLY = ("/login", "/logout", "/cabinet", "/registry", "/service", "/check", "/desk")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def single_member(directory: Path) -> NodeConfig:
    """A node alone in its network, on free loopback ports, its files under `directory`."""
    return NodeConfig(
        path=directory / "node.toml",
        name="node-1",
        chain_id="kepil-local",
        data_dir=directory / "node-1",
        api_host="127.0.0.1",
        api_port=_free_port(),
        raft=f"127.0.0.1:{_free_port()}",
        peers=(),
        password="a test cluster password",  # a test fixture, no secret
    )


@pytest.fixture
def config(tmp_path: Path) -> NodeConfig:
    return single_member(tmp_path)


@pytest.fixture
def client(config: NodeConfig) -> Iterator[TestClient]:
    with TestClient(create_node_app(config)) as test_client:
        yield test_client


def header(page: str) -> str:
    """The page's header, where the navigation and the sign-in link would be."""
    return page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


@pytest.mark.parametrize(
    ("lang", "heading", "members"),
    [("kk", "Тізілім шолушысы", "Желі мүшелері"), ("ru", "Обозреватель реестра", "Участники сети")],
)
def test_a_node_answers_its_explorer_overview_in_each_language(
    client: TestClient, config: NodeConfig, lang: str, heading: str, members: str
) -> None:
    page = client.get(f"/explorer?lang={lang}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page.text
    assert f"<h1>{heading}</h1>" in page.text
    # The network's members as its consensus sees them: here the node alone, itself.
    assert members in page.text
    assert f"<code>{config.raft}</code>" in page.text


def test_a_node_links_no_portal_page_and_offers_no_sign_in(client: TestClient) -> None:
    # The portal on the same host sends its session cookie to the node's port too.
    client.cookies.set("kepil_session", "a portal's session")
    for address in ("/explorer?lang=ru", "/explorer/blocks/7?lang=kk", "/nowhere?lang=ru"):
        page = client.get(address)
        links = set(re.findall(r'(?:href|action)="([^"?]*)', page.text))
        portal = [link for link in links if link == "/" or link.startswith(PORTAL_ONLY)]
        assert portal == [], address
        assert 'href="/explorer"' in header(page.text), address


def test_a_missing_block_on_a_node_is_a_404_page_in_the_persons_language(
    client: TestClient,
) -> None:
    page = client.get("/explorer/blocks/7?lang=ru")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Такого блока нет" in page.text
    unknown = client.get("/explorer/nowhere?lang=kk")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert '<html lang="kk">' in unknown.text


def test_a_node_s_own_address_leads_to_its_explorer(client: TestClient) -> None:
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 307
    assert home.headers["location"] == "/explorer"


def test_a_node_keeps_its_machine_answers_in_json(client: TestClient) -> None:
    assert client.get("/static/site.css").status_code == 200
    missing = client.get("/api/v1/ledger/blocks/7")
    assert missing.status_code in (404, 503)
    assert missing.headers["content-type"].startswith("application/json")
    assert client.get("/healthz").json()["node"] == "node-1"
