"""Fixtures for the bench tests: small problems, a scripted model, a loopback fake server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def answer_for(text: str) -> dict:
    """The scripted model's reply: right for even bounds, off by one for odd ones."""
    m = re.search(r"x <= (\d+)", text)
    if m is None:
        return {"status": "infeasible", "values": []}
    i = int(m.group(1))
    return {"status": "optimal", "values": [{"label": "objective", "value": i if i % 2 == 0 else i + 1}]}


def fake_reply(body: dict) -> str:
    """Reply function for FakeOpenAIServer: answer the last user message."""
    user = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
    return json.dumps(answer_for(user))


def make_problems(n: int, dataset: str = "mini", rule: str = "abs_tol"):
    """``n`` tiny problems whose gold objective is their bound."""
    from optiforge.datasets import GoldValue, Problem

    return [
        Problem(id=f"{dataset}/p{i}", dataset=dataset, text=f"Maximize x subject to x <= {i}.",
                gold=(GoldValue(label="objective", value=float(i)),), rule=rule)
        for i in range(1, n + 1)
    ]


def scripted_factory(calls: list | None = None):
    """An lm_factory returning ScriptedLMs that answer with :func:`answer_for`."""
    from optiforge.llm import ScriptedLM

    def reply(messages):
        if calls is not None:
            calls.append(messages)
        return answer_for(messages[-1]["content"])

    def factory(model, *, ledger, cache, concurrency):
        return ScriptedLM(rules=[("Maximize", reply)], ledger=ledger, model=model.model)

    return factory


@pytest.fixture
def mini_path() -> Path:
    """40 word problems in a JSONL file (gold = the bound)."""
    return DATA / "mini.jsonl"


@pytest.fixture
def fake_server():
    """A loopback OpenAI-compatible server answering like the scripted model (20 ms latency)."""
    from optiforge.llm.fakeserver import FakeOpenAIServer

    with FakeOpenAIServer(latency_s=0.02, reply=fake_reply) as srv:
        yield srv


@pytest.fixture
def problems_of():
    """``problems_of(n, dataset=..., rule=...)`` builds problems."""
    return make_problems


@pytest.fixture
def scripted():
    """``scripted(calls=None)`` builds an lm_factory of ScriptedLMs."""
    return scripted_factory


@pytest.fixture
def reply_fn():
    """The fake server's reply function (see :func:`fake_reply`)."""
    return fake_reply
