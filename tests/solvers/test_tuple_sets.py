"""Sets of pairs (arcs): binding '(i, j) in Arcs', variables and tables indexed by them."""

from __future__ import annotations

import pytest

from optiforge.errors import FormulationError
from optiforge.solvers import Formulation, read_mps, solve, verify, write_mps


def shortest_path(extra: list | None = None) -> dict:
    # s-a-b-t costs 1 + 2 + 1 = 4; the alternatives cost 5 (s-b-t) and 7 (s-a-t)
    return {
        "sets": [
            {"name": "N", "elements": ["s", "a", "b", "t"]},
            {"name": "A", "elements": [["s", "a"], ["s", "b"], ["a", "b"], ["a", "t"], ["b", "t"]]},
        ],
        "parameters": [
            {"name": "cost", "index": ["A"], "value": {"s,a": 1, "(s, b)": 4, "a,b": 2, "a, t": 6, "b,t": 1}},
            {"name": "supply", "index": ["N"], "value": {"s": 1, "a": 0, "b": 0, "t": -1}},
        ],
        "variables": [{"name": "flow", "index": ["A"], "upper": 1}],
        "objective": {"sense": "min", "expression": "sum(cost[i, j] * flow[i, j] for (i, j) in A)"},
        "constraints": [
            {
                "name": "balance",
                "for": "n in N",
                "expression": "sum(flow[i, j] for (i, j) in A if i == n) - sum(flow[i, j] for (i, j) in A if j == n) == supply[n]",
            },
            {"name": "arc_cap", "for": "(i, j) in A if i != 's'", "expression": "flow[i, j] <= 1"},
            *(extra or []),
        ],
    }


@pytest.mark.parametrize("backend", ["highs", "pyomo", "scip"])
def test_shortest_path_over_arcs(backend):
    f = Formulation.parse(shortest_path())
    r = solve(f, backend=backend)
    assert r.status == "optimal" and r.objective == pytest.approx(4)
    assert r.value("flow", ("a", "b")) == pytest.approx(1)
    assert r.values["flow"]["s,b"] == pytest.approx(0)
    assert verify(f, r).ok


def test_round_trip_and_iis_names_with_pairs(tmp_path):
    f = Formulation.parse(shortest_path())
    assert solve(read_mps(write_mps(f, tmp_path / "sp.mps"))).objective == pytest.approx(4)
    bad = Formulation.parse(shortest_path([{"name": "block", "for": "(i, j) in A if j == 't'", "expression": "flow[i, j] <= 0"}]))
    r = solve(bad)
    assert r.status == "infeasible"
    assert "block['a', 't']" in (r.iis or []) and "block['b', 't']" in (r.iis or [])


def test_pair_binding_errors():
    d = shortest_path()
    d["constraints"][1]["for"] = "i in A"
    with pytest.raises(FormulationError, match=r"2-tuples: bind them as '\(i1, i2\) in A'"):
        Formulation.parse(d)
    d = shortest_path()
    d["objective"]["expression"] = "sum(cost[i] * flow[i, j] for (i, j) in A)"
    with pytest.raises(FormulationError, match="takes 2 index"):
        Formulation.parse(d)
    d = shortest_path()
    d["constraints"][1]["expression"] = "flow[j, i] <= 1"
    with pytest.raises(FormulationError, match=r"\('a', 's'\)|not in set 'A'"):
        solve(Formulation.parse(d))
    d = shortest_path()
    d["sets"][1]["elements"] = [["s", "a"], "b"]
    with pytest.raises(FormulationError, match="mix of single elements and tuples"):
        Formulation.parse(d)
