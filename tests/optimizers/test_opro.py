"""OPRO: scored history sorted worst-to-best in the meta-prompt, candidate queue, scored feedback needed."""

from __future__ import annotations

import json

import pytest

from optiforge.errors import ConfigError
from optiforge.graph import Parameter, bundle
from optiforge.llm import ScriptedLM
from optiforge.optimizers import OPRO

use = bundle(lambda prompt: prompt, name="use")


def history_block(messages) -> list[str]:
    user = messages[1]["content"]
    block = user.split("#Scored candidates (worst first, best last)\n", 1)[1].split("\n\nWrite ", 1)[0]
    return [line for line in block.splitlines() if line.startswith("values:")]


def test_history_sorted_and_candidates_queued():
    p = Parameter("A", name="prompt")
    replies = [json.dumps({"candidates": [{"prompt": "B"}, {"prompt": "C"}]}),
               json.dumps({"candidates": [{"prompt": "D"}, {"prompt": "E"}]})]
    lm = ScriptedLM(replies)
    opt = OPRO([p], lm, candidates_per_call=2)
    for score in [0.5, 0.9, 0.1]:  # scores of A, B, C
        opt.zero_feedback()
        use(p).backward("fb", score=score)
        opt.step_sync()
    assert len(lm.calls) == 2  # C came from the queue without a call
    assert history_block(lm.calls[0]) == ['values: {"prompt": "A"}']
    assert history_block(lm.calls[1]) == ['values: {"prompt": "C"}', 'values: {"prompt": "A"}',
                                          'values: {"prompt": "B"}']
    assert "score: 0.1" in lm.calls[1][1]["content"]
    assert "Write 2 new candidate(s)" in lm.calls[1][1]["content"]
    assert p.value == "D"
    assert opt.best() == {"values": {"prompt": "B"}, "score": 0.9, "feedback": "fb"}


def test_max_history_keeps_best_and_dedupes():
    p = Parameter("A", name="prompt")
    opt = OPRO([p], ScriptedLM([]), max_history=2)
    hist = [{"values": {"prompt": v}, "score": s, "feedback": ""}
            for v, s in [("A", 0.1), ("B", 0.7), ("A", 0.3), ("C", 0.5)]]
    ranked = opt.ranked(hist)
    assert [(e["values"]["prompt"], e["score"]) for e in ranked] == [("C", 0.5), ("B", 0.7)]


def test_requires_score_and_rejects_invalid_candidates():
    p = Parameter(1, "number", name="x", constraint=(0, 10))
    use(p).backward("no score")
    opt = OPRO([p], ScriptedLM([json.dumps({"candidates": [{"x": 50}, {"y": 1}]})]))
    with pytest.raises(ConfigError, match="scored feedback"):
        opt.step_sync()
    opt.zero_feedback()
    use(p).backward("scored", score=1.0)
    prop = opt.step_sync()
    assert p.value == 1 and len(prop.rejected) == 2
    assert opt.history[0]["score"] == 1.0
