"""The few kinds of refusal a service can give, each with one way of showing."""

from __future__ import annotations

from dataclasses import dataclass


class DealerError(Exception):
    """A refusal the user can understand; the message is the sentence shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, naming the field and, in files, the line."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}"


class ValidationFailed(DealerError):
    """The input has problems; every one is listed, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(f"{head}{more}")

    def for_field(self, field: str) -> list[Problem]:
        return [p for p in self.problems if p.field == field]


class PermissionDenied(DealerError):
    """The signed-in user's role does not allow the action."""


class NotFound(DealerError):
    """The record asked for does not exist (any more)."""


class StaleRecord(DealerError):
    """Someone else saved the record after this user opened it."""


class Refused(DealerError):
    """The action is not possible for the record in its present state."""


class SchemaMismatch(DealerError):
    """The database schema is older or newer than this workstation."""


class SignInFailed(DealerError):
    """Unknown user, wrong password or an inactive account."""
