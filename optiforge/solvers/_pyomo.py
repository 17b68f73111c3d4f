"""The Pyomo path: Formulation -> ``ConcreteModel`` (solved with HiGHS through APPSI)."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from optiforge.errors import SolverError
from optiforge.solvers._analysis import Analysis
from optiforge.solvers._data import ModelData, safe_name
from optiforge.solvers._scalar import Scalar


def build_pyomo(analysis: Analysis, data: ModelData, sense: str) -> Any:
    """A Pyomo ``ConcreteModel`` with the same variables (indexed by set elements) and constraints."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    domains = {"continuous": pyo.Reals, "integer": pyo.Integers, "binary": pyo.Binary}
    comps: dict[str, Any] = {}
    keys_of: dict[str, list[Any]] = {}
    for name, b in data.blocks.items():
        lo = data.col_lower[b.offset : b.offset + b.size]
        hi = data.col_upper[b.offset : b.offset + b.size]
        if not b.sets:
            v = pyo.Var(domain=domains[b.domain], bounds=(_fin(lo[0]), _fin(hi[0])))
            m.add_component(name, v)
            comps[name] = v
            continue
        members = [data.sets[s].elements for s in b.sets]
        if len(members) == 1:
            keys = list(members[0])
        else:
            # Pyomo indexes by flat tuples: (('a', 'b'), 1) -> ('a', 'b', 1)
            keys = [tuple(x for part in combo for x in (part if isinstance(part, tuple) else (part,)))
                    for combo in itertools.product(*members)]
        keys_of[name] = keys
        bounds = {k: (_fin(lo[i]), _fin(hi[i])) for i, k in enumerate(keys)}
        v = pyo.Var(keys, domain=domains[b.domain], bounds=lambda _m, *k, _b=bounds: _b[k if len(k) > 1 else k[0]])
        m.add_component(name, v)
        comps[name] = v

    # var data objects in position order, so a lookup is one numpy object-array index
    grids = {
        name: np.array(list(comps[name].values()), dtype=object).reshape(b.shape)
        for name, b in data.blocks.items()
        if b.sets
    }

    def var(name: str, pos: tuple[int, ...]) -> Any:
        return grids[name][pos] if pos else comps[name]

    ev = Scalar(data, var, funcs={"sqrt": _f(math.sqrt, pyo.sqrt), "exp": _f(math.exp, pyo.exp), "log": _f(math.log, pyo.log)}, summer=pyo.quicksum)
    m._optiforge_infeasible = []
    for pc in analysis.constraints:
        ev.where = f"constraint {pc.name!r}"
        clist = pyo.ConstraintList()
        m.add_component(_unique(m, safe_name(pc.name)), clist)
        bd = pc.binding
        for env in ev.bindings(bd.targets, bd.sets, bd.condition):
            sides = ev.compare(pc.tree, env)
            if len(sides) == 3:
                lo_v, mid, hi_v = sides if pc.ops[0] == "<=" else sides[::-1]
                pairs = [(lo_v, "<=", mid), (mid, "<=", hi_v)]
            else:
                pairs = [(sides[0], pc.ops[0], sides[1])]
            for lhs, op, rhs in pairs:
                if isinstance(lhs, float) and isinstance(rhs, float):
                    if not (lhs <= rhs + 1e-9 if op == "<=" else lhs >= rhs - 1e-9 if op == ">=" else abs(lhs - rhs) <= 1e-9):
                        m._optiforge_infeasible.append(pc.name)
                    continue
                clist.add(lhs <= rhs if op == "<=" else lhs >= rhs if op == ">=" else lhs == rhs)
    ev.where = "objective"
    obj = ev.eval(analysis.objective, {})
    if isinstance(obj, float):
        # solvers reject an objective without variables: carry the constant on a fixed one
        m._optiforge_one = pyo.Var(bounds=(1.0, 1.0))
        obj = obj * m._optiforge_one
    m.objective = pyo.Objective(expr=obj, sense=pyo.maximize if sense == "max" else pyo.minimize)
    m._optiforge_vars = comps
    m._optiforge_keys = keys_of
    return m


def _fin(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _f(num: Any, sym: Any) -> Any:
    return lambda v: num(v) if isinstance(v, float) else sym(v)


def _unique(m: Any, name: str) -> str:
    out = name
    k = 1
    while m.component(out) is not None or out == "objective":
        out = f"{name}_{k}"
        k += 1
    return out


@dataclass
class PyomoOutcome:
    """Raw outcome of a Pyomo solve."""

    status: str
    objective: float | None
    values: dict[str, np.ndarray] | None
    mip_gap: float | None
    log: str
    build_time_s: float
    solve_time_s: float
    message: str = ""


def solve_pyomo(analysis: Analysis, data: ModelData, sense: str, *, time_limit: float | None = None) -> PyomoOutcome:
    """Build with Pyomo and solve with HiGHS (APPSI); for LP, MILP and convex QP."""
    import pyomo.environ as pyo
    from pyomo.common.tee import capture_output

    t0 = time.perf_counter()
    m = build_pyomo(analysis, data, sense)
    build = time.perf_counter() - t0
    if m._optiforge_infeasible:
        return PyomoOutcome("infeasible", None, None, None, "", build, 0.0,
                            message=f"constraint(s) without variables are false: {', '.join(sorted(set(m._optiforge_infeasible)))}")
    opt = pyo.SolverFactory("appsi_highs")
    if not opt.available():
        raise SolverError("the Pyomo path needs HiGHS through Pyomo's appsi_highs interface, which is unavailable")
    if time_limit is not None:
        opt.config.time_limit = float(time_limit)
    t1 = time.perf_counter()
    with capture_output() as out:
        res = opt.solve(m, load_solutions=False, tee=True)
    solve_time = time.perf_counter() - t1
    tc = str(res.solver.termination_condition)
    status = {
        "optimal": "optimal", "infeasible": "infeasible", "unbounded": "unbounded",
        "infeasibleOrUnbounded": "infeasible", "maxTimeLimit": "time_limit", "maxIterations": "time_limit",
    }.get(tc, "error")
    values = objective = gap = None
    if status in ("optimal", "time_limit"):
        try:
            m.solutions.load_from(res)
            loaded = True
        except Exception:
            loaded = False
        if loaded:
            values = {}
            for name, b in data.blocks.items():
                comp = m._optiforge_vars[name]
                if not b.sets:
                    values[name] = np.array(_val(comp))
                else:
                    values[name] = np.array([_val(comp[k]) for k in m._optiforge_keys[name]]).reshape(b.shape)
            objective = float(pyo.value(m.objective))
            if analysis.has_integers:
                lb = res.problem.lower_bound
                ub = res.problem.upper_bound
                try:
                    gap = abs(float(ub) - float(lb)) / max(1e-10, abs(float(ub))) if status == "time_limit" else 0.0
                except (TypeError, ValueError):
                    gap = None
    return PyomoOutcome(status, objective, values, gap, out.getvalue(), build, solve_time,
                        "" if status == "optimal" else f"Pyomo termination: {tc}")


def _val(v: Any) -> float:
    x = v.value
    return float("nan") if x is None else float(x)
