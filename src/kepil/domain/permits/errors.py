"""Errors of the permit domain: each names the state and the action that was refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kepil.domain.permits.validation import Problem


class PermitDomainError(Exception):
    """Base of every error the permit domain raises."""


class TransitionNotAllowedError(PermitDomainError):
    """The action is not declared from the current state, or its guard failed."""

    def __init__(self, action: str, state: str, reason: str | None = None) -> None:
        """Name the action and the state; add why a guard refused, when one did."""
        message = f"cannot {action} from {state}"
        super().__init__(f"{message}: {reason}" if reason else message)
        self.action = action
        self.state = state
        self.reason = reason


class ActionForbiddenError(PermitDomainError):
    """The actor's role (or identity) does not allow the action; denied by default."""

    def __init__(self, action: str, state: str, role: str, reason: str | None = None) -> None:
        """Name the role, the action and the state."""
        message = f"{role} may not {action} from {state}"
        super().__init__(f"{message}: {reason}" if reason else message)
        self.action = action
        self.state = state
        self.role = role
        self.reason = reason


class InvalidApplicationFormError(PermitDomainError):
    """The Appendix 2 form has field problems; all of them are listed, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        """Keep every problem; the message lists their codes."""
        codes = ", ".join(str(problem.code) for problem in problems)
        super().__init__(f"the application form has {len(problems)} problem(s): {codes}")
        self.problems = tuple(problems)


class InvalidRefusalError(PermitDomainError):
    """A refusal without a ground from the closed list or without a motivation."""
