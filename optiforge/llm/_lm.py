"""``LM``: the one door to language models — cache, ledger, retries, concurrency, structured output."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from optiforge.errors import ConfigError, OutputParseError
from optiforge.llm import _structured
from optiforge.llm._backend import Backend
from optiforge.llm._cache import Cache
from optiforge.llm._jsonutil import request_key
from optiforge.llm._ledger import Ledger
from optiforge.llm._perloop import PerLoop
from optiforge.llm._retry import with_retries
from optiforge.llm._types import (
    Completion,
    Messages,
    Reply,
    Request,
    SchemaRejected,
    TransientError,
    Usage,
    normalize_messages,
)

BackendName = Literal["auto", "openai", "litellm"]
_NO_USAGE = Usage()


class LM:
    """A language model behind optiforge's cache, ledger, retries and concurrency limit.

    ``model`` is a litellm model string (``openai/gpt-4o-mini``, ``anthropic/...``) or, with
    ``api_base``, any name served by an OpenAI-compatible server (vLLM, llama.cpp,
    Ollama); a leading ``openai/`` is stripped when talking to such a server. Arguments
    left as None come from ``optiforge.config`` settings.

    ``backend``: "auto" picks the direct HTTP backend when ``api_base`` is set, else
    litellm. ``cache``: True (the settings' cache), False, or a ``Cache``. ``ledger``:
    shared usage/cost accounting with an optional budget (one per run). ``record``: a
    JSONL file that receives every call, for ``ReplayLM``.
    """

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        backend: BackendName | Backend = "auto",
        cache: bool | Cache | None = None,
        ledger: Ledger | None = None,
        concurrency: int | None = None,
        timeout_s: float | None = None,
        max_retries: int | None = None,
        retry_max_total_s: float | None = None,
        retry_base_s: float = 0.5,
        record: str | Path | None = None,
        response_format: bool | None = None,
        parse_retries: int = 2,
        **default_params: Any,
    ) -> None:
        if not model or not isinstance(model, str):
            raise ConfigError("no model given: pass a model name or set OPTIFORGE_MODEL")
        from optiforge.config import get_settings

        settings = get_settings()
        self.model = model
        self.api_base = api_base if api_base is not None else settings.api_base
        if api_key is None and settings.api_key is not None and self.api_base:
            # OPTIFORGE_API_KEY belongs to api_base; hosted providers read their own variables.
            api_key = settings.api_key.get_secret_value()
        self.concurrency = int(concurrency or settings.concurrency)
        self.timeout_s = float(timeout_s if timeout_s is not None else settings.timeout_s)
        self.max_retries = int(max_retries if max_retries is not None else settings.max_retries)
        self.retry_max_total_s = float(retry_max_total_s if retry_max_total_s is not None else settings.retry_max_total_s)
        self.retry_base_s = retry_base_s
        self.parse_retries = parse_retries
        self.default_params = default_params
        if ledger is None:
            ledger = Ledger(budget_usd=settings.budget_usd, budget_tokens=settings.budget_tokens)
        self.ledger = ledger
        if cache is None:
            cache = settings.cache
        self.cache: Cache | None
        if isinstance(cache, Cache):
            self.cache = cache
        elif cache:
            self.cache = Cache(settings.resolved_cache_dir / "llm.sqlite")
        else:
            self.cache = None
        self._backend = self._make_backend(backend, api_key)
        # None: ask the backend on the first structured call (litellm needs importing for that).
        self._native_schema: bool | None = response_format
        self._wire_model = self._backend.wire_model(model)
        self._sem = PerLoop(lambda: asyncio.Semaphore(self.concurrency))
        self._recorder = None
        if record is not None:
            from optiforge.llm._replay import Recorder

            self._recorder = Recorder(record)

    def _make_backend(self, backend: BackendName | Backend, api_key: str | None) -> Backend:
        if isinstance(backend, Backend):
            return backend
        if backend == "auto":
            backend = "openai" if self.api_base else "litellm"
        if backend == "openai":
            if not self.api_base:
                raise ConfigError("backend 'openai' needs an api_base (e.g. http://127.0.0.1:8000/v1)")
            from optiforge.llm._http import HTTPBackend

            return HTTPBackend(self.api_base, api_key, concurrency=self.concurrency, timeout_s=self.timeout_s)
        if backend == "litellm":
            from optiforge.llm._litellm import LiteLLMBackend

            return LiteLLMBackend(api_base=self.api_base, api_key=api_key, timeout_s=self.timeout_s)
        raise ConfigError(f"unknown backend {backend!r}: use 'auto', 'openai' or 'litellm'")

    @classmethod
    def from_settings(cls, settings: Any = None, **overrides: Any) -> LM:
        """An LM configured from ``optiforge.config`` settings (or the given ``Settings``)."""
        from optiforge.config import get_settings

        s = settings or get_settings()
        model = overrides.pop("model", None) or s.model
        if not model:
            raise ConfigError(
                "no model configured: pass --model, set OPTIFORGE_MODEL, or put model = \"...\" in optiforge.toml"
            )
        api_base = overrides.get("api_base") or s.api_base
        defaults: dict[str, Any] = {
            "api_base": api_base,
            "api_key": s.api_key.get_secret_value() if s.api_key is not None and api_base else None,
            "concurrency": s.concurrency,
            "timeout_s": s.timeout_s,
            "max_retries": s.max_retries,
            "retry_max_total_s": s.retry_max_total_s,
        }
        if "cache" not in overrides:
            defaults["cache"] = Cache(s.resolved_cache_dir / "llm.sqlite") if s.cache else False
        if "ledger" not in overrides:
            defaults["ledger"] = Ledger(budget_usd=s.budget_usd, budget_tokens=s.budget_tokens)
        defaults.update({k: v for k, v in overrides.items() if v is not None or k in ("cache", "ledger")})
        return cls(model, **defaults)

    @property
    def backend_name(self) -> str:
        """Which backend answers: "openai" (direct HTTP), "litellm", "scripted" or "replay"."""
        return self._backend.name

    # -- the call path ------------------------------------------------------------------

    async def complete(
        self,
        messages: str | Messages,
        *,
        schema: type[BaseModel] | None = None,
        sample: int = 0,
        cache: bool | None = None,
        **params: Any,
    ) -> Completion:
        """Ask the model once; with ``schema``, return a validated object in ``.parsed``.

        ``sample`` tells repeated samples apart in the cache key (so reruns replay the same
        samples); ``cache=False`` skips the cache for this call; other keyword arguments
        (temperature, max_tokens, ...) go to the model. Raises ``BudgetExceeded`` before a
        new call when the ledger's budget is spent, ``OutputParseError`` when the reply
        never validates.
        """
        msgs = normalize_messages(messages)
        call_params = {**self.default_params, **params} if self.default_params else params
        use_cache = self.cache is not None and cache is not False
        start = time.perf_counter()
        if schema is None:
            # The hot path (throughput benchmarks, plain text calls): one round, no sums.
            reply, hit = await self._call_once(msgs, call_params, None, None, sample, use_cache)
            return Completion(
                text=reply.text,
                model=reply.model or self.model,
                usage=_NO_USAGE if hit else reply.usage,
                cost_usd=0.0 if hit else reply.cost_usd,
                latency_s=time.perf_counter() - start,
                cache_hit=hit,
                response_id=reply.response_id,
                finish_reason=reply.finish_reason,
                original_usage=reply.usage,
            )
        sj = _structured.schema_json(schema)
        usage = Usage()
        original = Usage()
        cost = 0.0
        all_hits = True
        convo = msgs
        rounds = self.parse_retries + 1
        problem = ""
        last_text = ""
        for attempt in range(1, rounds + 1):
            reply, hit = await self._call_once(convo, call_params, schema, sj, sample, use_cache)
            original = original + reply.usage
            if hit:
                pass
            else:
                all_hits = False
                usage = usage + reply.usage
                cost += reply.cost_usd
            last_text = reply.text
            try:
                parsed = _structured.parse(reply.text, schema)
            except ValueError as exc:
                problem = str(exc)
                convo = _structured.repair_messages(convo, reply.text, problem)
                continue
            return Completion(
                text=reply.text,
                model=reply.model or self.model,
                usage=usage,
                cost_usd=cost,
                latency_s=time.perf_counter() - start,
                cache_hit=all_hits,
                response_id=reply.response_id,
                finish_reason=reply.finish_reason,
                parsed=parsed,
                original_usage=original,
                attempts=attempt,
            )
        raise OutputParseError(
            f"{self.model} did not produce a valid {schema.__name__} in {rounds} attempts: {problem}",
            raw=last_text,
            usage=usage,
            cost_usd=cost,
            calls=rounds,
        )

    async def _call_once(
        self,
        convo: Messages,
        params: dict[str, Any],
        schema: type[BaseModel] | None,
        sj: dict[str, Any] | None,
        sample: int,
        use_cache: bool,
    ) -> tuple[Reply, bool]:
        key = request_key(self.model, convo, params, sj, sample)
        if use_cache:
            assert self.cache is not None
            stored = self.cache.get(key)
            if stored is not None:
                reply = Reply.from_dict(stored)
                self.ledger.add(0, 0, 0.0, cache_hit=True)
                if self._recorder is not None:
                    self._recorder.write(key, self.model, convo, params, sj, sample, reply)
                return reply, True
        self.ledger.check()
        try:
            reply = await self._send(key, convo, params, schema)
        except SchemaRejected:
            # The server refused response_format: fall back to prompt + parse, and remember
            # that only once the request succeeds without it (the 400 may have had another cause).
            reply = await self._send(key, convo, params, schema, native=False)
            self._native_schema = False
        self.ledger.add(reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.cost_usd)
        if use_cache:
            assert self.cache is not None
            self.cache.put(key, self.model, reply.to_dict())
        if self._recorder is not None:
            self._recorder.write(key, self.model, convo, params, sj, sample, reply)
        return reply, False

    async def _send(
        self,
        key: str,
        convo: Messages,
        params: dict[str, Any],
        schema: type[BaseModel] | None,
        native: bool | None = None,
    ) -> Reply:
        wire_msgs, wire_params = convo, params
        if schema is not None:
            if self._native_schema is None:
                self._native_schema = self._backend.supports_schema(self._wire_model)
            if self._native_schema if native is None else native:
                wire_params = {**params, "response_format": _structured.response_format(schema)}
            else:
                wire_msgs = _structured.with_instruction(convo, schema)
        req = Request(self._wire_model, wire_msgs, wire_params, key, self.timeout_s)
        sem = self._sem.get()
        backend = self._backend
        start = time.monotonic()
        # First try inline: most calls succeed, and the retry machinery costs CPU per call.
        async with sem:
            try:
                return await backend.call(req)
            except TransientError as exc:
                first_error = exc

        async def attempt() -> Reply:
            async with sem:
                return await backend.call(req)

        return await with_retries(
            attempt,
            max_retries=self.max_retries,
            max_total_s=self.retry_max_total_s,
            base_s=self.retry_base_s,
            url=backend.url,
            first_error=first_error,
            start=start,
        )

    async def sample(self, messages: str | Messages, n: int, **kwargs: Any) -> list[Completion]:
        """``n`` independent samples (sample indices 0..n-1, each cached on its own)."""
        kwargs.pop("sample", None)
        return list(await asyncio.gather(*(self.complete(messages, sample=i, **kwargs) for i in range(n))))

    def complete_sync(self, messages: str | Messages, **kwargs: Any) -> Completion:
        """``complete`` for synchronous code (safe to call from inside a running event loop)."""
        return _run_sync(self.complete(messages, **kwargs))

    def sample_sync(self, messages: str | Messages, n: int, **kwargs: Any) -> list[Completion]:
        """``sample`` for synchronous code."""
        return _run_sync(self.sample(messages, n, **kwargs))

    async def aclose(self) -> None:
        """Close this LM's connections on the running loop (they reopen on the next call)."""
        await self._backend.aclose()

    async def __aenter__(self) -> LM:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, backend={self.backend_name!r}, cache={self.cache!r})"


# -- sync bridge: one background event loop for all sync callers --------------------------

_sync_loop: asyncio.AbstractEventLoop | None = None
_sync_thread: threading.Thread | None = None
_sync_lock = threading.Lock()


def _background_loop() -> asyncio.AbstractEventLoop:
    global _sync_loop, _sync_thread
    with _sync_lock:
        if _sync_loop is None or _sync_loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=_serve_loop, args=(loop,), name="optiforge-llm-sync", daemon=True)
            thread.start()
            _sync_loop, _sync_thread = loop, thread
            atexit.register(_stop_background_loop, loop, thread)
        return _sync_loop


def _serve_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.close()


def _stop_background_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    async def cancel_all() -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    if loop.is_running():
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cancel_all(), loop).result(timeout=2)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(2)


def run_sync(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, on the shared background loop.

    A long-lived loop (rather than ``asyncio.run`` per call) keeps HTTP connections alive
    between sync calls and works even when the caller is itself inside a running loop.
    """
    loop = _background_loop()
    if threading.current_thread() is _sync_thread:
        # Already on the bridge loop (e.g. a scripted reply that calls another LM's
        # complete_sync): waiting on that loop would deadlock, so use a private one.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


_run_sync = run_sync
