"""The test CA on disk keeps its private keys readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_ca_files import DevCaDirectory, write_private

HOLDER = Holder(Profile.INDIVIDUAL, "900101300126", "ТЕСТОВ ТЕСТ ТЕСТОВИЧ")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("permissive_umask")
def test_ca_private_keys_are_written_with_mode_0600_in_a_0700_directory(
    tmp_path: Path, now: datetime
) -> None:
    ca = DevCaDirectory.create(tmp_path / "ca", now)
    private = tmp_path / "ca" / "private"
    assert _mode(private) == 0o700
    keys = sorted(private.iterdir())
    assert len(keys) == 2
    assert {_mode(path) for path in keys} == {0o600}
    assert ca.issuing()[0] is not None


@pytest.mark.usefixtures("permissive_umask")
def test_issued_holder_keys_and_pkcs12_files_are_written_with_mode_0600(
    tmp_path: Path, now: datetime
) -> None:
    ca = DevCaDirectory.create(tmp_path / "ca", now)
    pem = ca.issue(HOLDER, now)
    p12 = ca.issue(HOLDER, now, p12_password="test")
    certificate_path, key_path = pem.paths
    assert _mode(key_path) == 0o600
    assert _mode(p12.paths[0]) == 0o600
    assert b"PRIVATE KEY" not in certificate_path.read_bytes()


@pytest.mark.usefixtures("permissive_umask")
def test_rewriting_an_existing_world_readable_key_file_narrows_it_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "old.key"
    path.write_bytes(b"old")
    path.chmod(0o644)
    write_private(path, b"new key")
    assert _mode(path) == 0o600
    assert path.read_bytes() == b"new key"


def test_a_private_key_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    link = tmp_path / "link.key"
    link.symlink_to(target)
    with pytest.raises(OSError, match=r"symbolic links|Too many levels"):
        write_private(link, b"secret")
    assert target.read_bytes() == b""
