"""Opening Kalkan's PKCS#12 by hand: RC2 against RFC 2268's vectors, refusals that say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepil.entrypoints.ncalayer.pkcs12_legacy import Pkcs12Error, open_pkcs12, rc2_cbc_decrypt

GOST_KIT = (
    Path(__file__).parent / "nca_kits" / "GOST512_employee_with_signatory_authority_valid.p12"
)

# RFC 2268 section 5: key, effective key bits, plaintext, ciphertext.
RFC_2268_VECTORS = [
    ("0000000000000000", 63, "0000000000000000", "ebb773f993278eff"),
    ("ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"),
    ("3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"),
    ("88", 64, "0000000000000000", "61a8a244adacccf0"),
    ("88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"),
    ("88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"),
    ("88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"),
]


@pytest.mark.parametrize(("key", "bits", "plain", "sealed"), RFC_2268_VECTORS)
def test_rc2_decrypts_the_rfc_2268_vectors(key: str, bits: int, plain: str, sealed: str) -> None:
    # One block with a zero IV is the bare block cipher.
    opened = rc2_cbc_decrypt(bytes.fromhex(key), bits, bytes(8), bytes.fromhex(sealed))

    assert opened.hex() == plain


def test_an_nca_gost_kit_opens_to_one_key_and_its_certificate() -> None:
    opened = open_pkcs12(GOST_KIT.read_bytes(), "Qwerty12")

    assert len(opened.keys) == 1
    assert len(opened.certificates) == 1
    assert opened.keys[0][0] == opened.certificates[0][0]  # the same localKeyId
    assert opened.certificates[0][1][:1] == b"\x30"


def test_a_wrong_password_is_caught_by_the_mac() -> None:
    with pytest.raises(Pkcs12Error, match="wrong password"):
        open_pkcs12(GOST_KIT.read_bytes(), "qwerty12")


def test_a_damaged_file_is_refused_not_misread() -> None:
    damaged = bytearray(GOST_KIT.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF

    with pytest.raises(Pkcs12Error):
        open_pkcs12(bytes(damaged), "Qwerty12")


def test_bytes_that_are_no_pkcs12_are_refused() -> None:
    with pytest.raises(Pkcs12Error, match="not a readable PKCS#12"):
        open_pkcs12(b"not a key file", "x")
