"""The litellm backend for hosted providers (OpenAI, Anthropic, Gemini, ...), imported lazily."""

from __future__ import annotations

import logging
import os
from typing import Any

from optiforge.errors import AuthenticationError, BadRequestError
from optiforge.llm._backend import Backend
from optiforge.llm._types import Reply, Request, SchemaRejected, TransientError, Usage

_litellm: Any = None


def import_litellm() -> Any:
    """Import litellm quietly: local cost map (no network), no banners, no debug logging."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_LOG", "ERROR")
        import litellm

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm", "httpx"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _litellm = litellm
    return _litellm


def _first_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    return text[:limit] or type(exc).__name__


class LiteLLMBackend(Backend):
    """``litellm.acompletion`` with litellm's own retries off (``LM`` retries)."""

    name = "litellm"

    def __init__(self, *, api_base: str | None, api_key: str | None, timeout_s: float) -> None:
        self.api_base = api_base
        self.url = api_base
        self._api_key = api_key
        self.timeout_s = timeout_s
        self._native: dict[str, bool] = {}

    def supports_schema(self, model: str) -> bool:
        """Whether litellm says the model accepts a JSON-schema ``response_format``."""
        if model not in self._native:
            try:
                self._native[model] = bool(import_litellm().supports_response_schema(model=model))
            except Exception:
                self._native[model] = False
        return self._native[model]

    def _redact(self, text: str) -> str:
        if self._api_key and self._api_key in text:
            text = text.replace(self._api_key, "***")
        return text

    async def call(self, req: Request) -> Reply:
        litellm = import_litellm()
        kwargs: dict[str, Any] = {"timeout": req.timeout_s or self.timeout_s, "num_retries": 0, "max_retries": 0}
        if self.api_base:
            kwargs["api_base"] = self.api_base
        if self._api_key:
            kwargs["api_key"] = self._api_key
        try:
            resp = await litellm.acompletion(model=req.model, messages=req.messages, **kwargs, **req.params)
        except Exception as exc:
            raise self._translate(exc, req) from None
        choice = resp.choices[0]
        text = getattr(choice.message, "content", None) or ""
        u = getattr(resp, "usage", None)
        usage = Usage(
            int(getattr(u, "prompt_tokens", 0) or 0),
            int(getattr(u, "completion_tokens", 0) or 0),
            int(getattr(u, "total_tokens", 0) or 0),
        )
        try:
            cost = float(litellm.completion_cost(completion_response=resp) or 0.0)
        except Exception:
            cost = 0.0
        return Reply(
            text=text,
            model=getattr(resp, "model", None) or req.model,
            usage=usage,
            cost_usd=cost,
            response_id=getattr(resp, "id", None),
            finish_reason=getattr(choice, "finish_reason", None),
        )

    def _translate(self, exc: Exception, req: Request) -> Exception:
        e = import_litellm().exceptions
        detail = self._redact(_first_line(exc))
        status = getattr(exc, "status_code", None)
        if isinstance(exc, e.RateLimitError):
            return TransientError(f"HTTP 429: {detail}", status=429, retry_after=_retry_after_of(exc))
        if isinstance(exc, e.Timeout):
            return TransientError(f"no reply within {req.timeout_s or self.timeout_s:g} s (timeout)")
        if isinstance(exc, (e.ServiceUnavailableError, e.InternalServerError, e.BadGatewayError)):
            return TransientError(f"HTTP {status or 500}: {detail}", status=status)
        if isinstance(exc, e.APIConnectionError):
            return TransientError(f"connection error: {detail}", connection=True, url=self.api_base or req.model)
        if isinstance(exc, (e.AuthenticationError, e.PermissionDeniedError)):
            return AuthenticationError(f"{req.model}: credentials rejected ({detail}); check the provider's API key variable")
        if isinstance(exc, e.BadRequestError) and "response_format" in req.params:
            return SchemaRejected(detail)
        if isinstance(exc, e.BadRequestError) and "LLM Provider NOT provided" in str(exc):
            return BadRequestError(
                f"unknown model {req.model!r}: litellm cannot tell its provider; use provider/model "
                "(e.g. openai/gpt-4o-mini) or pass --api-base for an OpenAI-compatible server"
            )
        if isinstance(exc, e.NotFoundError):
            return BadRequestError(f"unknown model {req.model!r} ({detail})")
        if isinstance(exc, (e.BadRequestError, e.UnprocessableEntityError, e.UnsupportedParamsError)):
            return BadRequestError(f"{req.model}: request rejected ({detail})")
        if isinstance(status, int) and (status == 429 or status >= 500):
            return TransientError(f"HTTP {status}: {detail}", status=status)
        if isinstance(status, int) and 400 <= status < 500:
            return BadRequestError(f"{req.model}: request rejected (HTTP {status}: {detail})")
        return BadRequestError(f"{req.model}: call failed ({type(exc).__name__}: {detail})")


def _retry_after_of(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    try:
        value = headers.get("retry-after")
        return max(0.0, float(value)) if value else None
    except (TypeError, ValueError):
        return None
