"""The one door to language models: cache, cost ledger, budget, retries, structured output.

``LM`` talks to hosted providers through litellm and to OpenAI-compatible servers (vLLM,
llama.cpp, Ollama) through a direct aiohttp backend. ``ScriptedLM`` and ``ReplayLM``
answer offline, for tests and reproducible reruns. ``optiforge.llm.fakeserver`` is a
loopback OpenAI-compatible server for tests and benchmarks.

    lm = LM("openai/qwen2.5-7b", api_base="http://127.0.0.1:8000/v1")   # or LM.from_settings()
    c = await lm.complete("2+2?", temperature=0)          # c.text, c.usage, c.cost_usd, c.cache_hit
    plan = await lm.complete(messages, schema=Plan)        # plan.parsed is a validated Plan
    lm.complete_sync("hi")                                 # from sync code
    ScriptedLM(["first reply", {"x": 1}], rules=[("capital", "Paris")])   # offline tests

Every call goes through one path: cache (SQLite, key without secrets) -> budget check ->
concurrency limit -> backend with retries -> ledger -> record file. See ``LM`` for options.
"""

from __future__ import annotations

from optiforge.llm._cache import Cache
from optiforge.llm._endpoint import EndpointStatus, check_endpoint
from optiforge.llm._ledger import Ledger, LedgerTotals
from optiforge.llm._lm import LM, run_sync
from optiforge.llm._meter import MeteredLM
from optiforge.llm._replay import ReplayLM, ReplayMissing
from optiforge.llm._scripted import ScriptedLM, ScriptExhausted
from optiforge.llm._types import Completion, Usage

__all__ = [
    "LM",
    "Cache",
    "Completion",
    "EndpointStatus",
    "Ledger",
    "LedgerTotals",
    "MeteredLM",
    "ReplayLM",
    "ReplayMissing",
    "ScriptExhausted",
    "ScriptedLM",
    "Usage",
    "check_endpoint",
    "run_sync",
]
