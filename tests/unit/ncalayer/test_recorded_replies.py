"""The stand-in answers the requests recorded from the real NCALayer as the real one did."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from tests.support.ncalayer import RECORDED, Keys, person_keys, stand_in

from kepil.entrypoints.ncalayer.protocol import Choice, pem_cms_der

_RECORDING = json.loads(RECORDED.read_text(encoding="utf-8"))
_SIGNATURE_STRIPPED = "Actual signature stripped to protect private data"
_CMS_STRIPPED = "-----BEGIN CMS-----\n-----END CMS-----\n"


@pytest.fixture(scope="module")
def keys() -> Keys:
    return person_keys()


def test_the_recording_comes_with_its_provenance() -> None:
    assert "sigex-kz/ncalayer-js-client" in _RECORDING["source"]
    assert json.loads(_RECORDING["greeting"])["result"]["version"]


@pytest.mark.parametrize("pair", _RECORDING["pairs"], ids=lambda pair: pair["what"])
def test_the_reply_has_the_recorded_shape_and_words(keys: Keys, pair: dict[str, Any]) -> None:
    request = pair["request"]
    if pair["person"] == "first":
        request = request.replace("AKKaztokenStore", "PKCS12")
    choice = Choice.CANCEL if pair["person"] == "cancel" else Choice.FIRST
    recorded = json.loads(pair["response"])

    reply = stand_in(keys.auth, keys.sign, choice=choice).reply(request)

    assert set(reply) == set(recorded)
    _same(reply, recorded)


def _same(reply: Any, recorded: Any) -> None:
    if recorded == _SIGNATURE_STRIPPED:
        assert base64.b64decode(reply, validate=True)[:1] == b"\x30"  # a DER SEQUENCE
    elif recorded == _CMS_STRIPPED:
        assert reply.startswith("-----BEGIN CMS-----\n")
        assert reply.endswith("\n-----END CMS-----\n")
        assert pem_cms_der(reply)[:1] == b"\x30"
    elif recorded == {"certNotBefore": "1"}:
        assert reply["certNotBefore"].isdigit()
    elif isinstance(recorded, dict):
        assert set(reply) >= set(recorded)
        for name, value in recorded.items():
            _same(reply[name], value)
    elif isinstance(recorded, list):
        assert isinstance(reply, list)
        assert len(reply) == len(recorded)
        for mine, theirs in zip(reply, recorded, strict=True):
            _same(mine, theirs)
    else:
        assert reply == recorded
