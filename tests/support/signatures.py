"""A fake EDS document verifier for unit tests of the permit handlers.

A "CMS" here is JSON `{signer, bin, content}`; the verifier answers who signed and the content's
bytes, or refuses anything else as the real verifier refuses a bad signature. Integration tests
use real CMS from tests/support/pki.py instead.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from kepil.domain.auth import Principal
from kepil.domain.state_records import BusinessRecord, CourtDecision, PersonRecord
from kepil.services.errors import SignatureRefusedError
from kepil.services.permits.ports import SignedContent


def principal(iin: str, bin_: str | None = None, role: str | None = None) -> Principal:
    """A verified person; with a BIN, by default the organisation's first head (or, when the
    BIN is the IIN, a sole proprietor), as the NCA certificate's role would say."""
    if role is None:
        role = "individual" if bin_ is None else "entrepreneur" if bin_ == iin else "head"
    return Principal(iin, bin_, f"Person {iin}", None, role, "01", "CN=fake CA")


class FakeVerifier:
    """Accepts what `fake_cms` makes; counts the calls (a replayed request verifies nothing)."""

    def __init__(self) -> None:
        self.calls = 0

    def verify(self, cms: bytes, at: datetime) -> SignedContent:
        """The signer and the content, or SignatureRefusedError."""
        self.calls += 1
        try:
            wrapper = json.loads(cms)
        except json.JSONDecodeError:
            raise SignatureRefusedError("invalid_signature", "not a fake CMS") from None
        signer = principal(wrapper["signer"], wrapper.get("bin"), wrapper.get("role"))
        content = wrapper["content"]
        raw = content.encode() if isinstance(content, str) else json.dumps(content).encode()
        signed_at = wrapper.get("signed_at")
        signing_time = None if signed_at is None else datetime.fromisoformat(signed_at)
        # A fake CMS is its own act: the same bytes are the same act.
        return SignedContent(signer, raw, hashlib.sha256(cms).hexdigest(), signing_time)


def fake_cms(
    signer: Principal, content: dict[str, Any] | str, signed_at: datetime | None = None
) -> bytes:
    """What FakeVerifier accepts as signed by `signer` (a dict is sent as JSON, text as is),
    with a signing-time attribute when `signed_at` is given."""
    wrapper: dict[str, Any] = {
        "signer": signer.iin,
        "bin": signer.bin,
        "role": signer.role,
        "content": content,
    }
    if signed_at is not None:
        wrapper["signed_at"] = signed_at.isoformat()
    return json.dumps(wrapper).encode()


class FakeEgov:
    """The e-gov gateway answering nothing known, and counting the questions."""

    def __init__(self, court_decisions: list[CourtDecision] | None = None) -> None:
        self.asked: list[str] = []
        self._court = court_decisions or []

    def person(self, iin: str) -> PersonRecord | None:
        """No identity record."""
        self.asked.append(f"person:{iin}")
        return None

    def business(self, number: str) -> BusinessRecord | None:
        """No registration record."""
        self.asked.append(f"business:{number}")
        return None

    def court_decisions(self, subject: str, on: date) -> list[CourtDecision]:
        """The decisions the test gave."""
        self.asked.append(f"court:{subject}")
        return list(self._court)
