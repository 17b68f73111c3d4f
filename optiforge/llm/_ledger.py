"""The usage/cost ledger of a run, with an optional budget that stops new calls."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from optiforge.errors import BudgetExceeded


@dataclass(frozen=True, slots=True)
class LedgerTotals:
    """A snapshot of a ledger's counters."""

    calls: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


class Ledger:
    """Counts calls, cache hits, tokens and dollars; shared by every LM of one run.

    With ``budget_usd`` and/or ``budget_tokens`` set, ``check()`` raises
    ``BudgetExceeded`` once the spend reaches the budget. The LM checks before each
    new backend call, so calls already in flight finish and are recorded; nothing that
    finished is lost. Cache hits bill nothing and are allowed past an exhausted budget.
    Thread-safe, so sync and async users may share one.
    """

    def __init__(self, budget_usd: float | None = None, budget_tokens: int | None = None) -> None:
        self.budget_usd = budget_usd
        self.budget_tokens = budget_tokens
        self._lock = threading.Lock()
        self.calls = 0
        self.cache_hits = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd = 0.0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens billed so far."""
        return self.prompt_tokens + self.completion_tokens

    def totals(self) -> LedgerTotals:
        """A consistent snapshot of the counters."""
        with self._lock:
            return LedgerTotals(self.calls, self.cache_hits, self.prompt_tokens, self.completion_tokens, self.cost_usd)

    def exhausted(self) -> str | None:
        """Why the budget is spent, or None while there is budget left."""
        if self.budget_usd is not None and self.cost_usd >= self.budget_usd:
            return f"USD budget spent: ${self.cost_usd:.4f} of ${self.budget_usd:.4f}"
        if self.budget_tokens is not None and self.total_tokens >= self.budget_tokens:
            return f"token budget spent: {self.total_tokens} of {self.budget_tokens} tokens"
        return None

    def check(self) -> None:
        """Raise ``BudgetExceeded`` if no new call may start."""
        reason = self.exhausted()
        if reason is not None:
            raise BudgetExceeded(f"{reason}; no new LLM calls are made (raise the budget to continue)")

    def add(self, prompt_tokens: int, completion_tokens: int, cost_usd: float, *, cache_hit: bool = False) -> None:
        """Record one finished call (a cache hit bills nothing but is counted)."""
        with self._lock:
            self.calls += 1
            if cache_hit:
                self.cache_hits += 1
                return
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens
            self.cost_usd += cost_usd

    def __repr__(self) -> str:
        t = self.totals()
        return (
            f"Ledger(calls={t.calls}, cache_hits={t.cache_hits}, prompt_tokens={t.prompt_tokens}, "
            f"completion_tokens={t.completion_tokens}, cost_usd={t.cost_usd:.6f}, "
            f"budget_usd={self.budget_usd}, budget_tokens={self.budget_tokens})"
        )
