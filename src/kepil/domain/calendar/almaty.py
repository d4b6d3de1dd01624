"""Asia/Almaty time, loaded from the bundled IANA data rather than the host's."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo


def _load_almaty() -> ZoneInfo:
    # The host's tzdata may predate 2024a, which moved Almaty from UTC+6 to UTC+5 on 2024-03-01;
    # the `tzdata` wheel pinned in pyproject is the one source every machine agrees on.
    with resources.files("tzdata").joinpath("zoneinfo/Asia/Almaty").open("rb") as data:
        return ZoneInfo.from_file(data, key="Asia/Almaty")


ALMATY = _load_almaty()


def to_almaty(moment: datetime) -> datetime:
    """Return the moment in Almaty local time; a naive moment is taken as Almaty local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=ALMATY)
    return moment.astimezone(ALMATY)
