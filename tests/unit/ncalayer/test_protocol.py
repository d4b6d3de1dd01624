"""The stand-in's protocol: NCALayer's requests in, NCALayer's reply shapes out, no sockets."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.ncalayer import (
    IIN,
    OTHER_IIN,
    SIGN_IN_EKU,
    Keys,
    b64,
    person_keys,
    sign_request,
    stand_in,
    verify_result,
)
from tests.support.pki import session_pki

from kepil.entrypoints.ncalayer.protocol import (
    EKU_EMAIL_PROTECTION,
    GREETING,
    Choice,
    describe,
    key_info,
    pem_cms_der,
)
from kepil.signing.cms_verify import encapsulated_content
from kepil.signing.nca_profile import KeyKind

NONCE = b"challenge-nonce-7f3a"


@pytest.fixture(scope="module")
def keys() -> Keys:
    return person_keys()


def test_the_greeting_is_a_version_as_ncalayer_sends_before_any_request() -> None:
    assert set(GREETING) == {"result"}
    assert isinstance(GREETING["result"]["version"], str)


def test_sign_in_filtered_on_client_auth_is_an_attached_cms_of_the_authentication_key(
    keys: Keys,
) -> None:
    lines: list[str] = []
    reply = stand_in(keys.sign, keys.auth, log=lines.append).reply(
        sign_request(b64(NONCE), ekus=[SIGN_IN_EKU])
    )

    assert reply["status"] is True
    pem = reply["body"]["result"]
    assert pem.startswith("-----BEGIN CMS-----\n")
    assert pem.endswith("\n-----END CMS-----\n")
    verdict = verify_result(pem, KeyKind.AUTH)
    assert verdict.valid, verdict.errors
    assert verdict.content == NONCE
    assert verdict.sole_signer().iin == IIN
    assert verdict.sole_signer().serial_number == keys.auth.certificate.serial_number
    assert any("chose" in line for line in lines)


def test_filing_with_the_signing_eku_and_the_iin_is_signed_by_the_signing_key(keys: Keys) -> None:
    document = b'{"form": "App.2"}'
    reply = stand_in(keys.auth, keys.bare_sign, keys.sign).reply(
        sign_request(b64(document), ekus=[EKU_EMAIL_PROTECTION], iin=IIN)
    )

    verdict = verify_result(reply["body"]["result"], KeyKind.SIGN)
    assert verdict.valid, verdict.errors
    assert verdict.content == document
    assert verdict.sole_signer().serial_number == keys.sign.certificate.serial_number


def test_a_signing_key_without_email_protection_is_not_offered_for_filing(keys: Keys) -> None:
    reply = stand_in(keys.auth, keys.bare_sign).reply(
        sign_request(b64(b"x"), ekus=[EKU_EMAIL_PROTECTION])
    )

    assert reply == {"status": True, "body": {}}


def test_no_key_passing_the_filters_is_answered_as_closing_the_dialog(keys: Keys) -> None:
    lines: list[str] = []
    reply = stand_in(keys.sign, log=lines.append).reply(
        sign_request(b64(NONCE), ekus=[SIGN_IN_EKU])
    )

    assert reply == {"status": True, "body": {}}
    assert any("no offered key" in line for line in lines)


def test_cancel_in_the_dialog_is_an_empty_body_as_ncalayer_answers_it(keys: Keys) -> None:
    reply = stand_in(keys.auth, choice=Choice.CANCEL).reply(sign_request(b64(NONCE)))

    assert reply == {"status": True, "body": {}}


@pytest.mark.parametrize(
    ("signer", "offered"),
    [
        ({"iin": IIN}, True),
        ({"iin": OTHER_IIN}, False),
        ({"iin": ""}, True),
        ({"bin": "120440056787"}, False),
        ({"serialNumber": "0"}, False),
    ],
)
def test_signer_params_filter_the_keys_by_iin_bin_and_serial(keys: Keys, signer, offered) -> None:
    reply = stand_in(keys.auth).reply(sign_request(b64(NONCE), **signer))

    assert ("result" in reply["body"]) is offered


def test_the_serial_number_filter_finds_the_key_with_that_serial(keys: Keys) -> None:
    serial = format(keys.sign.certificate.serial_number, "X")
    reply = stand_in(keys.auth, keys.sign).reply(sign_request(b64(NONCE), serialNumber=serial))

    verdict = verify_result(reply["body"]["result"], KeyKind.SIGN)
    assert verdict.sole_signer().serial_number == keys.sign.certificate.serial_number


def test_a_chain_of_the_keys_own_ca_lets_it_through_and_another_ca_does_not(keys: Keys) -> None:
    own = b64(session_pki().issuing.public_bytes(Encoding.DER))
    other = b64(keys.auth.certificate.public_bytes(Encoding.DER))
    agent = stand_in(keys.auth)

    assert "result" in agent.reply(sign_request(b64(NONCE), chain=[own]))["body"]
    assert agent.reply(sign_request(b64(NONCE), chain=[other]))["body"] == {}


def test_storages_without_key_files_offer_no_key(keys: Keys) -> None:
    request = json.loads(sign_request(b64(NONCE)))
    request["args"]["allowedStorages"] = ["AKKaztokenStore", "AKKZIDCardStore"]

    assert stand_in(keys.auth).reply(json.dumps(request)) == {"status": True, "body": {}}


def test_detached_signing_leaves_the_content_out(keys: Keys) -> None:
    reply = stand_in(keys.auth).reply(sign_request(b64(NONCE), encapsulate=False))
    pem = reply["body"]["result"]

    assert verify_result(pem, KeyKind.AUTH, data=NONCE).valid
    assert encapsulated_content(pem_cms_der(pem)) is None


def test_data_that_is_not_to_be_decoded_is_signed_as_utf8_text(keys: Keys) -> None:
    request = json.loads(sign_request("Өтініш"))
    request["args"]["signingParams"]["decode"] = False

    reply = stand_in(keys.auth).reply(json.dumps(request))

    assert verify_result(reply["body"]["result"], KeyKind.AUTH).content == "Өтініш".encode()


def test_a_list_of_blocks_gives_a_list_of_signatures_in_order(keys: Keys) -> None:
    reply = stand_in(keys.auth).reply(sign_request([b64(b"one"), b64(b"two")]))

    contents = [verify_result(pem, KeyKind.AUTH).content for pem in reply["body"]["result"]]
    assert contents == [b"one", b"two"]


@pytest.mark.parametrize(
    ("change", "details"),
    [
        ({"format": "xml"}, "CMS only"),
        ({"data": 5}, 'JSONObject["data"]'),
        ({"data": "not base64!"}, "Illegal base64"),
        ({"signerParams": []}, 'JSONObject["signerParams"] is not a JSONObject.'),
        ({"allowedStorages": "PKCS12"}, 'JSONObject["allowedStorages"]'),
    ],
)
def test_requests_that_cannot_be_carried_out_are_invocation_errors(
    keys: Keys, change: dict[str, object], details: str
) -> None:
    request = json.loads(sign_request(b64(NONCE)))
    request["args"].update(change)

    reply = stand_in(keys.auth).reply(json.dumps(request))

    assert reply["status"] is False
    assert reply["code"] == "INVOCATION_ERROR"
    assert reply["message"] == "An invoked method threw an exception."
    assert details in reply["details"]


def test_signing_a_digest_is_refused_rather_than_signed_wrongly(keys: Keys) -> None:
    request = json.loads(sign_request(b64(b"\0" * 32)))
    request["args"]["signingParams"]["digested"] = True

    reply = stand_in(keys.auth).reply(json.dumps(request))

    assert (reply["status"], reply["code"]) == (False, "INVOCATION_ERROR")


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("{not json", "malformed request"),
        ("[1, 2]", "malformed request"),
        ('{"module": "kz.digiflow.mobile.extensions", "method": "getVersion"}', "module"),
        ('{"module": "kz.gov.pki.knca.commonUtils", "method": "signXml", "args": []}', "signXml"),
    ],
)
def test_malformed_and_unknown_requests_get_a_non_200_code(keys: Keys, message, words) -> None:
    reply = stand_in(keys.auth).reply(message)

    assert reply["code"] == "500"
    assert words in reply["message"]


def test_an_unknown_basics_method_is_a_failed_status(keys: Keys) -> None:
    reply = stand_in(keys.auth).reply('{"module": "kz.gov.pki.knca.basics", "method": "nope"}')

    assert reply["status"] is False
    assert reply["code"] == "METHOD_NOT_FOUND"


def test_get_active_tokens_lists_no_token_because_the_keys_are_files(keys: Keys) -> None:
    request = '{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens"}'

    assert stand_in(keys.auth).reply(request) == {"code": "200", "responseObject": []}


def test_get_key_info_describes_the_chosen_key_with_ncalayers_field_names(keys: Keys) -> None:
    request = '{"module":"kz.gov.pki.knca.commonUtils","method":"getKeyInfo","args":["PKCS12"]}'

    reply = stand_in(keys.auth).reply(request)

    info = reply["responseObject"]
    assert reply["code"] == "200"
    assert info == key_info(keys.auth)
    assert set(info) >= {"alias", "subjectCn", "subjectDn", "serialNumber", "pem"}
    assert info["subjectCn"] == keys.auth.common_name
    assert f"SERIALNUMBER=IIN{IIN}" in info["subjectDn"]
    assert info["serialNumber"] == format(keys.auth.certificate.serial_number, "x")
    assert int(info["certNotBefore"]) == int(
        keys.auth.certificate.not_valid_before_utc.timestamp() * 1000
    )


@pytest.mark.parametrize(("key_type", "usage"), [("SIGNATURE", "sign"), ("AUTHENTICATION", "auth")])
def test_create_cades_signs_base64_with_the_key_type_asked(keys: Keys, key_type, usage) -> None:
    request = {
        "module": "kz.gov.pki.knca.commonUtils",
        "method": "createCAdESFromBase64",
        "args": ["PKCS12", key_type, b64(NONCE), True],
    }

    reply = stand_in(keys.auth, keys.sign).reply(json.dumps(request))

    der = base64.b64decode(reply["responseObject"], validate=True)
    assert encapsulated_content(der) == NONCE
    expected = getattr(keys, usage).certificate.serial_number
    verdict = verify_result(_pem(der), KeyKind.SIGN if usage == "sign" else KeyKind.AUTH)
    assert verdict.sole_signer().serial_number == expected


def test_the_listing_warns_of_a_signing_key_that_filters_will_skip(keys: Keys) -> None:
    lines = describe([keys.auth, keys.sign, keys.bare_sign])

    assert "authentication key" in lines[0]
    assert "lacks" not in lines[0]
    assert "lacks" not in lines[1]
    assert "lacks the EKU emailProtection" in lines[2]
    assert all(IIN in line for line in lines)


def _pem(der: bytes) -> str:
    body = base64.b64encode(der).decode()
    return f"-----BEGIN CMS-----\n{body}\n-----END CMS-----\n"
