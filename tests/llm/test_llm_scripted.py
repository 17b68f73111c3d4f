"""ScriptedLM: replies by order and by rule, through the same path as real backends."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from optiforge.errors import AuthenticationError, LLMError
from optiforge.llm import LM, Completion, ScriptedLM, ScriptExhausted


class Point(BaseModel):
    x: int
    y: int


def test_replies_in_order_and_calls_recorded():
    lm = ScriptedLM(["first", "second"])
    a = lm.complete_sync("one")
    b = lm.complete_sync([{"role": "system", "content": "be brief"}, {"role": "user", "content": "two"}])
    assert isinstance(a, Completion) and isinstance(lm, LM)
    assert (a.text, b.text) == ("first", "second")
    assert lm.calls[0] == [{"role": "user", "content": "one"}]
    assert lm.calls[1][0] == {"role": "system", "content": "be brief"}
    assert a.cost_usd == 0.0 and a.usage.total_tokens > 0 and not a.cache_hit
    assert lm.remaining == 0


def test_rules_take_precedence_and_list_replies_are_consumed():
    lm = ScriptedLM(
        ["fallback"],
        rules=[
            ("capital of France", "Paris"),
            (lambda msgs: "count" in msgs[-1]["content"], ["1", "2"]),
        ],
    )
    assert lm.complete_sync("What is the capital of France?").text == "Paris"
    assert lm.complete_sync("capital of France again").text == "Paris"
    assert lm.complete_sync("count").text == "1"
    assert lm.complete_sync("count").text == "2"
    with pytest.raises(ScriptExhausted, match="used up"):
        lm.complete_sync("count")
    assert lm.complete_sync("anything else").text == "fallback"


def test_callable_model_and_exception_replies():
    lm = ScriptedLM(
        [
            lambda msgs: msgs[-1]["content"].upper(),
            Point(x=1, y=2),
            {"x": 3, "y": 4},
            AuthenticationError("scripted failure"),
        ]
    )
    assert lm.complete_sync("shout").text == "SHOUT"
    assert lm.complete_sync("p", schema=Point).parsed == Point(x=1, y=2)
    assert lm.complete_sync("p", schema=Point).parsed == Point(x=3, y=4)
    with pytest.raises(AuthenticationError, match="scripted failure"):
        lm.complete_sync("boom")


def test_running_out_of_script_is_a_clear_error():
    lm = ScriptedLM(["only one"])
    lm.complete_sync("a")
    with pytest.raises(ScriptExhausted, match=r"no reply for call 2.*'b'") as info:
        lm.complete_sync("b")
    assert isinstance(info.value, LLMError)


def test_async_use_concurrently_and_sync_inside_running_loop():
    lm = ScriptedLM(rules=[("", lambda msgs: "echo " + msgs[-1]["content"])])

    async def main() -> list[str]:
        results = await asyncio.gather(*(lm.complete(f"q{i}") for i in range(20)))
        # complete_sync must also work from inside a running loop (it runs elsewhere).
        inner = lm.complete_sync("inner")
        return [r.text for r in results] + [inner.text]

    texts = asyncio.run(main())
    assert texts[:20] == [f"echo q{i}" for i in range(20)]
    assert texts[-1] == "echo inner"
    assert lm.ledger.calls == 21


def test_sample_gives_n_completions_with_distinct_sample_indices(tmp_path):
    lm = ScriptedLM(["a", "b", "c"], cache=True)
    first = lm.sample_sync("pick", 3)
    assert sorted(c.text for c in first) == ["a", "b", "c"]
    # Reruns are reproducible: every sample index is cached on its own.
    again = lm.sample_sync("pick", 3)
    assert [c.text for c in again] == [c.text for c in first]
    assert all(c.cache_hit for c in again)


def test_bad_messages_are_rejected():
    from optiforge.errors import InputError

    lm = ScriptedLM(["x"])
    with pytest.raises(InputError):
        lm.complete_sync([{"content": "no role"}])
    with pytest.raises(InputError):
        lm.complete_sync([])


def test_nested_sync_calls_do_not_deadlock():
    inner = ScriptedLM(["inner answer"])
    outer = ScriptedLM([lambda msgs: "outer saw: " + inner.complete_sync("nested").text])
    assert outer.complete_sync("go").text == "outer saw: inner answer"
