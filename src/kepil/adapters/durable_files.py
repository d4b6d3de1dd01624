"""Making a file's writes, or a directory's renames, survive a power cut."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync the file or directory at `path` (a directory: the names created or renamed in it)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_durably(source: Path, target: Path) -> None:
    """Rename `source` over `target` once its bytes are on disk, and make the rename last."""
    fsync_path(source)
    os.replace(source, target)
    fsync_path(target.parent)


def write_durably(path: Path, content: bytes) -> None:
    """Put `content` at `path` whole or not at all, and durably."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(content)
        replace_durably(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # not left to fill a disk that may be full already
        raise
