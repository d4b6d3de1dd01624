"""Whose signature binds whom: oneself always, a legal entity only by its head or signatory."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.support.signatures import principal

BIN, IIN, OTHER = "120440056787", "900101300126", "990340001234"


@pytest.mark.parametrize("role", ["head", "signer"])
def test_the_first_head_and_a_signatory_sign_for_the_entity(role: str) -> None:
    assert principal(IIN, BIN, role).may_sign_for(BIN)


@pytest.mark.parametrize("role", ["employee", "hr", "finance_signer", "organization", None])
def test_anyone_else_of_the_entity_does_not(role: str | None) -> None:
    signer = replace(principal(IIN, BIN), role=role)
    assert not signer.may_sign_for(BIN)
    assert signer.may_sign_for(IIN)


def test_an_entrepreneur_signs_for_the_own_business_whatever_its_number() -> None:
    assert principal(IIN, IIN, "entrepreneur").may_sign_for(IIN)
    assert principal(IIN, BIN, "entrepreneur").may_sign_for(BIN)


def test_nobody_signs_for_a_number_the_certificate_does_not_name() -> None:
    assert not principal(IIN, BIN, "head").may_sign_for(OTHER)
