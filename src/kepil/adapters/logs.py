"""Structured logs: one JSON object per line, or a readable console line for people."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else was passed in `extra=` and belongs in the line.
# Uvicorn's `color_message` duplicates `msg` with terminal escapes.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object with its `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record; exceptions go in `exc_info` as text."""
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    """Render a record as `time level logger: message key=value ...`."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise the record for a terminal."""
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD)
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        text = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}"
        text = f"{text} {extras}" if extras else text
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        return text


def configure_logging(level: str, fmt: str) -> None:
    """Send every logger, Uvicorn's included, through one handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Alembic narrates every MigrationContext at INFO, which the health probe creates per call.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    # Our request middleware logs every request with its duration; Uvicorn's line would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
