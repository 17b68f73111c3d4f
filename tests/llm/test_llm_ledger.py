"""Ledger totals and the budget stop: new calls refused, finished and in-flight work kept."""

from __future__ import annotations

import asyncio

import pytest

from optiforge.errors import BudgetExceeded
from optiforge.llm import LM, Ledger, ScriptedLM


def test_totals_add_up_over_calls_and_lms():
    ledger = Ledger()
    a = ScriptedLM(["x" * 40], ledger=ledger)
    b = ScriptedLM(["y" * 80], ledger=ledger)
    ca = a.complete_sync("hello")
    cb = b.complete_sync("world")
    t = ledger.totals()
    assert t.calls == 2 and t.cache_hits == 0
    assert t.prompt_tokens == ca.usage.prompt_tokens + cb.usage.prompt_tokens
    assert t.completion_tokens == 10 + 20
    assert t.cost_usd == 0.0
    assert a.ledger is b.ledger is ledger


def test_token_budget_stops_new_calls_and_keeps_finished_results():
    ledger = Ledger(budget_tokens=30)
    lm = ScriptedLM(["a" * 200, "never sent"], ledger=ledger)
    done = lm.complete_sync("first")  # starts under budget, finishes over it
    assert done.text == "a" * 200
    with pytest.raises(BudgetExceeded, match="token budget spent") as info:
        lm.complete_sync("second")
    assert info.value.exit_code == 4
    assert len(lm.calls) == 1 and lm.remaining == 1
    assert ledger.totals().calls == 1


def test_usd_budget_from_settings(monkeypatch, fake_server):
    # gpt-4o-mini has a price in litellm's bundled cost map, so the direct backend bills it.
    monkeypatch.setenv("OPTIFORGE_BUDGET_USD", "0.000001")
    from optiforge.config import get_settings

    get_settings.cache_clear()
    server = fake_server(reply="word " * 200)
    lm = LM.from_settings(model="openai/gpt-4o-mini", api_base=server.base_url, cache=False)
    assert lm.ledger.budget_usd == 0.000001
    first = lm.complete_sync("q")
    assert first.cost_usd > 0
    with pytest.raises(BudgetExceeded, match="USD budget spent"):
        lm.complete_sync("q2")
    assert len(server.requests) == 1


def test_calls_in_flight_finish_and_are_recorded(fake_server):
    server = fake_server(latency_s=0.2, reply="z" * 400)
    ledger = Ledger(budget_tokens=1)
    lm = LM("openai/m", api_base=server.base_url, cache=False, ledger=ledger)

    async def main():
        async with lm:
            flight = await asyncio.gather(*(lm.complete(f"q{i}") for i in range(5)))
            with pytest.raises(BudgetExceeded):
                await lm.complete("late")
            return flight

    flight = asyncio.run(main())
    assert [c.text for c in flight] == ["z" * 400] * 5
    assert ledger.totals().calls == 5
    assert ledger.totals().completion_tokens == sum(c.usage.completion_tokens for c in flight)
    assert len(server.requests) == 5


def test_cache_hits_still_served_after_budget_is_spent(tmp_path):
    from optiforge.llm import Cache

    ledger = Ledger(budget_tokens=5)
    lm = ScriptedLM(["long reply " * 10], ledger=ledger, cache=Cache(tmp_path / "c.sqlite"))
    lm.complete_sync("q")
    assert lm.complete_sync("q").cache_hit
    with pytest.raises(BudgetExceeded):
        lm.complete_sync("new question")
