"""The ledger explorer: public pages in Kazakh and Russian over the embedded node, showing what
transactions sent through the ledger API committed."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.web.explorer_story import Story, commit, explorer_app, tell_story
from tests.support.ledger import AGENT, ALICE, BOB, ISSUER, OPERATOR, PLEDGEE, WHEAT

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app
from kepil.ledger.handlers.holdings import Transfer


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(explorer_app(database_url, tmp_path)) as test_client:
        yield test_client


@pytest.fixture
def story(client: TestClient) -> Story:
    return tell_story(client)


def plain(markup: str) -> str:
    """The text of `markup`: tags removed and spaces collapsed, for sentences spanning tags."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def main(page: str) -> str:
    """The text of the page's <main>."""
    return plain(page.split('<main id="main" tabindex="-1">', 1)[1].split("</main>", 1)[0])


def test_the_overview_shows_the_platform_its_permit_the_nodes_and_the_latest_blocks(
    client: TestClient, story: Story
) -> None:
    page = client.get("/explorer?lang=ru")
    assert page.status_code == 200
    text = main(page.text)
    assert "Kepil test platform" in text
    assert "KZ-PERMIT-0001" in text
    assert "Действует" in text
    assert f'href="/explorer/accounts/{OPERATOR}"' in page.text
    # Thirteen transactions, one block each: the newest is at height 12, ten are listed.
    assert 'href="/explorer/blocks/12"' in page.text
    assert 'href="/explorer/blocks/2"' not in page.text.split("Последние блоки", 1)[1]
    # node-1 is this node, signing with the key the genesis lists; node-2 never ran.
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    node_1, node_2 = rows.split("</tr>")[:2]
    assert "node-1" in node_1
    assert 'href="/explorer/blocks/12"' in node_1
    assert "node-2" in node_2
    assert "Нет контрольной точки" in node_2


def test_the_overview_before_genesis_says_the_platform_has_not_started(client: TestClient) -> None:
    page = client.get("/explorer?lang=kk")
    assert page.status_code == 200
    assert "генезис блогы жоқ" in page.text


def test_a_search_goes_to_the_page_of_what_was_typed(client: TestClient) -> None:
    tx_id = "ab" * 32
    expected = {
        "12": "/explorer/blocks/12",
        ALICE: f"/explorer/accounts/{ALICE}",
        tx_id.upper(): f"/explorer/tx/{tx_id}",
        WHEAT: f"/explorer/assets/{WHEAT}",
    }
    for typed, target in expected.items():
        answer = client.get("/explorer", params={"q": typed}, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, target)
    wrong = client.get("/explorer", params={"q": "<b>нет</b>", "lang": "ru"})
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in wrong.text
    assert "&lt;b&gt;нет&lt;/b&gt;" in wrong.text


def test_a_block_lists_its_transactions_with_result_codes_and_its_checkpoint(
    client: TestClient, story: Story
) -> None:
    refused = client.get("/explorer/blocks/12?lang=ru")
    assert refused.status_code == 200
    assert "Блок 12" in refused.text
    assert f'href="/explorer/tx/{story.ids["refused"]}"' in refused.text
    assert "insufficient_units" in refused.text
    assert 'href="/explorer/blocks/11"' in refused.text
    checkpoints = refused.text.split("Контрольные точки", 1)[1]
    assert "node-1" in checkpoints
    assert "node-2" not in checkpoints
    genesis = client.get("/explorer/blocks/0?lang=kk")
    assert f'href="/explorer/tx/{story.ids["genesis"]}"' in genesis.text
    assert 'href="/explorer/blocks/-1"' not in genesis.text


def test_a_block_not_yet_made_is_a_404_page_in_the_language(
    client: TestClient, story: Story
) -> None:
    missing = client.get("/explorer/blocks/13?lang=ru")
    assert missing.status_code == 404
    assert "В цепочке пока нет блока на высоте 13." in missing.text


def test_a_transaction_shows_its_result_signers_and_payload(
    client: TestClient, story: Story
) -> None:
    page = client.get(f"/explorer/tx/{story.ids['encumber']}?lang=ru")
    assert page.status_code == 200
    text = main(page.text)
    assert "В блоке" in text
    assert "применена" in text
    signers = page.text.split("Подписанты", 1)[1].split("</table>", 1)[0]
    assert f'href="/explorer/accounts/{ALICE}"' in signers
    assert f'href="/explorer/accounts/{PLEDGEE}"' in signers
    assert f'href="/explorer/pledges/{story.pledge}"' in page.text
    payload = html.unescape(page.text.split('class="payload">', 1)[1].split("</pre>", 1)[0])
    assert f'"pledgee": "{PLEDGEE}"' in payload
    assert '"type"' not in payload  # the payload, not the whole body


def test_a_refused_transaction_names_its_code_and_says_nothing_changed(
    client: TestClient, story: Story
) -> None:
    page = client.get(f"/explorer/tx/{story.ids['refused']}?lang=kk")
    assert page.status_code == 200
    assert "insufficient_units" in page.text
    assert "ештеңе өзгерген жоқ" in page.text


def test_a_transaction_the_node_never_saw_is_a_404_page(client: TestClient) -> None:
    page = client.get(f"/explorer/tx/{'0f' * 32}?lang=ru")
    assert page.status_code == 404
    assert "Неизвестна этому узлу" in page.text
    assert client.get("/explorer/tx/not-hex?lang=ru").status_code == 422


