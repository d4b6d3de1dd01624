"""The base of every answer with a moment in it: Almaty clocks, whatever the database returned."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator

from kepil.domain.calendar import to_almaty


class AlmatyModel(BaseModel):
    """A schema whose every moment reads in Almaty time with its offset (+05:00, App.1 §8).

    Converted once, as the answer is built, so no router or read model has to remember each
    field; a naive moment is taken as Almaty time, as the calendar does.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _on_almaty_clocks(cls, value: object) -> object:
        return to_almaty(value) if isinstance(value, datetime) else value
