"""A loopback OpenAI-compatible server for tests and benchmarks, with fault injection.

Use it as a context manager (it runs aiohttp in a background thread on 127.0.0.1 with an
ephemeral port)::

    with FakeOpenAIServer(reply="hello", faults=[429, "malformed"]) as server:
        lm = LM("openai/fake", api_base=server.base_url)

or standalone: ``python -m optiforge.llm.fakeserver --port 8000 --latency 0.05``.

Faults are consumed one per request from ``faults`` (or chosen by ``rule(body, index)``):
an HTTP status (``429`` is sent with ``Retry-After``), ``"malformed"`` (a 200 whose body
is not JSON), ``"truncated"`` (half the reply, ``finish_reason="length"``), ``"hang"``
(sleep ``hang_s`` before answering), or a ``Fault`` for full control.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from optiforge.llm._jsonutil import dumps, loads

Reply = str | Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Fault:
    """One injected failure. ``status`` alone sends that HTTP error."""

    status: int | None = None
    retry_after: float | None = None
    malformed: bool = False
    truncated: bool = False
    hang_s: float | None = None
    message: str | None = None


FaultSpec = Fault | int | str | None


def as_fault(spec: FaultSpec, *, hang_s: float = 30.0) -> Fault | None:
    """Normalize ``429`` / ``"429"`` / ``"malformed"`` / ``"truncated"`` / ``"hang"`` to a Fault."""
    if spec is None or isinstance(spec, Fault):
        return spec
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        status = int(spec)
        return Fault(status=status, retry_after=0.05 if status == 429 else None)
    if spec == "malformed":
        return Fault(malformed=True)
    if spec == "truncated":
        return Fault(truncated=True)
    if spec == "hang":
        return Fault(hang_s=hang_s)
    raise ValueError(f"unknown fault {spec!r}: use an HTTP status, 'malformed', 'truncated', 'hang' or Fault(...)")


_ERROR_MESSAGES = {
    400: "Bad request",
    401: "Incorrect API key provided",
    403: "Permission denied",
    404: "Not found",
    422: "Unprocessable entity",
    429: "Rate limit reached, retry later",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


class FakeOpenAIServer:
    """An OpenAI-compatible chat-completions server on loopback, for tests and benchmarks.

    ``reply`` is the answer text or ``callable(request_body) -> text``; ``latency_s`` is
    added to every completion. ``models`` restricts accepted model names (others get 404);
    ``api_key`` makes the server demand that bearer key (else 401);
    ``reject_response_format`` answers 400 to requests carrying ``response_format``.
    ``requests`` holds every chat-completion body received (off with ``record_requests=False``).
    """

    def __init__(
        self,
        latency_s: float = 0.0,
        reply: Reply = "ok",
        *,
        faults: Iterable[FaultSpec] = (),
        rule: Callable[[dict[str, Any], int], FaultSpec] | None = None,
        models: Iterable[str] | None = None,
        api_key: str | None = None,
        reject_response_format: bool = False,
        hang_s: float = 30.0,
        record_requests: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.latency_s = latency_s
        self.reply = reply
        self.hang_s = hang_s
        self._faults: list[Fault | None] = [as_fault(f, hang_s=hang_s) for f in faults]
        self.rule = rule
        self.models = list(models) if models is not None else None
        self.api_key = api_key
        self.reject_response_format = reject_response_format
        self.record_requests = record_requests
        self.host = host
        self.port = port
        self.requests: list[dict[str, Any]] = []
        self.count = 0
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._response: Any = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    def add_faults(self, *faults: FaultSpec) -> None:
        """Queue more faults, consumed one per chat-completion request."""
        self._faults.extend(as_fault(f, hang_s=self.hang_s) for f in faults)

    def start(self) -> FakeOpenAIServer:
        """Start serving in a background thread; returns when the port is bound."""
        self._thread = threading.Thread(target=self._serve, name="fake-openai-server", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop serving (requests in progress are cut off)."""
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._start_site())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _start_site(self) -> None:
        from aiohttp import web

        self._response = web.Response
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._list_models)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def serve_forever(self) -> None:
        """Serve on the running loop until cancelled (the standalone mode)."""
        await self._start_site()
        print(f"fake OpenAI server listening on {self.base_url}", flush=True)
        await asyncio.Event().wait()

    # -- handlers ------------------------------------------------------------------------

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
        return self._response(body=dumps(data), status=status, content_type="application/json", headers=headers)

    def _error_response(self, status: int, message: str | None = None, retry_after: float | None = None) -> Any:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else None
        body = {"error": {"message": message or _ERROR_MESSAGES.get(status, "error"), "type": "fake_error", "code": status}}
        return self._json(body, status, headers)

    def _authorized(self, request: Any) -> bool:
        return self.api_key is None or request.headers.get("Authorization") == f"Bearer {self.api_key}"

    async def _list_models(self, request: Any) -> Any:
        if not self._authorized(request):
            return self._error_response(401)
        names = self.models or ["fake-model"]
        return self._json({"object": "list", "data": [{"id": m, "object": "model", "owned_by": "fake"} for m in names]})

    async def _chat(self, request: Any) -> Any:
        index = self.count
        self.count += 1
        try:
            body = loads(await request.read())
        except ValueError:
            return self._error_response(400, "request body is not JSON")
        if self.record_requests:
            self.requests.append(body)
        if not self._authorized(request):
            return self._error_response(401)
        fault: Fault | None = None
        if self._faults:
            fault = self._faults.pop(0)
        elif self.rule is not None:
            fault = as_fault(self.rule(body, index), hang_s=self.hang_s)
        model = body.get("model")
        if self.models is not None and model not in self.models:
            return self._error_response(404, f"The model `{model}` does not exist")
        if self.reject_response_format and "response_format" in body:
            return self._error_response(400, "response_format is not supported by this server")
        if fault is not None:
            if fault.hang_s is not None:
                await asyncio.sleep(fault.hang_s)
            if fault.status is not None:
                return self._error_response(fault.status, fault.message, fault.retry_after)
            if fault.malformed:
                return self._response(body=b'{"id": "chatcmpl-broken", "choices": [', content_type="application/json")
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        n = int(body.get("n") or 1)
        texts = [self.reply(body) if callable(self.reply) else self.reply for _ in range(n)]
        finish = "stop"
        if fault is not None and fault.truncated:
            texts = [t[: max(1, len(t) // 2)] for t in texts]
            finish = "length"
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", ())) // 4 + 1
        completion_tokens = sum(len(t) // 4 + 1 for t in texts)
        return self._json(
            {
                "id": f"chatcmpl-fake-{next(self._ids)}",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": finish}
                    for i, t in enumerate(texts)
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        )


def main(argv: list[str] | None = None) -> None:
    """Run the fake server standalone until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m optiforge.llm.fakeserver", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every completion")
    parser.add_argument("--reply", default="ok", help="the answer text")
    parser.add_argument("--api-key", default=None, help="demand this bearer key")
    args = parser.parse_args(argv)
    server = FakeOpenAIServer(
        args.latency, args.reply, api_key=args.api_key, host=args.host, port=args.port, record_requests=False
    )
    try:
        asyncio.run(server.serve_forever())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
