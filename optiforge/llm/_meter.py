"""``MeteredLM``: count one unit of work's calls, tokens and cost on top of a shared LM.

The run's ledger totals everything; a benchmark cell or an agent run wraps the shared LM in
a MeteredLM to know what *it* used. Replies that never validated are counted too.
"""

from __future__ import annotations

from typing import Any

from optiforge.errors import BudgetExceeded, OutputParseError


class MeteredLM:
    """Wraps an LM and counts the calls, tokens and cost that go through this wrapper.

    Tokens are what the calls used (a cache hit counts its original tokens, so a resumed
    run reports the same size); ``cost_usd`` is what was billed this time. ``budget_hit``
    remembers a ``BudgetExceeded`` even if the caller swallowed it. Everything else is
    forwarded to the wrapped LM.
    """

    def __init__(self, lm: Any) -> None:
        self._lm = lm
        self.calls = 0
        self.cache_hits = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd = 0.0
        self.budget_hit = False

    async def complete(self, *args: Any, **kwargs: Any) -> Any:
        """``LM.complete``, counted."""
        try:
            comp = await self._lm.complete(*args, **kwargs)
        except BudgetExceeded:
            # Remembered here, so a method that swallows the error still yields "not run".
            self.budget_hit = True
            raise
        except OutputParseError as exc:
            # Replies that never validated were still paid for.
            self.calls += exc.calls or 1
            if exc.usage is not None:
                self.prompt_tokens += exc.usage.prompt_tokens
                self.completion_tokens += exc.usage.completion_tokens
            self.cost_usd += exc.cost_usd
            raise
        self.calls += getattr(comp, "attempts", 1) or 1
        usage = comp.usage
        if comp.cache_hit:
            self.cache_hits += 1
            usage = comp.original_usage or usage
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.cost_usd += comp.cost_usd
        return comp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lm, name)
