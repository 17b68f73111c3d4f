"""verify(): an independent float64 re-check catches broken solutions."""

from __future__ import annotations

import copy

import pytest
import solver_models as M

from optiforge.solvers import Formulation, solve, verify


def _solved(build):
    f = Formulation.parse(build())
    return f, solve(f)


def test_solution_from_solver_passes():
    f, r = _solved(M.transport)
    rep = verify(f, r)
    assert rep.ok and rep.max_violation <= 1e-6 and rep.objective_error is not None


def test_perturbed_solution_is_caught():
    f, r = _solved(M.transport)
    values = copy.deepcopy(r.values)
    values["x"]["seattle"]["chicago"] -= 10  # chicago now short of its demand
    rep = verify(f, values, objective=r.objective)
    assert not rep.ok
    assert rep.violations[0].where == "meet['chicago']"
    assert rep.violations[0].amount == pytest.approx(10)
    assert rep.max_violation == pytest.approx(10)
    assert rep.objective_error == pytest.approx(90 * 1.7 / 1000 * 10, rel=1e-6)
    assert "meet['chicago']" in rep.message


def test_wrong_objective_is_caught():
    f, r = _solved(M.knapsack)
    rep = verify(f, r.values, objective=r.objective + 1)
    assert not rep.ok and rep.objective_error == pytest.approx(1)
    assert "objective" in rep.message


def test_integrality_and_bounds_are_checked():
    f, r = _solved(M.production)
    values = copy.deepcopy(r.values)
    values["p"]["2"] = 50.5
    values["inv"]["1"] = -1.0
    rep = verify(f, values)
    assert not rep.ok
    assert rep.integrality_violation == pytest.approx(0.5)
    assert [v.where for v in rep.integrality_violations] == ["p[2]"]
    assert [v.where for v in rep.bound_violations] == ["inv[1]"]


def test_missing_values_are_reported():
    f, r = _solved(M.knapsack)
    values = copy.deepcopy(r.values)
    del values["take"]["2"]
    rep = verify(f, values)
    assert not rep.ok and rep.missing == ["take[2]"]


def test_tuple_keys_are_accepted():
    f, r = _solved(M.assignment)
    values = {"a": {(w, j): r.value("a", w, j) for w in range(3) for j in range(3)}}
    assert verify(f, values).ok
