"""`formulate+optoprime`: the runner trains the agent's prompts on a training set, then evaluates."""

from __future__ import annotations

import json
from pathlib import Path

from optiforge.bench import Store, build_spec, run_experiment
from optiforge.llm import ScriptedLM

DATA = Path(__file__).parent.parent / "data" / "formulate"
ITEMS = json.loads((DATA / "optibench10.json").read_text())
MARK = "Always double-check which quantity each answer expression computes."


def wrong(reply: dict) -> dict:
    bad = json.loads(json.dumps(reply))
    for a in bad["answers"]:
        a["expression"] = "0"  # answers read off the wrong thing
    return bad


def model(messages):
    text = " ".join(m["content"] for m in messages)
    if '"suggestion"' in messages[0]["content"]:  # an OptoPrime step
        new_system = "You are an expert in operations research. " + MARK
        return json.dumps({"reasoning": "answers were all zero", "suggestion": {"system": new_system}})
    item = next(i for i in ITEMS if i["question"] in text)
    return json.dumps(item["response"] if MARK in messages[0]["content"] else wrong(item["response"]))


def test_optoprime_trains_prompts_then_evaluates_with_them(tmp_path):
    calls: list = []

    def factory(spec, *, ledger, cache, concurrency):
        def reply(messages):
            calls.append(messages)
            return model(messages)

        return ScriptedLM(rules=[(lambda m: True, reply)], ledger=ledger, model=spec.model)

    train_file = DATA / "optibench10.json"
    spec = build_spec({
        "datasets": [{"name": "two", "path": str(DATA / "two_items.json"), "ids": ["12"]}],
        "methods": ["formulate+optoprime"],
        "method_settings": {"formulate+optoprime": {"train_dataset": str(train_file), "train_split": "all",
                                                    "train_limit": 2, "train_steps": 1, "batch_size": 2}},
        "models": ["m"], "store": str(tmp_path / "s.sqlite"),
    })
    summary = run_experiment(spec, lm_factory=factory)
    assert summary.correct == 1, "the trained prompt must be used for the evaluation cell"
    optoprime_calls = [c for c in calls if '"suggestion"' in c[0]["content"]]
    assert len(optoprime_calls) == 1
    # The optimizer saw the wrong answers and the expected values as feedback.
    assert "Wrong on problem" in optoprime_calls[0][-1]["content"]
    with Store(tmp_path / "s.sqlite") as store:
        row = store.cells()[0]
        steps = store.steps(row.cell_key)
    train_step = next(s for s in steps if s.get("step") == "train")
    assert train_step["optimizer"] == "optoprime" and Path(train_step["prompts_file"]).is_file()
    saved = json.loads(Path(train_step["prompts_file"]).read_text())
    assert MARK in saved["system"]
