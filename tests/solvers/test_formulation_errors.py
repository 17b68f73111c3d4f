"""Invalid formulations fail with one clear FormulationError naming the element and symbol."""

from __future__ import annotations

import copy

import pytest
import solver_models as M

from optiforge.errors import FormulationError
from optiforge.solvers import Formulation, solve


def _with(expr: str | None = None, *, for_: str | None = "i in Plants", objective: str | None = None, **changes):
    d = copy.deepcopy(M.transport())
    if expr is not None:
        d["constraints"][0]["expression"] = expr
        d["constraints"][0]["for"] = for_
    if objective is not None:
        d["objective"]["expression"] = objective
    d.update(changes)
    return d


def _err(d) -> str:
    with pytest.raises(FormulationError) as info:
        solve(Formulation.parse(d))
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_unknown_symbol_lists_what_exists():
    msg = _err(_with("sum(x[i, j] for j in Markets) <= cap[i]"))
    assert "constraint 'supply'" in msg and "unknown symbol 'cap'" in msg
    assert "parameters: capacity, demand, distance, freight" in msg and "variables: x" in msg
    assert "indices in scope: i" in msg


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("sum(x[i] for j in Markets) <= capacity[i]", "takes 2 index(es) (Plants, Markets), got 1"),
        ("x <= 3", "variable 'x' is indexed by (Plants, Markets)"),
        ("sum(x[i, j] for j in Cities) <= capacity[i]", "unknown set 'Cities'"),
        ("sum(x[i, j] for j in Markets) < capacity[i]", "strict inequality '<'"),
        ("sum(x[i, j] for j in Markets)", "needs a comparison"),
        ("x[i, 'paris'] <= 1", "'paris'"),
        ("__import__('os').system('true') <= 1", "not allowed"),
        ("x[i, 'chicago'].real <= 1", "Attribute"),
        ("sum(x[i, j] for j in Markets) <= capacity[i] ^ 2", "'^' is not a power"),
        ("sum(x[i, j] for j in Markets) <= (capacity[i]", "syntax error"),
        ("lambda: 1 <= 2", "not allowed"),
        ("min(x[i, 'chicago'], 3) <= 1", "auxiliary variable"),
        ("capacity[x[i, 'chicago']] <= 1", "depends on a variable"),
        ("1 <= x[i, 'chicago'] == 3", "range"),
    ],
)
def test_bad_constraint_expressions(expr, fragment):
    assert fragment in _err(_with(expr))


def test_bad_index_value_is_named():
    d = M.production()
    d["constraints"][1]["for"] = "t in T"  # t - 1 = 0 is outside T for t = 1
    msg = _err(d)
    assert "constraint 'balance'" in msg and "index 0" in msg and "'T'" in msg


def test_bad_binding_and_condition():
    assert "cannot read index binding" in _err(_with("x[i, 'chicago'] <= 1", for_="i of Plants"))
    assert "condition" in _err(_with("x[i, 'chicago'] <= 1", for_="i in Plants if x[i, 'chicago'] > 0"))


def test_objective_errors():
    assert "objective: unknown symbol 'y'" in _err(_with(objective="sum(y[i] for i in Plants)"))
    assert "not a comparison" in _err(_with(objective="x['seattle', 'chicago'] <= 3"))


def test_structural_errors():
    d = M.transport()
    d["variables"].append({"name": "capacity"})
    assert "already used" in _err(d)
    d = M.transport()
    d["parameters"][0]["value"] = {"seattle": 350}
    assert "no value for 'san-diego'" in _err(d)
    d = M.transport()
    d["parameters"][0]["value"] = {"seattle": 350, "denver": 1, "san-diego": 3}
    assert "key 'denver' is not in set 'Plants'" in _err(d)
    d = M.transport()
    d["parameters"][2]["value"] = [[1, 2], [3, 4]]
    assert "has 2 entries but set 'Markets' has 3" in _err(d)
    d = M.transport()
    d["variables"][0]["index"] = ["Plants", "Nowhere"]
    assert "unknown index set 'Nowhere'" in _err(d)
    d = M.transport()
    d["sets"][0] = {"name": "Plants"}
    assert "give 'elements'" in _err(d)
    d = M.transport()
    d["constraints"].append(dict(d["constraints"][0]))
    assert "duplicate constraint name" in _err(d)
    d = M.transport()
    d["variables"][0]["upper"] = "nothing"
    assert "upper bound 'nothing' is not a parameter" in _err(d)


def test_default_fills_missing_table_entries():
    d = M.transport()
    d["parameters"][2] = {"name": "distance", "index": ["Plants", "Markets"], "value": {"seattle": {"new-york": 2.5}}, "default": 1.0}
    r = solve(Formulation.parse(d))
    assert r.status == "optimal"


def test_equals_sign_and_unicode_are_normalised():
    d = _with("sum(x[i, j] for j in Markets) ≤ capacity[i]")
    d["constraints"][1]["expression"] = "sum(x[i, j] for i in Plants) = demand[j]"
    r = solve(Formulation.parse(d))
    assert r.objective == pytest.approx(M.TRANSPORT_OPT)


def test_json_schema_is_flat_and_has_for_key():
    schema = Formulation.model_json_schema()
    assert "for" in schema["$defs"]["ConstraintDef"]["properties"]
    d = Formulation.parse(M.transport())
    assert '"for":"i in Plants"' in d.to_json()
    assert Formulation.parse(d.to_json()) == d


def test_common_spellings_are_accepted():
    f = Formulation.parse({
        "sets": [{"name": "I", "start": 1, "end": 2}],
        "variables": [{"name": "x", "index": ["I", "I"], "domain": "Integer"}],
        "objective": {"sense": "Maximize", "expression": "sum(x[i][j] for i in I for j in I)"},
        "constraints": [{"name": "row", "for": "i ∈ I", "expression": "sum(x[i][j] for j in I) <= 3.5"}],
    })
    assert f.variables[0].domain == "integer" and f.objective.sense == "max"
    r = solve(f)
    assert r.objective == pytest.approx(6)
    assert r.value("x", 1, 2) in (0.0, 3.0)


def test_long_explicit_sums_work_and_pathological_ones_fail_cleanly():
    n = 200
    f = Formulation.parse({
        "sets": [{"name": "I", "start": 1, "end": n}],
        "variables": [{"name": "x", "index": ["I"], "upper": 1}],
        "objective": {"sense": "max", "expression": " + ".join(f"x[{i}]" for i in range(1, n + 1))},
        "constraints": [{"name": "c", "expression": " + ".join(f"{i}*x[{i}]" for i in range(1, n + 1)) + " <= 50"}],
    })
    assert solve(f).objective == pytest.approx(9.5)  # x1..x9 (45) plus half of x10
    for text in ["+".join(["z"] * 600), "(" * 400 + "z" + ")" * 400, "-" * 5000 + "z"]:
        with pytest.raises(FormulationError):
            Formulation.parse({"variables": [{"name": "z"}], "objective": {"sense": "max", "expression": text}})


def test_flat_tables_with_joined_keys_are_read_as_nested():
    d = M.transport()
    d["parameters"][2]["value"] = {
        "seattle,new-york": 2.5, "seattle, chicago": 1.7, "(seattle, topeka)": 1.8,
        "('san-diego', 'new-york')": 2.5, "san-diego,chicago": 1.8, "san-diego,topeka": 1.4,
    }
    assert solve(Formulation.parse(d)).objective == pytest.approx(M.TRANSPORT_OPT)
    d["parameters"][2]["value"] = {"seattle,paris": 1.0}
    assert "not in set 'Markets'" in _err(d)
