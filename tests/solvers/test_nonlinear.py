"""Nonlinear and non-convex models: SCIP answers them, HiGHS never does."""

from __future__ import annotations

import pytest
import solver_models as M

from optiforge.errors import SolverError
from optiforge.solvers import Formulation, ModelClass, classify, solve, verify


def test_rectangle_of_largest_area_goes_to_scip():
    f = Formulation.parse(M.rectangle())
    c = classify(f)
    assert c.model_class == ModelClass.QP and c.convex is False and c.backend == "scip"
    r = solve(f)
    assert r.solver == "scip" and r.status == "optimal"
    assert r.objective == pytest.approx(100, rel=1e-6)
    assert verify(f, r, tol=1e-6).ok


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_highs_never_answers_nonconvex(backend):
    with pytest.raises(SolverError, match="non-convex"):
        solve(Formulation.parse(M.rectangle()), backend=backend)


def test_ratio_objective():
    f = Formulation.parse(M.ratio())
    assert classify(f).model_class == ModelClass.NLP
    r = solve(f)
    assert r.status == "optimal" and r.objective == pytest.approx(17 / 6, rel=1e-6)
    assert r.value("x") == pytest.approx(5, rel=1e-6)


def test_quadratic_constraint():
    f = Formulation.parse(M.disk())
    assert classify(f).model_class == ModelClass.QCQP
    r = solve(f)
    assert r.status == "optimal" and r.objective == pytest.approx(2, rel=1e-6)
    with pytest.raises(SolverError):
        solve(f, backend="highs")


@pytest.mark.parametrize(("sense", "optimum"), [("min", 2.0), ("max", -2.0)])
def test_convex_qp_goes_to_highs(sense, optimum):
    f = Formulation.parse(M.convex_qp(sense))
    c = classify(f)
    assert c.convex is True and c.backend == "highs"
    r = solve(f)
    assert r.solver == "highs" and r.status == "optimal"
    assert r.objective == pytest.approx(optimum, abs=1e-6)
    assert r.value("x") == pytest.approx(0, abs=1e-5) and r.value("y") == pytest.approx(1, abs=1e-5)
    assert solve(f, backend="scip").objective == pytest.approx(optimum, abs=1e-5)


def test_nonconvex_min_of_concave():
    f = Formulation.parse({
        "variables": [{"name": "x", "upper": 3}],
        "objective": {"sense": "min", "expression": "-x**2 + x"},
        "constraints": [],
    })
    assert classify(f).convex is False
    r = solve(f)
    assert r.solver == "scip" and r.objective == pytest.approx(-6, rel=1e-6)


def test_integer_nonlinear_and_functions():
    f = Formulation.parse({
        "variables": [{"name": "n", "domain": "integer", "upper": 10}, {"name": "y", "lower": 1, "upper": 100}],
        "objective": {"sense": "max", "expression": "sqrt(y) + n"},
        "constraints": [{"name": "budget", "expression": "n * y <= 20"}],
    })
    assert classify(f).model_class == ModelClass.MINLP
    r = solve(f)
    # n*y <= 20 with y >= 1: n = 10, y = 2 gives 10 + 1.414; n = 9 gives 9 + sqrt(20/9) = 10.49
    assert r.status == "optimal" and r.objective == pytest.approx(10 + 2**0.5, rel=1e-5)
    assert verify(f, r, tol=1e-5).ok


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
def test_nonconvex_model_files_never_go_to_highs(tmp_path, suffix):
    from optiforge.solvers import from_file, write_lp, write_mps

    path = tmp_path / f"rect{suffix}"
    (write_lp if suffix == ".lp" else write_mps)(Formulation.parse(M.rectangle()), path)
    m = from_file(path)
    r = solve(m)
    assert r.solver == "scip" and r.status == "optimal" and r.objective == pytest.approx(100, rel=1e-6)
    assert r.value("L") == pytest.approx(10, abs=1e-4)
    with pytest.raises(SolverError, match="non-convex"):
        solve(m, backend="highs")


def test_convex_qp_file_goes_to_highs(tmp_path):
    from optiforge.solvers import read_lp, write_lp

    m = read_lp(write_lp(Formulation.parse(M.convex_qp("max")), tmp_path / "qp.lp"))
    r = solve(m)
    assert r.solver == "highs" and r.objective == pytest.approx(-2, abs=1e-6)
    assert solve(m, backend="scip").objective == pytest.approx(-2, abs=1e-5)
