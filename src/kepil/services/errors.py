"""Errors the service layer raises; entry points map each class to a status and keep the code."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refused use case with a stable machine code and a message for people."""

    def __init__(self, code: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


class NotFoundError(ServiceError):
    """The case, document or file does not exist, or the caller may not know it does."""


class ConflictError(ServiceError):
    """The request clashes with the current state (a reused key, a concurrent change)."""


class InvalidInputError(ServiceError):
    """The request is readable but wrong: a bad form, a mismatched file, an unsigned decision."""


class ForbiddenError(ServiceError):
    """The caller is known but has no right to do this."""


class SignatureRefusedError(ServiceError):
    """An EDS signature that does not verify, or was made by someone other than the caller."""
