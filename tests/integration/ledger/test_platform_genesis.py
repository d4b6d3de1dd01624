"""`kepil platform init`'s judge and builder: a genesis from the permit the Ministry signed.

The permit is judged by the real CmsPermitVerifier, as the nodes judge it; the genesis built
from it is run through the ledger's executor with that verifier, so "it will commit" is tested,
not assumed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from tests.support.ledger import CHAIN_ID, DAY, OPERATOR, T0, YEAR, Chain, fixture_key
from tests.support.ministry import Ministry, permit

from kepil.domain.canonical import canonical_bytes
from kepil.entrypoints.cli.errors import EXIT_INVALID, EXIT_UNREADABLE
from kepil.entrypoints.cli.platform_init_cmd import (
    NEWEST_RULES,
    OLDEST_RULES,
    PlatformInitError,
    check_permit,
    genesis_tx,
    read_permit_cms,
)
from kepil.ledger import Executor, default_registry, public_key_hex
from kepil.ledger.records import NodeKey
from kepil.ledger.sigrules import GENESIS_RULES, LATEST_RULES, rules_at

NODES = tuple(NodeKey(f"node-{i}", public_key_hex(fixture_key(f"node-{i}"))) for i in (1, 2, 3))


@pytest.fixture(scope="module")
def ministry() -> Ministry:
    """The TEST Ministry whose head signs the permits; the nodes trust its PKI."""
    return Ministry.create()


def test_a_permit_in_force_gives_a_genesis_that_commits_ok_listing_every_node(
    ministry: Ministry,
) -> None:
    cms = ministry.permit_document()
    found = check_permit(ministry.verifier(), cms, OPERATOR, T0)
    tx = genesis_tx(CHAIN_ID, found, fixture_key(OPERATOR), NODES, T0)

    chain = Chain(now=T0, executor=Executor(CHAIN_ID, default_registry(ministry.verifier())))
    assert chain.send(tx).code == "ok"
    meta = chain.view().chain()
    assert meta is not None
    assert meta.nodes == NODES
    assert (meta.platform, meta.operator) == ("Kepil", OPERATOR)  # named as the permit names
    assert chain.view().participant(OPERATOR).name == "Kepil Operator LLP"  # type: ignore[union-attr]


def test_a_new_platform_starts_under_the_latest_signature_rules(ministry: Ministry) -> None:
    found = check_permit(ministry.verifier(), ministry.permit_document(), OPERATOR, T0)
    chain = Chain(now=T0, executor=Executor(CHAIN_ID, default_registry(ministry.verifier())))
    assert chain.send(genesis_tx(CHAIN_ID, found, fixture_key(OPERATOR), NODES, T0)).ok
    assert rules_at(chain.view().signature_rules(), 1) == LATEST_RULES
    assert (OLDEST_RULES, NEWEST_RULES) == (GENESIS_RULES, LATEST_RULES)


def test_a_platform_for_older_nodes_keeps_signature_rules_1(ministry: Ministry) -> None:
    found = check_permit(ministry.verifier(), ministry.permit_document(), OPERATOR, T0)
    tx = genesis_tx(CHAIN_ID, found, fixture_key(OPERATOR), NODES, T0, signature_rules=1)
    assert "signature_rules" not in tx.unsigned.payload  # written as older software writes it
    chain = Chain(now=T0, executor=Executor(CHAIN_ID, default_registry(ministry.verifier())))
    assert chain.send(tx).ok
    assert chain.view().signature_rules() is None


def test_without_an_operator_bin_the_permits_holder_is_the_operator(ministry: Ministry) -> None:
    found = check_permit(ministry.verifier(), ministry.permit_document(), None, T0)
    assert found.facts.holder == OPERATOR


def test_a_permit_signed_under_anchors_the_nodes_do_not_trust_is_refused(
    ministry: Ministry,
) -> None:
    stranger = Ministry.create()  # a CA made a moment ago, as in issue 21's forgery
    with pytest.raises(PlatformInitError, match="permit_signer_untrusted") as refused:
        check_permit(ministry.verifier(), stranger.permit_document(), OPERATOR, T0)
    assert refused.value.code == EXIT_INVALID


def test_a_permit_signed_for_another_bin_than_the_ministrys_is_refused(
    ministry: Ministry,
) -> None:
    with pytest.raises(PlatformInitError, match="permit_signer_not_ministry"):
        check_permit(ministry.verifier("120440056787"), ministry.permit_document(), None, T0)


def test_a_permit_held_by_another_than_the_operator_is_refused(ministry: Ministry) -> None:
    with pytest.raises(PlatformInitError, match="held by 150640123452, not the operator"):
        check_permit(ministry.verifier(), ministry.permit_document(), "120440056787", T0)


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (T0 - 30 * DAY, "valid from 2025-12-31"),
        (T0 + 3 * YEAR + DAY, "until the end of 2028-12-31"),
    ],
)
def test_a_permit_not_in_force_now_is_refused_with_its_dates(
    ministry: Ministry, moment: int, why: str
) -> None:
    with pytest.raises(PlatformInitError, match="not in force now") as refused:
        check_permit(ministry.verifier(), ministry.permit_document(), OPERATOR, moment)
    assert why in str(refused.value)


def test_the_permit_file_must_be_what_the_cms_signs(ministry: Ministry, tmp_path: Path) -> None:
    document = permit()
    (tmp_path / "permit.p7s").write_bytes(ministry.permit_document(document))
    (tmp_path / "permit.json").write_bytes(canonical_bytes(document.to_canonical_dict()))
    other = dataclasses.replace(document, issue_date=date(2026, 1, 5))
    (tmp_path / "other.json").write_bytes(canonical_bytes(other.to_canonical_dict()))

    cms = read_permit_cms(tmp_path / "permit.p7s", tmp_path / "permit.json")
    assert cms == (tmp_path / "permit.p7s").read_bytes()
    with pytest.raises(PlatformInitError, match="does not sign the bytes of"):
        read_permit_cms(tmp_path / "permit.p7s", tmp_path / "other.json")


def test_a_detached_signature_is_not_a_permit_for_genesis(
    ministry: Ministry, tmp_path: Path
) -> None:
    content = canonical_bytes(permit().to_canonical_dict())
    (tmp_path / "permit.json").write_bytes(content)
    (tmp_path / "permit.p7s").write_bytes(ministry.sign(content, detached=True))
    with pytest.raises(PlatformInitError, match="detached") as refused:
        read_permit_cms(tmp_path / "permit.p7s", tmp_path / "permit.json")
    assert refused.value.code == EXIT_UNREADABLE


def test_an_unreadable_cms_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlatformInitError, match=r"missing\.p7s") as refused:
        read_permit_cms(tmp_path / "missing.p7s", None)
    assert refused.value.code == EXIT_UNREADABLE
