"""Errors a user can cause. The CLI prints them as one line and exits non-zero.

Every message says what went wrong and what to do about it. Subclasses carry an
``exit_code`` so scripts can tell kinds of failure apart.
"""

from __future__ import annotations

from typing import Any


class OptiforgeError(Exception):
    """Base of every user-facing error; ``str(err)`` is the one-line message."""

    exit_code: int = 2


class ConfigError(OptiforgeError):
    """Bad settings: unreadable optiforge.toml, invalid OPTIFORGE_* value, unknown option."""


class InputError(OptiforgeError):
    """A file or argument the user gave cannot be used (missing, unreadable, malformed)."""


class LLMError(OptiforgeError):
    """A language-model call failed in a way retrying cannot fix."""

    exit_code = 3


class AuthenticationError(LLMError):
    """The provider rejected the credentials (HTTP 401/403)."""


class BadRequestError(LLMError):
    """The provider rejected the request itself (HTTP 400/404/422, unknown model)."""


class ServerUnreachable(LLMError):
    """No server answers at the configured endpoint."""


class RetriesExhausted(LLMError):
    """Transient failures (429/5xx/timeouts) persisted past the retry budget."""


class OutputParseError(LLMError):
    """The model's reply never validated against the requested schema.

    ``raw`` holds the last reply text so callers can show or store it; ``usage`` (the
    LLM layer's Usage, or None) and ``cost_usd`` account for the calls spent trying.
    """

    def __init__(self, message: str, raw: str = "", *, usage: Any = None, cost_usd: float = 0.0, calls: int = 0) -> None:
        super().__init__(message)
        self.raw = raw
        self.usage = usage
        self.cost_usd = cost_usd
        self.calls = calls


class BudgetExceeded(LLMError):
    """The run's USD or token budget is spent; no new calls are made. Finished work is kept."""

    exit_code = 4


class FormulationError(OptiforgeError):
    """An optimization formulation is invalid: names the element and the offending symbol."""


class SolverError(OptiforgeError):
    """A solver failed or is unavailable."""


class SandboxError(OptiforgeError):
    """A program could not be started in the sandbox (not: the program failed)."""


class DatasetError(OptiforgeError):
    """A benchmark file is missing or malformed; names the file and line."""