def test_an_account_shows_its_holdings_in_the_class_units_and_its_participant_record(
    client: TestClient, story: Story
) -> None:
    page = client.get(f"/explorer/accounts/{ALICE}?lang=ru")
    assert page.status_code == 200
    holdings = plain(page.text.split("Активы на счёте", 1)[1].split("</table>", 1)[0])
    # 1000.5 kg issued, 250 kg sent to Bob, 100 kg pledged, 50 kg locked in escrow.
    assert "600.500 kg" in holdings
    assert "100.000 kg" in holdings
    assert "50.000 kg" in holdings
    assert "Wheat, class 3, 2026 harvest" in holdings
    assert "Держатель единиц" in page.text
    assert "ТОО «Участник" in page.text


def test_an_account_lists_the_pledges_and_escrows_locking_its_units(
    client: TestClient, story: Story
) -> None:
    alice = client.get(f"/explorer/accounts/{ALICE}?lang=ru")
    locks = alice.text.split("В залоге и в эскроу", 1)[1].split("</table>", 1)[0]
    assert f'href="/explorer/pledges/{story.pledge}"' in locks
    assert f'href="/explorer/escrows/{story.escrow}"' in locks
    assert f'Залогодержатель: <a href="/explorer/accounts/{PLEDGEE}">' in locks
    assert f'Покупатель: <a href="/explorer/accounts/{BOB}">' in locks
    # Bob is the buyer, not the seller: nothing of his is locked.
    assert "В залоге и в эскроу" not in client.get(f"/explorer/accounts/{BOB}?lang=ru").text


def test_an_account_history_is_newest_first_and_pages_back_to_the_first(
    client: TestClient, story: Story
) -> None:
    ids: list[str] = []
    address = f"/explorer/accounts/{ALICE}?lang=ru"
    for _ in range(10):
        page = client.get(address)
        ids += re.findall(r'<td class="hash"><a href="/explorer/tx/([0-9a-f]{64})">', page.text)
        older = re.search(r'href="(/explorer/accounts/\d{12}\?before=\d+)"', page.text)
        if older is None:
            break
        address = older.group(1)
    wanted = ["refused", "escrow_open", "encumber", "transfer", "issue", "admit_alice"]
    assert ids == [story.ids[name] for name in wanted]


def test_an_account_history_pages_by_twenty(client: TestClient, story: Story) -> None:
    for n in range(20):
        assert (
            commit(client, story.signer.tx(Transfer(WHEAT, BOB, ALICE, 1 + n, None), BOB)) == "ok"
        )
    first = client.get(f"/explorer/accounts/{BOB}")
    assert len(re.findall(r'href="/explorer/tx/', first.text)) == 20
    older = re.search(r'href="(/explorer/accounts/\d{12}\?before=\d+)"', first.text)
    assert older is not None
    second = client.get(older.group(1))
    # Bob's admission, Alice's transfer, the escrow naming him, the refused transfer: 4 more.
    assert len(re.findall(r'href="/explorer/tx/', second.text)) == 4
    assert f'href="/explorer/accounts/{BOB}"' in second.text  # back to the newest


def test_an_asset_class_shows_its_kind_backing_documents_issuer_and_supply(
    client: TestClient, story: Story
) -> None:
    page = client.get(f"/explorer/assets/{WHEAT}?lang=ru")
    assert page.status_code == 200
    text = main(page.text)
    assert "Товары" in text
    assert "Право собственности на товар" in text
    assert "Warehouse receipt No. 17" in text
    assert "ab" * 32 in text
    assert f'href="/explorer/accounts/{ISSUER}"' in page.text
    assert f'href="/explorer/tx/{story.ids["agreement"]}"' in page.text
    assert "1000.500 kg" in text  # outstanding and issued
    missing = client.get("/explorer/assets/NO-SUCH?lang=ru")
    assert missing.status_code == 404
    assert "NO-SUCH" in missing.text


def test_an_open_pledge_and_escrow_show_their_parties_and_units(
    client: TestClient, story: Story
) -> None:
    pledge = client.get(f"/explorer/pledges/{story.pledge}?lang=ru")
    assert pledge.status_code == 200
    assert f'href="/explorer/accounts/{PLEDGEE}"' in pledge.text
    assert "100.000 kg" in pledge.text
    assert "7e" * 32 in pledge.text
    escrow = client.get(f"/explorer/escrows/{story.escrow}?lang=kk")
    assert escrow.status_code == 200
    for party in (ALICE, BOB, AGENT):
        assert f'href="/explorer/accounts/{party}"' in escrow.text
    assert "50.000 kg" in escrow.text
    assert "inv-7" in escrow.text
    gone = client.get(f"/explorer/pledges/{story.escrow}?lang=ru")
    assert gone.status_code == 404
    assert f'href="/explorer/tx/{story.escrow}"' in gone.text


def test_the_explorer_is_public_and_linked_from_the_navigation(
    client: TestClient, story: Story
) -> None:
    page = client.get("/registry")
    nav = page.text.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/explorer"' in nav
    explorer = client.get("/explorer")
    assert explorer.status_code == 200  # nobody signed in
    assert 'href="/explorer" aria-current="page"' in explorer.text


def test_a_server_without_a_ledger_node_says_so(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path, ledger_enabled=False)
    with TestClient(create_app(bootstrap(settings))) as bare:
        page = bare.get("/explorer/blocks/0?lang=ru")
    assert page.status_code == 503
    assert "не работает узел реестра" in page.text
