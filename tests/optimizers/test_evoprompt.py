"""EvoPrompt: population bookkeeping for GA and DE, one call per step at most, state round trip."""

from __future__ import annotations

import json

from optiforge.graph import Parameter, bundle
from optiforge.llm import ScriptedLM
from optiforge.optimizers import EvoPrompt

use = bundle(lambda prompt: prompt, name="use")
SCORES = {"A": 0.1, "B": 0.5, "C": 0.3, "D": 0.9, "E": 0.0, "F": 0.4, "G": 0.8}


def run_steps(opt, p, n):
    for _ in range(n):
        opt.zero_feedback()
        use(p).backward("fb", score=SCORES[p.value])
        opt.step_sync()


def child(v):
    return json.dumps({"suggestion": {"prompt": v}})


def test_ga_generation_bookkeeping():
    p = Parameter("A", name="prompt")
    lm = ScriptedLM(rules=[("Seed candidate", child("B")), ("Parent 1", [child("C"), child("D"), child("F")])])
    opt = EvoPrompt([p], lm, variant="ga", population_size=2, seed=1)
    run_steps(opt, p, 1)  # A scored; population short: one paraphrase call makes B
    assert [m["values"]["prompt"] for m in opt.population] == ["A", "B"]
    assert opt.population[0]["score"] == 0.1 and opt.population[1]["score"] is None
    run_steps(opt, p, 1)  # B scored; first child C
    assert opt.current == ["child", -1] and p.value == "C"
    run_steps(opt, p, 1)  # C scored (child 1 of 2); second child D
    assert [c["values"]["prompt"] for c in opt.children] == ["C"] and opt.generation == 0
    run_steps(opt, p, 1)  # D scored: generation complete, survivors = best 2 of A,B,C,D; child F
    assert opt.generation == 1 and opt.children == []
    assert [(m["values"]["prompt"], m["score"]) for m in opt.population] == [("D", 0.9), ("B", 0.5)]
    assert opt.best()["values"] == {"prompt": "D"}
    assert p.value == "F" and opt.current == ["child", -1]
    assert len(lm.calls) == 4  # one call per step: paraphrase + three children
    ga_prompt = lm.calls[1][1]["content"]
    assert "Parent 1 (score " in ga_prompt and "Parent 2 (score " in ga_prompt


def test_de_replaces_member_only_when_child_is_not_worse():
    p = Parameter("A", name="prompt")
    lm = ScriptedLM(rules=[("Candidate A:", [child("E"), child("G")])])
    opt = EvoPrompt([p], lm, variant="de", population_size=3,
                    initial=[{"prompt": "B"}, {"prompt": "C"}], seed=0)
    run_steps(opt, p, 3)  # scores A, B, C; then DE child for member 0
    assert [m["score"] for m in opt.population] == [0.1, 0.5, 0.3]
    assert opt.current == ["child", 0] and p.value == "E"
    de_prompt = lm.calls[0][1]["content"]
    assert 'Best so far (score 0.5): {"prompt": "B"}' in de_prompt
    assert 'Current (score 0.1): {"prompt": "A"}' in de_prompt
    run_steps(opt, p, 1)  # E (0.0) is worse than A (0.1): A stays; next target member 1
    assert opt.population[0]["values"] == {"prompt": "A"} and opt.de_index == 1
    assert opt.current == ["child", 1] and p.value == "G"
    state = json.loads(json.dumps(opt.state_dict()))
    q = Parameter("A", name="prompt")
    opt2 = EvoPrompt([q], ScriptedLM([]), variant="de", population_size=3)
    opt2.load_state_dict(state)
    assert q.value == "G" and opt2.population == opt.population and opt2.current == ["child", 1]
    assert opt2.rng.getstate() == opt.rng.getstate()


def test_refused_child_falls_back_to_reevaluating_best():
    p = Parameter("A", name="prompt", constraint=lambda v: "too long" if len(v) > 3 else None)
    lm = ScriptedLM(rules=[("Parent 1", child("TOOLONG"))])
    opt = EvoPrompt([p], lm, variant="ga", population_size=2, initial=[{"prompt": "B"}])
    run_steps(opt, p, 2)
    assert p.value == "B" and opt.current == ["member", 1]
    assert opt.pending_rejections[0].reason == "too long"
