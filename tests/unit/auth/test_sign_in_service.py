"""Sign-in handlers with fakes: single-use, short-lived nonces and sessions bound to the signer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.clock import MovableClock
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import (
    Principal,
    SignInRefusal,
    SignInRefusedError,
)
from kepil.services.identity import sign_in as auth

PRINCIPAL = Principal(
    "850315400124",
    "050840001233",
    "АХМЕТОВ АЙДАР",
    "ТОО Кепіл",
    "head",
    "ab12",
    "CN=TEST issuing CA",
)
SECRETS = auth.SessionSecrets(b"k" * 32)


class FakeVerifier:
    """Treats the CMS bytes `signed:<nonce>` as a valid signature over that nonce."""

    def signed_nonce(self, cms: bytes) -> str | None:
        text = cms.decode()
        return text.removeprefix("signed:") if text.startswith("signed:") else None

    def verify(self, cms: bytes, nonce: str, at: datetime) -> Principal:
        if cms != f"signed:{nonce}".encode():
            raise SignInRefusedError(SignInRefusal.INVALID_SIGNATURE, "bad_signature")
        return PRINCIPAL


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 4, 10, 4, 0, tzinfo=UTC))


def _log_in(cms: bytes, uow: FakeUnitOfWork, clock: MovableClock) -> auth.IssuedSession:
    return auth.log_in(auth.LogIn(cms), uow, FakeVerifier(), clock, SECRETS)


def test_a_signed_fresh_nonce_opens_a_session_bound_to_the_signer(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    nonce = auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce
    issued = _log_in(f"signed:{nonce}".encode(), uow, clock)
    assert issued.session.principal == PRINCIPAL
    assert auth.current_session(issued.token, uow, clock, SECRETS) == issued.session


def test_the_token_itself_is_never_stored(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    nonce = auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce
    issued = _log_in(f"signed:{nonce}".encode(), uow, clock)
    assert issued.token not in uow.sessions.rows
    assert SECRETS.token_hash(issued.token) in uow.sessions.rows


def test_a_replayed_nonce_is_refused(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    nonce = auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce
    _log_in(f"signed:{nonce}".encode(), uow, clock)
    with pytest.raises(SignInRefusedError) as refused:
        _log_in(f"signed:{nonce}".encode(), uow, clock)
    assert refused.value.code is SignInRefusal.REPLAYED_NONCE


def test_an_expired_nonce_is_refused(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    nonce = auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce
    clock.advance(auth.CHALLENGE_TTL)
    with pytest.raises(SignInRefusedError) as refused:
        _log_in(f"signed:{nonce}".encode(), uow, clock)
    assert refused.value.code is SignInRefusal.EXPIRED_NONCE


def test_a_nonce_never_issued_here_is_refused(uow: FakeUnitOfWork, clock: MovableClock) -> None:
    with pytest.raises(SignInRefusedError) as refused:
        _log_in(b"signed:made-up-by-the-client", uow, clock)
    assert refused.value.code is SignInRefusal.UNKNOWN_NONCE


def test_a_failed_signature_still_uses_up_the_nonce(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    nonce = auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce
    with pytest.raises(SignInRefusedError):
        auth.log_in(auth.LogIn(b"forged", nonce=nonce), uow, FakeVerifier(), clock, SECRETS)
    with pytest.raises(SignInRefusedError) as refused:
        _log_in(f"signed:{nonce}".encode(), uow, clock)
    assert refused.value.code is SignInRefusal.REPLAYED_NONCE


def test_a_session_ends_at_logout_and_after_its_lifetime(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    first = _log_in(
        f"signed:{auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce}".encode(),
        uow,
        clock,
    )
    auth.log_out(auth.LogOut(first.token), uow, clock, SECRETS)
    assert auth.current_session(first.token, uow, clock, SECRETS) is None
    second = _log_in(
        f"signed:{auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce}".encode(),
        uow,
        clock,
    )
    clock.advance(auth.SESSION_TTL)
    assert auth.current_session(second.token, uow, clock, SECRETS) is None


def test_issuing_a_challenge_purges_long_expired_ones(
    uow: FakeUnitOfWork, clock: MovableClock
) -> None:
    old = auth.issue_challenge(auth.IssueChallenge(), uow, clock).nonce
    clock.advance(timedelta(days=2))
    auth.issue_challenge(auth.IssueChallenge(), uow, clock)
    assert old not in uow.challenges.rows
