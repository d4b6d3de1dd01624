"""Opening the PKCS#12 files Kalkan writes: SHA-1 MAC, 3DES-sealed key, RC2-40-sealed certificates.

`cryptography` opens a PKCS#12 only when it can also parse the key inside, which it cannot
for GOST keys; and it has no 40-bit RC2. So the NCA's GOST kits are opened here by the rules
of RFC 7292 (the password-based key derivation of its appendix B) and RFC 2268 (RC2), and the
GOST key itself is left to `gost_kit`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from asn1crypto import core, pkcs12
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes


class Pkcs12Error(ValueError):
    """The file cannot be opened: a wrong password, damage, or an algorithm not handled here."""


@dataclass(frozen=True)
class OpenedPkcs12:
    """The decrypted contents: PKCS#8 private keys and DER certificates, with their local ids."""

    keys: list[tuple[bytes, bytes]]  # (localKeyId, PrivateKeyInfo DER)
    certificates: list[tuple[bytes, bytes]]  # (localKeyId, certificate DER)
    friendly_names: dict[bytes, str]


def open_pkcs12(data: bytes, password: str) -> OpenedPkcs12:
    """Check the MAC with `password` and decrypt every bag of a PKCS#12."""
    secret = password.encode("utf-16-be") + b"\0\0"
    try:
        pfx = pkcs12.Pfx.load(data)
        auth_safe = bytes(pfx["auth_safe"]["content"].native)
        _check_mac(pfx, auth_safe, secret)
        contents = pkcs12.AuthenticatedSafe.load(auth_safe)
        opened = OpenedPkcs12([], [], {})
        for info in contents:
            kind = info["content_type"].native
            if kind == "data":
                _read_bags(bytes(info["content"].native), secret, opened)
            elif kind == "encrypted_data":
                sealed = info["content"]["encrypted_content_info"]
                plain = _decrypt(
                    sealed["content_encryption_algorithm"],
                    bytes(sealed["encrypted_content"].native),
                    secret,
                )
                _read_bags(plain, secret, opened)
            else:
                raise Pkcs12Error(f"a {kind} part, which is not handled")
    except (ValueError, TypeError, KeyError) as error:
        if isinstance(error, Pkcs12Error):
            raise
        raise Pkcs12Error(f"not a readable PKCS#12 ({error})") from None
    return opened


def pkcs12_kdf(secret: bytes, salt: bytes, purpose: int, iterations: int, length: int) -> bytes:
    """RFC 7292 appendix B.2 with SHA-1: purpose 1 key, 2 IV, 3 MAC key."""
    v = 64  # SHA-1's block size; its output is 20 bytes
    diversifier = bytes([purpose]) * v
    salt_part = _stretch(salt, v)
    password_part = _stretch(secret, v)
    block = bytearray(salt_part + password_part)
    out = b""
    while len(out) < length:
        digest = diversifier + bytes(block)
        for _ in range(iterations):
            digest = hashlib.sha1(digest).digest()  # noqa: S324 - RFC 7292 fixes SHA-1 here
        out += digest
        addend = int.from_bytes(_stretch(digest, v), "big") + 1
        for start in range(0, len(block), v):
            chunk = int.from_bytes(block[start : start + v], "big")
            block[start : start + v] = ((chunk + addend) % (1 << (8 * v))).to_bytes(v, "big")
    return out[:length]


def rc2_cbc_decrypt(key: bytes, effective_bits: int, iv: bytes, data: bytes) -> bytes:
    """RFC 2268 RC2 in CBC mode, padding left on."""
    if len(data) % 8 or len(iv) != 8:
        raise Pkcs12Error("RC2 data is not whole 8-byte blocks")
    words = _rc2_expand(key, effective_bits)
    plain = bytearray()
    previous = iv
    for start in range(0, len(data), 8):
        block = data[start : start + 8]
        decrypted = _rc2_decrypt_block(words, block)
        plain += bytes(a ^ b for a, b in zip(decrypted, previous, strict=True))
        previous = block
    return bytes(plain)


def _check_mac(pfx: pkcs12.Pfx, auth_safe: bytes, secret: bytes) -> None:
    mac_data = pfx["mac_data"]
    if not mac_data:
        raise Pkcs12Error("the file has no MAC to check the password against")
    algorithm = mac_data["mac"]["digest_algorithm"]["algorithm"].native
    if algorithm != "sha1":
        raise Pkcs12Error(f"a {algorithm} MAC, which is not handled")
    salt = bytes(mac_data["mac_salt"].native)
    iterations = int(mac_data["iterations"].native)
    key = pkcs12_kdf(secret, salt, 3, iterations, 20)
    expected = bytes(mac_data["mac"]["digest"].native)
    if not hmac.compare_digest(hmac.new(key, auth_safe, "sha1").digest(), expected):
        raise Pkcs12Error("wrong password (the MAC does not match)")


