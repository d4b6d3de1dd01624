"""Ed25519 signatures that ZIP 215 (ed25519-zebra, signature rules 2) accepts and libsodium
(rules 1) refuses, built from the curve's public facts rather than copied from anywhere.

- The identity point encodes as 01 00..00. With it as the key A and as R, and S = 0, both
  equations hold for any message: [S]B = 0 = R + [k]A. libsodium refuses small-order A and R;
  ed25519-zebra accepts them, and signature rules 2 refuse the small-order key before asking it.
- The same identity point, its y written as p + 1 (not reduced): a non-canonical encoding that
  ZIP 215 decodes and libsodium refuses.
- A real key's signature whose R has the order-2 point (0, -1) added: R' = R + T is (-x, -y).
  With k = H(R' || A || M) and S = r + k a, the cofactored equation [8][S]B = [8]R' + [8][k]A
  holds ([8]T = 0) but the cofactorless one [S]B = R' + [k]A does not (it is off by T).

And chains that schedule the switch to version 2 and carry such signatures on either side of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Final

from nacl.bindings import crypto_scalarmult_ed25519_base_noclamp
from tests.support.ledger import ALICE, BOB, OPERATOR, WHEAT, Chain, standard_chain

from kepil.ledger import SignedTx
from kepil.ledger.codes import ReasonCode
from kepil.ledger.crypto import SigningKey
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.handlers.signature_rules import MIN_RULES_NOTICE, ScheduleSignatureRules
from kepil.ledger.sigrules import ZIP215
from kepil.ledger.tx import signing_message
from kepil.ledger.vocab import Role

P: Final = 2**255 - 19
L: Final = 2**252 + 27742317777372353535851937790883648493
IDENTITY: Final = bytes([1]) + bytes(31)
IDENTITY_NON_CANONICAL: Final = (P + 1).to_bytes(32, "little")
SMALL_ORDER_KEY: Final = IDENTITY.hex()


def small_order_signature(message: bytes) -> str:
    """R = identity, S = 0: a signature of any message by the identity key (hex)."""
    del message  # it verifies whatever the message
    return (IDENTITY + bytes(32)).hex()


def non_canonical_signature() -> str:
    """R = the identity with y = p + 1, S = 0 (hex): for the identity key, any message."""
    return (IDENTITY_NON_CANONICAL + bytes(32)).hex()


def _negated(point: bytes) -> bytes:
    """(x, y) -> (-x, -y), which is the point plus (0, -1)."""
    encoded = int.from_bytes(point, "little")
    y, sign = encoded & ((1 << 255) - 1), encoded >> 255
    return ((P - y) | ((1 - sign) << 255)).to_bytes(32, "little")


def torsioned_signature(key: SigningKey, message: bytes) -> str:
    """`key`'s signature of `message` with a small-order component in R (hex)."""
    expanded = hashlib.sha512(bytes(key)).digest()
    scalar = bytearray(expanded[:32])
    scalar[0] &= 248
    scalar[31] &= 127
    scalar[31] |= 64
    a = int.from_bytes(scalar, "little")
    r = int.from_bytes(hashlib.sha512(expanded[32:] + message).digest(), "little") % L
    big_r = crypto_scalarmult_ed25519_base_noclamp(r.to_bytes(32, "little"))
    torsioned = _negated(big_r)
    public = bytes(key.verify_key)
    k = int.from_bytes(hashlib.sha512(torsioned + public + message).digest(), "little") % L
    s = (r + k * a) % L
    return (torsioned + s.to_bytes(32, "little")).hex()


DAVE = "900101300007"  # admitted with the identity point, a small-order key


def next_height(chain: Chain) -> int:
    head = chain.state.head()
    assert head is not None
    return head.height + 1


def schedule(chain: Chain, notice: int = MIN_RULES_NOTICE, version: int = ZIP215) -> int:
    """Schedule `version` `notice` blocks after the schedule's own block; the activation."""
    activation = next_height(chain) + notice
    assert chain.run(ScheduleSignatureRules(version, activation), OPERATOR) == "ok"
    return activation


def reach(chain: Chain, height: int) -> None:
    """Empty blocks until the next block is at `height`."""
    while next_height(chain) < height:
        chain.block([])


def with_signature(tx: SignedTx, signer: str, signature: str, key: str | None = None) -> SignedTx:
    """`tx` with `signer`'s signature (and key) replaced."""
    sigs = tuple(
        dataclasses.replace(s, sig=signature, key=key or s.key) if s.by == signer else s
        for s in tx.sigs
    )
    return dataclasses.replace(tx, sigs=sigs)


def torsioned_transfer(chain: Chain) -> SignedTx:
    """Alice's transfer to Bob whose signature only ZIP 215 accepts (R has a torsion part)."""
    tx = chain.tx(Transfer(WHEAT, ALICE, BOB, 5), ALICE)
    forged = torsioned_signature(chain.key(ALICE), signing_message(tx.tx_id))
    return with_signature(tx, ALICE, forged)


def dave_admitted(chain: Chain) -> None:
    """Dave, whose key is the identity point, holds 5 units from Alice."""
    admit = Admit(DAVE, "Dave", SMALL_ORDER_KEY, (Role.HOLDER,))
    assert chain.run(admit, OPERATOR) == "ok"
    assert chain.transfer(ALICE, DAVE, 5) == "ok"


def small_order_transfer(chain: Chain, non_canonical: bool = False) -> SignedTx:
    """Dave's transfer to Bob, "signed" by the identity key: R = identity, S = 0."""
    tx = chain.tx(Transfer(WHEAT, DAVE, BOB, 1), DAVE)
    message = signing_message(tx.tx_id)
    signature = non_canonical_signature() if non_canonical else small_order_signature(message)
    return with_signature(tx, DAVE, signature, SMALL_ORDER_KEY)


def switched_chain() -> tuple[Chain, int]:
    """A chain that switched, with a v2-only transfer before (refused) and after (applied)."""
    chain = standard_chain()
    dave_admitted(chain)
    activation = schedule(chain)
    assert chain.send(torsioned_transfer(chain)).reason is ReasonCode.BAD_SIGNATURE
    chain.nonces[ALICE] -= 1
    reach(chain, activation)
    assert chain.send(torsioned_transfer(chain)).ok
    assert chain.send(small_order_transfer(chain)).reason is ReasonCode.BAD_SIGNATURE
    chain.nonces[DAVE] -= 1
    return chain, activation
