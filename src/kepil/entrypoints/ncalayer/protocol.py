"""NCALayer's WebSocket protocol as pure code: one request text in, one reply object out.

The shapes follow the real NCALayer as recorded in sigex-kz/ncalayer-js-client's
test/test-data.json and as the NCA's NCALayerJSExample reads them (docs/ncalayer.md):

- on connect, a greeting ``{"result": {"version": ...}}``;
- ``kz.gov.pki.knca.basics`` ``sign`` answers ``{"status": true, "body": {"result": ...}}``,
  an empty body when the person pressed Cancel, and ``{"status": false, "code", "message",
  "details"}`` when the request cannot be carried out;
- ``kz.gov.pki.knca.commonUtils`` answers ``{"code": "200", "responseObject": ...}``, or another
  code with a message (``action.canceled`` for Cancel, Java's ``argument type mismatch`` for
  arguments of the wrong type).

Where the real one shows a dialog, the stand-in decides as told (`Choice`): the first offered
key that passes the request's filters, or Cancel.
"""

from __future__ import annotations

import base64
import binascii
import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.entrypoints.ncalayer.keys import FILE_STORAGE, OfferedKey, name_der
from kepil.signing.nca_profile import EKU_CLIENT_AUTH

BASICS = "kz.gov.pki.knca.basics"
EKU_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4"  # what NCA signing certificates carry
COMMON_UTILS = "kz.gov.pki.knca.commonUtils"
VERSION = "1.4"
GREETING: dict[str, Any] = {"result": {"version": VERSION}}

Reply = dict[str, Any]


class Choice(StrEnum):
    """What the person does in NCALayer's key-choice dialog."""

    FIRST = "first"  # picks the first offered key that the request's filters let through
    CANCEL = "cancel"  # presses Cancel


@dataclass(frozen=True)
class StandIn:
    """The stand-in's answers, given its keys, the simulated choice and a clock."""

    keys: tuple[OfferedKey, ...]
    clock: Callable[[], datetime]
    choice: Choice = Choice.FIRST
    log: Callable[[str], None] = lambda _line: None

    def reply(self, message: str | bytes) -> Reply:
        """The reply to one request as sent over the socket."""
        try:
            request = json.loads(message)
        except (ValueError, UnicodeDecodeError) as error:
            return _common_error(f"malformed request: not JSON ({error})")
        if not isinstance(request, dict):
            return _common_error("malformed request: not a JSON object")
        module, method = request.get("module"), request.get("method")
        if module == BASICS:
            if method != "sign":
                return _basics_error("METHOD_NOT_FOUND", f"no method {method!r} in {BASICS}")
            return self._basics_sign(request.get("args"))
        if module == COMMON_UTILS:
            return self._common_utils(str(method), request.get("args", []))
        return _common_error(f"module not found: {module!r}")

    # kz.gov.pki.knca.basics

    def _basics_sign(self, args: object) -> Reply:
        try:
            request = _read_sign_request(args, self.log)
        except _BadArgumentError as error:
            return _invocation_error(str(error))
        key = self._choose(request.allowed)
        if key is None:
            return {"status": True, "body": {}}
        signatures = [
            _pem_cms(self._sign(key, content, request.attached)) for content in request.contents
        ]
        result: str | list[str] = signatures if request.many else signatures[0]
        return {"status": True, "body": {"result": result}}

    # kz.gov.pki.knca.commonUtils

    def _common_utils(self, method: str, args: object) -> Reply:
        handlers: dict[str, tuple[tuple[type, ...], Callable[[list[Any]], Reply]]] = {
            "getActiveTokens": ((), lambda _args: _ok([])),  # no token plugged in: files only
            "getKeyInfo": ((str,), self._get_key_info),
            "createCAdESFromBase64": ((str, str, str, bool), self._create_cades),
            "changeLocale": ((str,), lambda _args: {"code": "200"}),
        }
        if method not in handlers:
            return _common_error(f"the stand-in does not answer {COMMON_UTILS}.{method}")
        types, handler = handlers[method]
        arguments = args if isinstance(args, list) else []
        if len(arguments) != len(types) or not all(
            isinstance(value, kind) for value, kind in zip(arguments, types, strict=True)
        ):
            return _common_error(
                f"java.lang.IllegalArgumentException: argument type mismatch. Method: {method}"
            )
        return handler(arguments)

    def _get_key_info(self, args: list[Any]) -> Reply:
        key = self._choose(lambda key: args[0] == FILE_STORAGE)
        if key is None:
            return _CANCELED
        return _ok(key_info(key))

    def _create_cades(self, args: list[Any]) -> Reply:
        storage, key_type, data, attach = args
        try:
            content = _content(data, decode=True)
        except _BadArgumentError as error:
            return _common_error(str(error))
        key = self._choose(lambda key: storage == FILE_STORAGE and _has_key_type(key, key_type))
        if key is None:
            return _CANCELED
        cms = self._sign(key, content, attached=attach)
        return _ok(base64.b64encode(cms).decode("ascii"))

    # the dialog and the signature

    def _choose(self, allowed: Callable[[OfferedKey], bool]) -> OfferedKey | None:
        if self.choice is Choice.CANCEL:
            self.log("the person pressed Cancel (--choose cancel)")
            return None
        for key in self.keys:
            if allowed(key):
                self.log(f"chose {key.path.name} ({key.common_name}, serial {key.serial_hex})")
                return key
        # The real NCALayer lists no key then; the person can only close the dialog.
        self.log("no offered key passes the request's filters; answered as Cancel")
        return None

    def _sign(self, key: OfferedKey, content: bytes, attached: bool) -> bytes:
        return key.signer.sign(content, self.clock(), detached=not attached)


