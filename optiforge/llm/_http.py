"""The direct backend for OpenAI-compatible servers (vLLM, llama.cpp, Ollama): aiohttp, lean.

One ClientSession per event loop with a connector sized to the LM's concurrency, bodies
serialized with orjson, no per-request objects beyond what aiohttp needs: at concurrency
64 the client's CPU per request must stay well below the server's latency budget (the
httpx-based openai SDK spends ~12 ms per request there).
"""

from __future__ import annotations

from typing import Any

from optiforge.errors import AuthenticationError, BadRequestError
from optiforge.llm._backend import Backend
from optiforge.llm._jsonutil import dumps, loads
from optiforge.llm._perloop import PerLoop
from optiforge.llm._pricing import cost_usd
from optiforge.llm._types import Reply, Request, SchemaRejected, TransientError, Usage

_TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 521, 522, 524, 529})


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        import time

        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _connect_reason(exc: Any) -> str:
    import os

    err = getattr(exc, "os_error", None)
    if err is not None and err.errno:
        return os.strerror(err.errno).lower()
    return str(exc)


class HTTPBackend(Backend):
    """Chat completions over HTTP against ``api_base`` (which usually ends in ``/v1``)."""

    name = "openai"
    native_schema = True

    def __init__(self, api_base: str, api_key: str | None, *, concurrency: int, timeout_s: float) -> None:
        self.api_base = api_base.rstrip("/")
        self.url = self.api_base + "/chat/completions"
        self._api_key = api_key
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._sessions: PerLoop[Any] = PerLoop(self._new_session, lambda s: s.close())
        self._timeouts: dict[float | None, Any] = {}

    def wire_model(self, model: str) -> str:
        return model[len("openai/") :] if model.startswith("openai/") else model

    def _new_session(self) -> Any:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=0, ttl_dns_cache=300)
        return aiohttp.ClientSession(
            connector=connector,
            headers=self._headers,
            skip_auto_headers=("User-Agent",),
            timeout=self._timeout(self.timeout_s),
        )

    def _timeout(self, seconds: float | None) -> Any:
        t = self._timeouts.get(seconds)
        if t is None:
            import aiohttp

            t = self._timeouts[seconds] = aiohttp.ClientTimeout(total=seconds)
        return t

    def _redact(self, text: str) -> str:
        if self._api_key and self._api_key in text:
            text = text.replace(self._api_key, "***")
        return text

    async def call(self, req: Request) -> Reply:
        import aiohttp

        session = self._sessions.get()
        payload = {"model": req.model, "messages": req.messages}
        if req.params:
            payload.update(req.params)
        timeout_s = req.timeout_s or self.timeout_s
        extra = {} if timeout_s == self.timeout_s else {"timeout": self._timeout(timeout_s)}
        try:
            async with session.post(self.url, data=dumps(payload), **extra) as resp:
                status = resp.status
                body = await resp.read()
                retry_after = resp.headers.get("Retry-After") if status != 200 else None
        except TimeoutError:
            raise TransientError(f"no reply within {timeout_s:g} s (timeout)", url=self.url) from None
        except aiohttp.ClientConnectorError as exc:
            reason = _connect_reason(exc)
            raise TransientError(f"cannot connect: {reason}", connection=True, url=self.api_base) from None
        except aiohttp.ClientError as exc:
            raise TransientError(f"connection error: {type(exc).__name__}: {self._redact(str(exc))[:200]}", url=self.url) from None
        if status != 200:
            self._raise_for_status(status, body, retry_after, req)
        try:
            data = loads(body)
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise TransientError(f"malformed reply from server (HTTP 200, {len(body)} bytes, not a chat completion)") from None
        usage = Usage.from_dict(data.get("usage"))
        return Reply(
            text=text,
            model=data.get("model") or req.model,
            usage=usage,
            cost_usd=cost_usd(req.model, usage.prompt_tokens, usage.completion_tokens) if usage.total_tokens else 0.0,
            response_id=data.get("id"),
            finish_reason=choice.get("finish_reason"),
        )

    def _raise_for_status(self, status: int, body: bytes, retry_after: str | None, req: Request) -> None:
        message = self._error_message(body)
        if status in _TRANSIENT_STATUS or status >= 500:
            raise TransientError(f"HTTP {status}: {message}", status=status, retry_after=_retry_after(retry_after))
        if status in (401, 403):
            raise AuthenticationError(
                f"{self.api_base} rejected the API key (HTTP {status}: {message}); check --api-key-env / OPTIFORGE_API_KEY"
            )
        if status == 400 and "response_format" in req.params:
            raise SchemaRejected(message)
        if status == 404:
            if "model" in message.lower():
                raise BadRequestError(f"unknown model {req.model!r} at {self.api_base} (HTTP 404: {message})")
            raise BadRequestError(f"no chat-completions endpoint at {self.url} (HTTP 404); api_base usually ends in /v1")
        raise BadRequestError(f"{self.api_base} rejected the request (HTTP {status}: {message})")

    def _error_message(self, body: bytes) -> str:
        try:
            data = loads(body)
            err = data.get("error", data) if isinstance(data, dict) else data
            if isinstance(err, dict):
                message = err.get("message") or err.get("detail") or str(err)
            else:
                message = str(err)
        except ValueError:
            message = body.decode("utf-8", "replace")
        message = " ".join(str(message).split())
        return self._redact(message)[:300] or "no details"

    async def aclose(self) -> None:
        await self._sessions.aclose_current()
