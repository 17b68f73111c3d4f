"""Plain data types of the LLM layer: messages, usage, completions, backend requests/replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from optiforge.errors import InputError

Message = dict[str, Any]
Messages = list[Message]


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one call (or the sum over a call's repair rounds)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __post_init__(self) -> None:
        if not self.total_tokens and (self.prompt_tokens or self.completion_tokens):
            object.__setattr__(self, "total_tokens", self.prompt_tokens + self.completion_tokens)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.total_tokens + other.total_tokens,
        )

    def to_dict(self) -> dict[str, int]:
        """JSON-ready form."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Usage:
        """Build from an OpenAI-style ``usage`` object; missing fields count as 0."""
        if not data:
            return cls()
        return cls(
            int(data.get("prompt_tokens") or 0),
            int(data.get("completion_tokens") or 0),
            int(data.get("total_tokens") or 0),
        )


@dataclass(frozen=True, slots=True)
class Completion:
    """The result of ``LM.complete``.

    ``text`` is the model's last reply; ``parsed`` the validated pydantic object when a
    schema was given. ``usage`` and ``cost_usd`` are what this call billed: zero on a
    cache hit, whose original usage stays visible in ``original_usage``.
    """

    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    latency_s: float = 0.0
    cache_hit: bool = False
    response_id: str | None = None
    finish_reason: str | None = None
    parsed: BaseModel | None = None
    original_usage: Usage | None = None
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the parsed object as a plain dict)."""
        return {
            "text": self.text,
            "parsed": self.parsed.model_dump(mode="json") if self.parsed is not None else None,
            "model": self.model,
            "usage": self.usage.to_dict(),
            "cost_usd": self.cost_usd,
            "latency_s": self.latency_s,
            "cache_hit": self.cache_hit,
            "response_id": self.response_id,
            "finish_reason": self.finish_reason,
            "attempts": self.attempts,
        }


@dataclass(slots=True)
class Request:
    """One call as a backend sees it. ``key`` is the cache/replay key (no secrets in it)."""

    model: str
    messages: Messages
    params: dict[str, Any]
    key: str
    timeout_s: float | None = None


@dataclass(slots=True)
class Reply:
    """One backend answer, before caching, parsing and accounting."""

    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    response_id: str | None = None
    finish_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in the cache and in record files."""
        return {
            "text": self.text,
            "model": self.model,
            "usage": self.usage.to_dict(),
            "cost_usd": self.cost_usd,
            "response_id": self.response_id,
            "finish_reason": self.finish_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """Inverse of ``to_dict``."""
        return cls(
            text=data["text"],
            model=data.get("model") or "",
            usage=Usage.from_dict(data.get("usage")),
            cost_usd=float(data.get("cost_usd") or 0.0),
            response_id=data.get("response_id"),
            finish_reason=data.get("finish_reason"),
        )


class TransientError(Exception):
    """A failure that retrying may fix: 429, 5xx, timeout, dropped connection, garbled body."""

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        connection: bool = False,
        url: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.retry_after = retry_after
        self.connection = connection
        self.url = url


class SchemaRejected(Exception):
    """The server refused ``response_format``; the caller falls back to prompt + parse."""


def normalize_messages(messages: str | Messages) -> Messages:
    """Accept a plain string (one user message) or OpenAI-style message dicts."""
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if not isinstance(messages, list) or not messages:
        raise InputError("messages must be a non-empty list of {'role': ..., 'content': ...} dicts or a string")
    out: Messages = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or "role" not in m or "content" not in m:
            raise InputError(f"message {i} must be a dict with 'role' and 'content'")
        out.append(dict(m))
    return out


def approx_tokens(text: str) -> int:
    """A rough token count (about 4 characters per token) for backends that report none."""
    return (len(text) + 3) // 4


def messages_text(messages: Messages) -> str:
    """All message contents joined, for matching rules and counting tokens."""
    parts = []
    for m in messages:
        c = m.get("content")
        parts.append(c if isinstance(c, str) else str(c))
    return "\n".join(parts)
