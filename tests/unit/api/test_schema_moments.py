"""Every answer's schema with a moment in it renders that moment on Almaty clocks."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime
from typing import Any, get_args

from pydantic import BaseModel

from kepil.entrypoints.api import schemas
from kepil.entrypoints.api.schemas.base import AlmatyModel
from kepil.entrypoints.api.schemas.complaints import HistoryLineOut


def _holds_a_moment(annotation: Any) -> bool:
    if annotation is datetime:
        return True
    return any(_holds_a_moment(arg) for arg in get_args(annotation))


def _models() -> list[type[BaseModel]]:
    found = []
    for info in pkgutil.iter_modules(schemas.__path__):
        module = importlib.import_module(f"{schemas.__name__}.{info.name}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseModel)
            and value.__module__ == module.__name__
        ]
    return found


def test_every_schema_with_a_moment_derives_from_the_almaty_model() -> None:
    with_moments = [
        model
        for model in _models()
        if any(_holds_a_moment(f.annotation) for f in model.model_fields.values())
    ]
    assert len(with_moments) >= 10
    assert [m.__name__ for m in with_moments if not issubclass(m, AlmatyModel)] == []


def test_a_moment_in_utc_or_naive_reads_in_almaty_time() -> None:
    line = {
        "kind": "complaint_filed", "status": "registered", "actor_role": "applicant",
        "actor_name": "Т", "actor_iin": "900101300126", "late": False, "decision": "",
        "pre_trial_appeal_exhausted": False,
    }  # fmt: skip
    utc = HistoryLineOut(**line, at=datetime(2026, 3, 20, 5, tzinfo=UTC), stage_deadline=None)
    assert utc.model_dump(mode="json")["at"] == "2026-03-20T10:00:00+05:00"
    naive = HistoryLineOut(**line, at=datetime(2026, 3, 20, 10), stage_deadline=None)
    assert naive.model_dump(mode="json")["at"] == "2026-03-20T10:00:00+05:00"