def key_info(key: OfferedKey) -> dict[str, str]:
    """The getKeyInfo record of a key: NCALayer's field names, times in epoch milliseconds."""
    certificate = key.certificate
    return {
        "alias": key.alias,
        "keyId": _key_id(certificate),
        "algorithm": _algorithm(key),
        "subjectCn": key.common_name,
        "subjectDn": key.subject_dn,
        "issuerCn": key.issuer_cn,
        "issuerDn": key.issuer_dn,
        "serialNumber": key.serial_hex,
        "certNotBefore": _millis(certificate.not_valid_before_utc),
        "certNotAfter": _millis(certificate.not_valid_after_utc),
        "authorityKeyIdentifier": _authority_key_id(certificate),
        "pem": certificate.public_bytes(Encoding.PEM).decode("ascii"),
    }


def pem_cms_der(text: str) -> bytes:
    """The DER of a basics sign result (PEM-armoured base64, as NCALayer writes it)."""
    body = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    return base64.b64decode(body, validate=True)


class _BadArgumentError(ValueError):
    pass


def _json_error(text: str) -> _BadArgumentError:
    # The words NCALayer's JSON reader (org.json) uses when an argument has the wrong shape.
    return _BadArgumentError(f"org.json.JSONException: {text}")


@dataclass(frozen=True)
class _SignRequest:
    contents: list[bytes]
    many: bool  # data was a list: the result is a list too
    attached: bool
    allowed: Callable[[OfferedKey], bool]


def _read_sign_request(args: object, log: Callable[[str], None]) -> _SignRequest:
    if not isinstance(args, dict):
        raise _json_error('JSONObject["args"] is not a JSONObject.')
    signing = args.get("signingParams", {})
    signer = args.get("signerParams", {})
    for name, value in (("signingParams", signing), ("signerParams", signer)):
        if not isinstance(value, dict):
            raise _json_error(f'JSONObject["{name}"] is not a JSONObject.')
    if args.get("format") != "cms":
        raise _BadArgumentError(
            f"format {args.get('format')!r}: the stand-in makes CMS only (kepil signs CMS)"
        )
    if signing.get("digested") is True:
        raise _BadArgumentError("signing a digest (digested: true) is not supported")
    data = args.get("data")
    blocks = data if isinstance(data, list) else [data]
    texts = [block for block in blocks if isinstance(block, str)]
    if not texts or len(texts) != len(blocks):
        raise _json_error('JSONObject["data"] is neither a string nor strings.')
    decode = signing.get("decode") is True
    return _SignRequest(
        contents=[_content(text, decode=decode) for text in texts],
        many=isinstance(data, list),
        attached=signing.get("encapsulate") is True,
        allowed=_basics_filter(args, signer, log),
    )


