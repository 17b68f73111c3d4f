"""The SCIP backend (pyscipopt): global solver for nonlinear and non-convex models."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from optiforge.solvers._analysis import Analysis
from optiforge.solvers._data import ModelData
from optiforge.solvers._scalar import Scalar


@dataclass
class ScipOutcome:
    """Raw outcome of one SCIP run."""

    status: str
    objective: float | None
    values: dict[str, np.ndarray] | None
    mip_gap: float | None
    log: str
    build_time_s: float
    solve_time_s: float
    message: str = ""
    iis: list[str] | None = None


def _funcs() -> dict[str, Any]:
    import pyscipopt

    def wrap(num: Any, expr: Any) -> Any:
        return lambda v: num(v) if isinstance(v, float) else expr(v)

    return {
        "sqrt": wrap(math.sqrt, pyscipopt.sqrt),
        "exp": wrap(math.exp, pyscipopt.exp),
        "log": wrap(math.log, pyscipopt.log),
    }


def solve_scip(analysis: Analysis, data: ModelData, sense: str, *, time_limit: float | None = None) -> ScipOutcome:
    """Build the model with pyscipopt expressions (one Python object per term: models here are small)."""
    fd, log_path = tempfile.mkstemp(prefix="optiforge-scip-", suffix=".log")
    os.close(fd)
    try:
        out = _solve(analysis, data, sense, time_limit, log_path)
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            out.log = fh.read()
        return out
    finally:
        with contextlib.suppress(OSError):
            os.unlink(log_path)


def _solve(analysis: Analysis, data: ModelData, sense: str, time_limit: float | None, log_path: str) -> ScipOutcome:
    import pyscipopt

    t0 = time.perf_counter()
    m = pyscipopt.Model()
    m.hideOutput()
    try:
        m.setLogfile(log_path)
        if time_limit is not None:
            m.setParam("limits/time", float(time_limit))
        vars_: dict[str, np.ndarray] = {}
        vtype = {"continuous": "C", "integer": "I", "binary": "B"}
        for name, b in data.blocks.items():
            arr = np.empty(b.shape, dtype=object)
            for k, pos in enumerate(itertools.product(*(range(s) for s in b.shape))):
                col = b.offset + k
                lo = data.col_lower[col]
                hi = data.col_upper[col]
                label = name if not pos else f"{name}({','.join(data.sets[s].labels[p] for s, p in zip(b.sets, pos, strict=True))})"
                arr[pos] = m.addVar(
                    name=label,
                    vtype=vtype[b.domain],
                    lb=None if not math.isfinite(lo) else float(lo),
                    ub=None if not math.isfinite(hi) else float(hi),
                )
            vars_[name] = arr
        ev = Scalar(data, lambda n, p: vars_[n][p] if p else vars_[n].reshape(-1)[0], funcs=_funcs(), summer=pyscipopt.quicksum)
        broken: list[str] = []
        for pc in analysis.constraints:
            ev.where = f"constraint {pc.name!r}"
            bd = pc.binding
            for k, env in enumerate(ev.bindings(bd.targets, bd.sets, bd.condition)):
                sides = ev.compare(pc.tree, env)
                label = pc.name if not bd.names else f"{pc.name}[{', '.join(repr(env[n]) if isinstance(env[n], str) else str(env[n]) for n in bd.names)}]"
                for lhs, op, rhs in _pairs(sides, pc.ops):
                    if isinstance(lhs, float) and isinstance(rhs, float):
                        if not _holds(lhs, op, rhs):
                            broken.append(label)
                        continue
                    cons = lhs <= rhs if op == "<=" else lhs >= rhs if op == ">=" else lhs == rhs
                    m.addCons(cons, name=f"c{len(broken)}_{k}_{pc.name}"[:200])
        ev.where = "objective"
        obj = ev.eval(analysis.objective, {})
        scip_sense: Literal["minimize", "maximize"] = "maximize" if sense == "max" else "minimize"
        if isinstance(obj, float):
            m.setObjective(0, scip_sense)
            offset = obj
        elif analysis.objective_degree <= 1:
            m.setObjective(obj, scip_sense)
            offset = 0.0
        else:
            # SCIP objectives are linear: optimise an epigraph variable instead
            t = m.addVar(name="_objective", lb=None, ub=None)
            m.addCons(t >= obj if sense == "min" else t <= obj)
            m.setObjective(t, scip_sense)
            offset = 0.0
        build = time.perf_counter() - t0
        if broken:
            return ScipOutcome(
                "infeasible", None, None, None, "", build, 0.0,
                message=f"constraint(s) without variables are false: {', '.join(broken[:10])}", iis=broken[:50],
            )
        t1 = time.perf_counter()
        m.optimize()
        solve_time = time.perf_counter() - t1
        status, message = _status(m.getStatus())
        values = None
        objective = None
        gap = None
        if m.getNSols() > 0 and status not in ("infeasible", "unbounded"):
            sol = m.getBestSol()
            values = {n: np.vectorize(lambda v, s=sol: m.getSolVal(s, v), otypes=[float])(a) if a.size else np.zeros(a.shape) for n, a in vars_.items()}
            objective = float(m.getSolObjVal(sol)) + offset
            if analysis.has_integers or analysis.objective_degree > 1 or analysis.constraint_degree > 1:
                g = float(m.getGap())
                gap = g if math.isfinite(g) else None
        return ScipOutcome(status, objective, values, gap, "", build, solve_time, message)
    finally:
        with contextlib.suppress(Exception):
            m.setLogfile(None)


def solve_scip_file(path: str, *, time_limit: float | None = None, skip: tuple[str, ...] = ()) -> tuple[ScipOutcome, dict[str, float]]:
    """Solve an MPS/LP file with SCIP; values by column name (SCIP's auxiliary columns dropped)."""
    import pyscipopt

    fd, log_path = tempfile.mkstemp(prefix="optiforge-scip-", suffix=".log")
    os.close(fd)
    try:
        m = pyscipopt.Model()
        m.hideOutput()
        m.setLogfile(log_path)
        if time_limit is not None:
            m.setParam("limits/time", float(time_limit))
        m.readProblem(path)
        t0 = time.perf_counter()
        m.optimize()
        dt = time.perf_counter() - t0
        status, message = _status(m.getStatus())
        values: dict[str, float] = {}
        objective = gap = None
        if m.getNSols() > 0 and status not in ("infeasible", "unbounded"):
            sol = m.getBestSol()
            values = {v.name: float(m.getSolVal(sol, v)) for v in m.getVars() if v.name not in skip}
            objective = float(m.getSolObjVal(sol))
            g = float(m.getGap())
            gap = g if math.isfinite(g) else None
        m.setLogfile(None)
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            log = fh.read()
        return ScipOutcome(status, objective, None, gap, log, 0.0, dt, message), values
    finally:
        with contextlib.suppress(OSError):
            os.unlink(log_path)


def _status(st: str) -> tuple[str, str]:
    status = {
        "optimal": "optimal", "infeasible": "infeasible", "unbounded": "unbounded",
        "inforunbd": "infeasible", "timelimit": "time_limit", "gaplimit": "feasible",
        "sollimit": "feasible", "userinterrupt": "time_limit", "nodelimit": "time_limit",
        "totalnodelimit": "time_limit", "stallnodelimit": "time_limit", "memlimit": "time_limit",
    }.get(st, "error")
    if st == "inforunbd":
        return status, "the model is infeasible or unbounded (SCIP could not tell which)"
    return status, "" if status == "optimal" else f"SCIP status: {st}"


def _pairs(sides: list[Any], ops: tuple[str, ...]) -> list[tuple[Any, str, Any]]:
    return [(sides[k], op, sides[k + 1]) for k, op in enumerate(ops)]


def _holds(a: float, op: str, b: float, tol: float = 1e-9) -> bool:
    if op == "<=":
        return a <= b + tol
    if op == ">=":
        return a >= b - tol
    return abs(a - b) <= tol
