"""The Pyomo-code mode: generated code runs only inside the sandbox, with a harness that re-checks it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from optiforge.agents.formulate import FormulateAgent
from optiforge.datasets import GoldValue, check
from optiforge.llm import ScriptedLM

DATA = json.loads((Path(__file__).parent.parent / "data" / "formulate" / "optibench10.json").read_text())
MILK = next(i for i in DATA if i["index"] == 5)
LABELS = list(MILK["results"])
GOLD = [GoldValue(label=k, value=float(v), is_objective=(k == "Total profit")) for k, v in MILK["results"].items()]

GOOD = '''Here is the model.

```python
import pyomo.environ as pyo

def build_model():
    m = pyo.ConcreteModel()
    m.black = pyo.Var(domain=pyo.NonNegativeIntegers)
    m.green = pyo.Var(domain=pyo.NonNegativeIntegers)
    m.milk = pyo.Constraint(expr=300 * m.black + 200 * m.green <= 50000)
    m.ratio = pyo.Constraint(expr=m.black >= 3 * m.green)
    m.min_green = pyo.Constraint(expr=m.green >= 10)
    m.profit = pyo.Objective(expr=2.5 * m.black + 7 * m.green, sense=pyo.maximize)
    return m

def answers(m):
    return {
        "The number of bottles of black milk tea": pyo.value(m.black),
        "The number of bottles of green milk tea": pyo.value(m.green),
        "Total profit": pyo.value(m.profit),
    }
```
'''


def agent(replies, **kw):
    return FormulateAgent(ScriptedLM(replies), mode="pyomo", time_limit=20, **kw)


def test_pyomo_code_answers_a_real_problem_through_the_sandbox():
    res = agent([GOOD]).run(MILK["question"], queried=LABELS)
    assert res.status == "answered" and res.verified, res.summary()
    assert res.solver == "highs (pyomo, sandboxed)"
    assert check("abs_tol", res.answers, GOLD).correct
    assert "def build_model" in (res.code or "")


def test_a_crash_in_generated_code_is_fed_back_and_repaired():
    broken = GOOD.replace("m.green >= 10", "m.greem >= 10")
    a = agent([broken, GOOD])
    res = a.run(MILK["question"], queried=LABELS)
    assert res.status == "answered" and res.rounds == 2
    feedback = a.lm.calls[1][-1]["content"]
    assert "greem" in feedback and "AttributeError" in feedback


def test_infeasible_pyomo_model_is_reported():
    infeasible = GOOD.replace("m.green >= 10", "m.green >= 1000")
    res = agent([infeasible], max_rounds=1).run(MILK["question"], queried=LABELS)
    assert res.status == "infeasible"


def test_generated_code_cannot_see_secrets_or_the_host(monkeypatch, tmp_path):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-leak")
    marker = tmp_path / "planted.txt"
    marker.write_text("host file")
    nosy = GOOD.replace(
        "def answers(m):",
        "import os\n"
        f"LEAK = os.environ.get('OPENAI_API_KEY', 'none')\n"
        f"try:\n    HOST = open({str(marker)!r}).read()\nexcept OSError:\n    HOST = 'unreadable'\n"
        "def answers(m):\n    print('LEAK', LEAK, 'HOST', HOST)",
    )
    res = agent([nosy]).run(MILK["question"], queried=LABELS)
    assert res.status == "answered"
    solve_step = next(s for s in res.steps if s["step"] == "solve")
    dump = json.dumps(res.model_dump())
    assert "sk-should-not-leak" not in dump
    assert "host file" not in dump
    assert os.environ["OPENAI_API_KEY"] == "sk-should-not-leak"
    assert solve_step["status"] == "optimal"


def test_runaway_code_is_stopped_by_the_sandbox_limits():
    loop = GOOD.replace("def build_model():\n", "def build_model():\n    while True:\n        pass\n")
    res = FormulateAgent(ScriptedLM([loop]), mode="pyomo", time_limit=2, max_rounds=1).run(MILK["question"], queried=LABELS)
    assert res.status == "no_answer" and res.error_category == "code"
    assert "limit" in (res.error_message or ""), res.error_message  # names the limit, or says a limit killed it


def test_reply_without_code_is_a_parse_failure():
    res = agent(["I would use Pyomo for this."], max_rounds=1).run(MILK["question"], queried=LABELS)
    assert res.status == "no_answer" and res.error_category == "parse"


@pytest.mark.parametrize("mode", ["nonsense"])
def test_unknown_mode_is_rejected(mode):
    with pytest.raises(ValueError):
        FormulateAgent(ScriptedLM([]), mode=mode)


def test_nonlinear_pyomo_model_is_refused_with_a_usable_reason():
    """The harness names the nonlinearity and the way out, not a bare DegreeError."""
    garden = '''```python
import pyomo.environ as pyo

def build_model():
    m = pyo.ConcreteModel()
    m.L = pyo.Var(domain=pyo.NonNegativeReals)
    m.W = pyo.Var(domain=pyo.NonNegativeReals)
    m.fence = pyo.Constraint(expr=m.L + 2 * m.W == 100)
    m.area = pyo.Objective(expr=m.L * m.W, sense=pyo.maximize)
    return m

def answers(m):
    return {"The maximum area of the garden": pyo.value(m.area)}
```'''
    res = FormulateAgent(ScriptedLM([garden]), mode="pyomo", max_rounds=1).run(
        "A garden ...", queried=["The maximum area of the garden"])
    assert res.status == "no_answer" and res.error_category == "code"
    assert "nonlinear" in (res.error_message or "") and res.answers == {}