def _basics_filter(
    args: dict[str, Any], signer: dict[str, Any], log: Callable[[str], None]
) -> Callable[[OfferedKey], bool]:
    storages = args.get("allowedStorages")
    if storages is not None and not (
        isinstance(storages, list) and all(isinstance(s, str) for s in storages)
    ):
        raise _json_error('JSONObject["allowedStorages"] is not a JSONArray of strings.')
    oids = signer.get("extKeyUsageOids") or []
    if not isinstance(oids, list) or not all(isinstance(oid, str) for oid in oids):
        raise _json_error('JSONObject["extKeyUsageOids"] is not a JSONArray of strings.')
    iin, bin_, serial = (_text(signer, name) for name in ("iin", "bin", "serialNumber"))
    issuers = _chain_subjects(signer.get("chain"), log)

    def allowed(key: OfferedKey) -> bool:
        return (
            (not storages or FILE_STORAGE in storages)
            and set(oids) <= key.extended_key_usages
            and (not iin or key.iin == iin)
            and (not bin_ or key.bin == bin_)
            and (not serial or key.serial_hex == serial.lower().lstrip("0"))
            and (issuers is None or key.issuer_der in issuers)
        )

    return allowed


def _chain_subjects(chain: object, log: Callable[[str], None]) -> list[bytes] | None:
    if chain is None:
        # The real NCALayer then offers only keys that chain to the NCA's production roots,
        # so a test key would not be offered there; pages send "chain": [] for test keys.
        log("signerParams.chain is absent: the real NCALayer would offer production keys only")
        return None
    if not isinstance(chain, list):
        raise _json_error('JSONObject["chain"] is not a JSONArray.')
    if not chain:
        return None
    try:
        return [name_der(base64.b64decode(item, validate=True), "subject") for item in chain]
    except (TypeError, ValueError, binascii.Error) as error:
        raise _BadArgumentError(f"signerParams.chain holds no certificate: {error}") from None


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _json_error(f'JSONObject["{name}"] is not a string.')
    return value.strip()


def _has_key_type(key: OfferedKey, key_type: str) -> bool:
    if key_type == "SIGNATURE":
        return key.is_signing_key
    if key_type == "AUTHENTICATION":
        return key.is_authentication_key
    return True  # any other keyType lets the person choose any key


def _content(block: str, *, decode: bool) -> bytes:
    if not decode:
        return block.encode("utf-8")
    try:
        return base64.b64decode(block, validate=True)
    except binascii.Error:
        raise _BadArgumentError("java.lang.IllegalArgumentException: Illegal base64") from None


def _pem_cms(der: bytes) -> str:
    lines = textwrap.wrap(base64.b64encode(der).decode("ascii"), 64)
    return "-----BEGIN CMS-----\n" + "\n".join(lines) + "\n-----END CMS-----\n"


def _ok(value: object) -> Reply:
    return {"code": "200", "responseObject": value}


def _common_error(message: str) -> Reply:
    return {"code": "500", "message": message}


_CANCELED: Reply = {"code": "500", "message": "action.canceled"}


def _basics_error(code: str, message: str, details: str = "") -> Reply:
    return {"status": False, "code": code, "message": message, "details": details}


def _invocation_error(details: str) -> Reply:
    return _basics_error("INVOCATION_ERROR", "An invoked method threw an exception.", details)


def _millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _key_id(certificate: x509.Certificate) -> str:
    try:
        identifier = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        return format(certificate.serial_number, "x")
    return identifier.value.digest.hex()


def _authority_key_id(certificate: x509.Certificate) -> str:
    try:
        identifier = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except x509.ExtensionNotFound:
        return ""
    return (identifier.value.key_identifier or b"").hex()


def _algorithm(key: OfferedKey) -> str:
    # The names Java's security providers give these keys (Kalkan's for GOST 2015).
    name = key.algorithm
    for prefix, java in (("rsa", "RSA"), ("ecdsa", "EC"), ("ed25519", "Ed25519")):
        if name.startswith(prefix):
            return java
    return "ECGOST3410-2015" if name.startswith("gost2015") else name


def describe(keys: Sequence[OfferedKey]) -> list[str]:
    """One line per offered key for the start-up listing, with what filters will pass it by."""
    lines = []
    for key in keys:
        line = (
            f"{key.path.name}: {key.common_name}, IIN {key.iin or '-'}"
            f"{', BIN ' + key.bin if key.bin else ''}, {key.usage_words()} key, "
            f"serial {key.serial_hex}"
        )
        # Portals filter signing keys by emailProtection and sign-in keys by clientAuth, as
        # the NCA's certificates carry them; a key without them is never offered to such pages.
        missing = [
            f"{name} ({oid})"
            for name, oid, needed in (
                ("emailProtection", EKU_EMAIL_PROTECTION, key.is_signing_key),
                ("clientAuth", EKU_CLIENT_AUTH, key.is_authentication_key),
            )
            if needed and oid not in key.extended_key_usages
        ]
        if missing:
            line += f"; lacks the EKU {' and '.join(missing)}, so requests filtering on it skip it"
        lines.append(line)
    return lines
