"""``ScriptedLM``: the offline test double, an LM whose backend follows a script."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from optiforge.errors import LLMError
from optiforge.llm._backend import Backend
from optiforge.llm._cache import Cache
from optiforge.llm._ledger import Ledger
from optiforge.llm._lm import LM
from optiforge.llm._types import Messages, Reply, Request, Usage, approx_tokens, messages_text

#: A scripted reply: text, a pydantic object or dict/list (sent as JSON), a callable
#: ``messages -> reply``, or an exception instance to raise.
ScriptReply = Any
Predicate = str | Callable[[Messages], bool]


class ScriptExhausted(LLMError):
    """A ScriptedLM was asked more questions than its script answers."""


def _render(reply: ScriptReply, messages: Messages) -> str:
    if callable(reply) and not isinstance(reply, type):
        reply = reply(messages)
    if isinstance(reply, BaseException):
        raise reply
    if isinstance(reply, BaseModel):
        return reply.model_dump_json()
    if isinstance(reply, (dict, list)):
        return json.dumps(reply)
    if not isinstance(reply, str):
        raise TypeError(f"a scripted reply must be str, dict, list, BaseModel or callable, not {type(reply).__name__}")
    return reply


class _Rule:
    def __init__(self, predicate: Predicate, reply: ScriptReply) -> None:
        self.predicate = predicate
        # A list reply is consumed in order, one item per matching call.
        self.queue: list[ScriptReply] | None = list(reply) if isinstance(reply, list) else None
        self.reply = reply

    def matches(self, messages: Messages) -> bool:
        if isinstance(self.predicate, str):
            return self.predicate in messages_text(messages)
        return bool(self.predicate(messages))

    def next_reply(self) -> ScriptReply:
        if self.queue is None:
            return self.reply
        if not self.queue:
            raise ScriptExhausted(f"ScriptedLM: the replies for rule {self.predicate!r} are used up")
        return self.queue.pop(0)


class ScriptBackend(Backend):
    """Answers from a script: rules first (first match wins), then replies in order."""

    name = "scripted"
    native_schema = False

    def __init__(self, responses: Sequence[ScriptReply] | None, rules: Sequence[tuple[Predicate, ScriptReply]] | None) -> None:
        self.responses = list(responses or [])
        self.rules = [_Rule(p, r) for p, r in (rules or [])]
        self.calls: list[Messages] = []
        self._lock = threading.Lock()

    async def call(self, req: Request) -> Reply:
        with self._lock:
            self.calls.append([dict(m) for m in req.messages])
            n = len(self.calls)
            reply: ScriptReply = None
            for rule in self.rules:
                if rule.matches(req.messages):
                    reply = rule.next_reply()
                    break
            else:
                if not self.responses:
                    last = messages_text(req.messages[-1:])[:80]
                    raise ScriptExhausted(
                        f"ScriptedLM has no reply for call {n} (script used up, no rule matched); last message: {last!r}"
                    )
                reply = self.responses.pop(0)
        text = _render(reply, req.messages)
        usage = Usage(approx_tokens(messages_text(req.messages)), approx_tokens(text))
        return Reply(text=text, model=req.model, usage=usage, cost_usd=0.0, response_id=f"scripted-{n}", finish_reason="stop")


class ScriptedLM(LM):
    """An LM that answers from a script, for offline tests; it ships with the package.

    ``responses`` are used in order; ``rules`` are ``(substring_or_predicate, reply)`` pairs
    checked first (a substring matches any message's text; a list reply is consumed one
    item per match). A reply is a string, a dict/list or pydantic object (sent as JSON),
    a callable ``messages -> reply``, or an exception instance to raise. Calls go through
    the same path as real models (structured output and repair, ledger, optional cache,
    recording); ``.calls`` holds the messages of every backend call, tokens are counted
    approximately and cost nothing. Running out of script raises ``ScriptExhausted``.
    """

    def __init__(
        self,
        responses: Sequence[ScriptReply] | None = None,
        *,
        rules: Sequence[tuple[Predicate, ScriptReply]] | None = None,
        model: str = "scripted",
        cache: bool | Cache = False,
        ledger: Ledger | None = None,
        **kwargs: Any,
    ) -> None:
        self._script = ScriptBackend(responses, rules)
        kwargs.setdefault("max_retries", 0)
        super().__init__(model, backend=self._script, cache=cache, ledger=ledger, **kwargs)

    @property
    def calls(self) -> list[Messages]:
        """Messages of every call that reached the script, in order."""
        return self._script.calls

    @property
    def remaining(self) -> int:
        """How many ordered replies are left."""
        return len(self._script.responses)
