"""A migration that fails halfway on a SQLite file leaves nothing behind, and a retry works."""

from __future__ import annotations

from pathlib import Path

import alembic.op
import pytest
from sqlalchemy import inspect

from kepil.adapters.db import migrate
from kepil.adapters.db.engine import make_engine


def test_a_migration_failing_after_its_ddl_leaves_no_table_and_the_retry_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kepil.sqlite3'}")
    migrate.upgrade(engine, "0009")

    def crash() -> None:
        raise RuntimeError("the process died in the data step")

    # 0010 creates used_signed_acts, then rewrites the registry history through op.get_bind().
    with monkeypatch.context() as patched:
        patched.setattr(alembic.op, "get_bind", crash)
        with pytest.raises(RuntimeError, match="data step"):
            migrate.upgrade(engine)

    assert migrate.schema_status(engine).current == "0009"
    assert "used_signed_acts" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.schema_status(engine).up_to_date
    assert "used_signed_acts" in inspect(engine).get_table_names()
    engine.dispose()