def _read_bags(data: bytes, secret: bytes, opened: OpenedPkcs12) -> None:
    for bag in pkcs12.SafeContents.load(data):
        kind = bag["bag_id"].native
        local_id, name = b"", None
        for attribute in bag["bag_attributes"]:
            if attribute["type"].native == "local_key_id":
                local_id = bytes(attribute["values"][0].native)
            elif attribute["type"].native == "friendly_name":
                name = str(attribute["values"][0].native)
        if name is not None:
            opened.friendly_names[local_id] = name
        value = bag["bag_value"]
        if kind == "pkcs8_shrouded_key_bag":
            plain = _decrypt(
                value["encryption_algorithm"], bytes(value["encrypted_data"].native), secret
            )
            opened.keys.append((local_id, plain))
        elif kind == "cert_bag" and value["cert_id"].native == "x509":
            opened.certificates.append((local_id, bytes(value["cert_value"].parsed.dump())))


def _decrypt(algorithm: core.Sequence, data: bytes, secret: bytes) -> bytes:
    name = algorithm["algorithm"].native
    parameters = algorithm["parameters"]
    salt, iterations = bytes(parameters["salt"].native), int(parameters["iterations"].native)
    iv = pkcs12_kdf(secret, salt, 2, iterations, 8)
    if name == "pkcs12_sha1_tripledes_3key":
        key = pkcs12_kdf(secret, salt, 1, iterations, 24)
        decryptor = Cipher(TripleDES(key), modes.CBC(iv)).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
    elif name == "pkcs12_sha1_rc2_40":
        plain = rc2_cbc_decrypt(pkcs12_kdf(secret, salt, 1, iterations, 5), 40, iv, data)
    elif name == "pkcs12_sha1_rc2_128":
        plain = rc2_cbc_decrypt(pkcs12_kdf(secret, salt, 1, iterations, 16), 128, iv, data)
    else:
        raise Pkcs12Error(f"content sealed with {name}, which is not handled")
    return _unpad(plain)


def _unpad(plain: bytes) -> bytes:
    size = plain[-1] if plain else 0
    if not 1 <= size <= 8 or plain[-size:] != bytes([size]) * size:
        raise Pkcs12Error("wrong password or damaged content (bad padding)")
    return plain[:-size]


def _stretch(data: bytes, v: int) -> bytes:
    if not data:
        return b""
    length = v * -(-len(data) // v)
    return (data * (length // len(data) + 1))[:length]


# RFC 2268 section 2: PITABLE, a permutation of 0..255 from the digits of pi.
_PITABLE = bytes.fromhex(
    "d978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2"
    "179a59f587b34f1361456d8d09817d32bd8f40eb86b77b0bf09521225c6b4e82"
    "54d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626"
    "6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed7"
    "08e8eade8052eef784aa72ac354d6a2a961ad2715a1549744b9fd05e0418a4ec"
    "c2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731"
    "2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a9"
    "0d38341bab33ffb0bb480c5fb9b1cd2ec5f3db47e5a59c770aa62068fe7fc1ad"
)
_SHIFTS = (1, 2, 3, 5)


def _rc2_expand(key: bytes, effective_bits: int) -> list[int]:
    length = len(key)
    if not 1 <= length <= 128 or not 1 <= effective_bits <= 1024:
        raise Pkcs12Error("an RC2 key of an impossible size")
    expanded = bytearray(key) + bytearray(128 - length)
    for i in range(length, 128):
        expanded[i] = _PITABLE[(expanded[i - 1] + expanded[i - length]) & 0xFF]
    effective_bytes = (effective_bits + 7) // 8
    mask = 0xFF >> (8 * effective_bytes - effective_bits)
    expanded[128 - effective_bytes] = _PITABLE[expanded[128 - effective_bytes] & mask]
    for i in range(127 - effective_bytes, -1, -1):
        expanded[i] = _PITABLE[expanded[i + 1] ^ expanded[i + effective_bytes]]
    return [expanded[2 * i] | expanded[2 * i + 1] << 8 for i in range(64)]


def _rc2_decrypt_block(words: list[int], block: bytes) -> bytes:
    r = [int.from_bytes(block[2 * i : 2 * i + 2], "little") for i in range(4)]
    j = 63

    def unmix() -> None:
        nonlocal j
        for i in (3, 2, 1, 0):
            shift = _SHIFTS[i]
            r[i] = ((r[i] >> shift) | (r[i] << (16 - shift))) & 0xFFFF
            r[i] = (r[i] - words[j] - (r[i - 1] & r[i - 2]) - (~r[i - 1] & r[i - 3])) & 0xFFFF
            j -= 1

    def unmash() -> None:
        for i in (3, 2, 1, 0):
            r[i] = (r[i] - words[r[i - 1] & 63]) & 0xFFFF

    for rounds, then_unmash in ((5, True), (6, True), (5, False)):
        for _ in range(rounds):
            unmix()
        if then_unmash:
            unmash()
    return b"".join(word.to_bytes(2, "little") for word in r)
