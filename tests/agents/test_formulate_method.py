"""The runner's `formulate` method: spec modifiers and one cell end to end."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from optiforge.bench import CellContext, make_method, parse_method
from optiforge.datasets import GoldValue, Problem
from optiforge.errors import ConfigError
from optiforge.llm import ScriptedLM

DATA = json.loads((Path(__file__).parent.parent / "data" / "formulate" / "optibench10.json").read_text())
ITEM = next(i for i in DATA if i["index"] == 11)
PROBLEM = Problem(
    id="optibench/11", dataset="optibench", text=ITEM["question"], rule="abs_tol",
    gold=tuple(GoldValue(label=k, value=float(v), is_objective=(k == "The total sugar intake")) for k, v in ITEM["results"].items()),
)


def test_modifiers_configure_the_agent():
    m = make_method(parse_method("formulate+selfcons5+rounds2+understand+fewshot1+pyomo"), {})
    assert m.options == {"samples": 5, "max_rounds": 2, "understand": True, "few_shot": 1, "mode": "pyomo"}
    assert m.name == "formulate+selfcons5+rounds2+understand+fewshot1+pyomo"


def test_unknown_modifier_is_a_one_line_config_error():
    with pytest.raises(ConfigError, match="selfcons<K>"):
        make_method(parse_method("formulate+magic"), {})


def test_one_cell_answers_with_the_gold_labels_and_records_steps():
    lm = ScriptedLM([json.dumps(ITEM["response"])])
    method = make_method(parse_method("formulate"), {})
    ctx = CellContext(lm=lm, seed=0, cell_id="c1")
    out = asyncio.run(method.run(PROBLEM, ctx))
    assert out.status == "answered"
    assert out.answers == {"The number of alpha brand bottles": 4.0, "The number of omega brand bottles": 2.0,
                           "The total sugar intake": 110.0, "objective": 110.0}
    assert [s["step"] for s in ctx.steps][:4] == ["formulate", "solve", "verify", "extract"]
    assert out.meta["verified"] is True and out.meta["llm_calls"] == 1
    # Every queried label was in the prompt the model saw.
    for label in ITEM["results"]:
        assert label in lm.calls[0][-1]["content"]


def test_infeasible_conclusion_is_reported_as_no_solution():
    bad = json.loads(json.dumps(ITEM["response"]))
    bad["formulation"]["constraints"].append({"name": "tiny", "expression": "sum(x[b] for b in Brands) <= 1"})
    method = make_method(parse_method("formulate+rounds1"), {})
    out = asyncio.run(method.run(PROBLEM, CellContext(lm=ScriptedLM([json.dumps(bad)]), seed=0, cell_id="c2")))
    assert out.no_solution and out.answers is None and out.error_category == "infeasible"
