"""Infeasible and unbounded models: statuses, IIS mapped to constraint names, ray variables."""

from __future__ import annotations

from optiforge.solvers import Formulation, solve


def _conflict(domain: str = "continuous") -> Formulation:
    return Formulation.parse({
        "sets": [{"name": "I", "elements": ["a", "b"]}],
        "variables": [{"name": "x", "index": ["I"], "domain": domain}],
        "objective": {"sense": "min", "expression": "sum(x[i] for i in I)"},
        "constraints": [
            {"name": "supply", "expression": "sum(x[i] for i in I) <= 10"},
            {"name": "demand", "expression": "sum(x[i] for i in I) >= 20"},
            {"name": "cap", "for": "i in I", "expression": "x[i] <= 100"},
        ],
    })


def test_iis_names_the_conflicting_constraints():
    r = solve(_conflict())
    assert r.status == "infeasible"
    rows = [n for n in r.iis or [] if not n.startswith("bounds of")]
    assert sorted(rows) == ["demand", "supply"]
    assert r.values == {} and r.objective is None


def test_iis_of_an_infeasible_milp_uses_its_relaxation():
    r = solve(_conflict("integer"))
    assert r.status == "infeasible"
    assert {"supply", "demand"} <= set(r.iis or [])


def test_indexed_rows_in_iis():
    f = Formulation.parse({
        "sets": [{"name": "P", "elements": ["p1", "p2"]}],
        "parameters": [{"name": "cap", "index": ["P"], "value": [5, 50]}],
        "variables": [{"name": "x", "index": ["P"]}],
        "objective": {"sense": "min", "expression": "sum(x[p] for p in P)"},
        "constraints": [
            {"name": "capacity", "for": "p in P", "expression": "x[p] <= cap[p]"},
            {"name": "need", "expression": "x['p1'] >= 10"},
        ],
    })
    r = solve(f)
    assert r.status == "infeasible"
    assert "capacity['p1']" in (r.iis or []) and "need" in (r.iis or [])
    assert "capacity['p2']" not in (r.iis or [])


def test_integer_only_infeasibility_has_no_iis():
    f = Formulation.parse({
        "variables": [{"name": "x", "domain": "integer"}],
        "objective": {"sense": "min", "expression": "x"},
        "constraints": [{"name": "lo", "expression": "2*x >= 1"}, {"name": "hi", "expression": "2*x <= 1.5"}],
    })
    r = solve(f)
    assert r.status == "infeasible" and r.iis is None
    assert "relaxation" in r.message


def test_unbounded_names_the_ray_variables():
    f = Formulation.parse({
        "variables": [{"name": "x"}, {"name": "y"}],
        "objective": {"sense": "max", "expression": "x + 0*y"},
        "constraints": [{"name": "c", "expression": "y <= 4"}],
    })
    r = solve(f)
    assert r.status == "unbounded"
    assert r.unbounded_vars == ["x"]
    assert r.objective is None


def test_constant_false_constraint_is_infeasible_everywhere():
    f = Formulation.parse({
        "parameters": [{"name": "a", "value": 3}],
        "variables": [{"name": "x"}],
        "objective": {"sense": "min", "expression": "x"},
        "constraints": [{"name": "impossible", "expression": "a >= 5"}],
    })
    for backend in ("highs", "scip", "pyomo"):
        assert solve(f, backend=backend).status == "infeasible"

