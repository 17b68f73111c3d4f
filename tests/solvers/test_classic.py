"""Textbook LP/MILP models with hand-known optima, through every backend, checked by verify."""

from __future__ import annotations

import pytest
import solver_models as M

from optiforge.solvers import Formulation, SolveResult, classify, solve, verify

CASES = [
    (M.diet, M.DIET_OPT, "LP"),
    (M.transport, M.TRANSPORT_OPT, "LP"),
    (M.knapsack, M.KNAPSACK_OPT, "MILP"),
    (M.assignment, M.ASSIGNMENT_OPT, "MILP"),
    (M.production, M.PRODUCTION_OPT, "MILP"),
]


@pytest.mark.parametrize("backend", ["auto", "highs", "pyomo", "scip"])
@pytest.mark.parametrize(("build", "optimum", "kind"), CASES, ids=[c[0].__name__ for c in CASES])
def test_known_optimum(build, optimum, kind, backend):
    f = Formulation.parse(build())
    r = solve(f, backend=backend)
    assert r.status == "optimal", r.message
    assert r.objective == pytest.approx(optimum, rel=1e-7)
    assert r.model_class == kind
    report = verify(f, r)
    assert report.ok, report.message
    assert report.objective == pytest.approx(optimum, rel=1e-7)


def test_auto_uses_highs_for_linear():
    f = Formulation.parse(M.transport())
    assert classify(f).backend == "highs"
    r = solve(f)
    assert r.solver == "highs"
    assert r.build_time_s >= 0 and r.solve_time_s >= 0
    assert "HiGHS" in r.log or "Presolv" in r.log or r.log  # the log is captured, not printed


def test_values_by_name_and_index():
    r = solve(Formulation.parse(M.transport()))
    assert r.value("x", "seattle", "chicago") == pytest.approx(300)
    assert r.values["x"]["san-diego"]["topeka"] == pytest.approx(275)
    assert set(r.nonzeros()["x"]) <= set(r.entries("x"))
    assert r.nonzeros()["x"][("seattle", "chicago")] == pytest.approx(300)
    again = SolveResult.model_validate_json(r.model_dump_json())
    assert again.value("x", "seattle", "chicago") == pytest.approx(300)


def test_mip_gap_and_integer_values():
    r = solve(Formulation.parse(M.production()))
    assert r.mip_gap is not None and r.mip_gap <= 1e-4
    assert [r.value("p", t) for t in (1, 2, 3)] == pytest.approx([200, 50, 200])


def test_scalar_variable_values():
    r = solve(Formulation.parse(M.rectangle()))
    assert r.value("L") == pytest.approx(10, abs=1e-4)
    with pytest.raises(KeyError):
        r.value("L", 1)


def test_solver_output_is_not_printed(capfd):
    solve(Formulation.parse(M.knapsack()))
    solve(Formulation.parse(M.rectangle()))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_time_limit_is_passed_through():
    r = solve(Formulation.parse(M.knapsack()), time_limit=5)
    assert r.status == "optimal"
