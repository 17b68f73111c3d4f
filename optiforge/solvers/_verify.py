"""``verify()``: re-check a solution against the Formulation in float64, independently of any solver.

It re-reads the original expression strings with the scalar interpreter (not the compiled
arrays the solver saw), so a bug in compilation or a solver's tolerance shows up here.
"""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from optiforge.solvers.formulation import Formulation
    from optiforge.solvers.result import SolveResult


class Violation(BaseModel):
    """One violated row, bound or integrality requirement."""

    where: str = Field(description="e.g. \"capacity['Seattle']\" or 'x[1]'.")
    amount: float


class VerifyReport(BaseModel):
    """What ``verify`` found; ``ok`` when every check is within tolerance."""

    ok: bool
    max_violation: float = 0.0
    violations: list[Violation] = Field(default_factory=list, description="Worst constraint violations (up to 20).")
    n_violated: int = 0
    bound_violation: float = 0.0
    bound_violations: list[Violation] = Field(default_factory=list)
    integrality_violation: float = 0.0
    integrality_violations: list[Violation] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="Variable entries absent from the values.")
    objective: float | None = Field(default=None, description="Objective recomputed from the values.")
    reported_objective: float | None = None
    objective_error: float | None = None
    message: str = ""

    def summary(self) -> str:
        """One line for logs and repair prompts."""
        return self.message


def verify(
    formulation: Formulation,
    values: SolveResult | dict[str, Any],
    *,
    objective: float | None = None,
    tol: float = 1e-6,
) -> VerifyReport:
    """Recompute every constraint, bound, integrality and the objective in float64.

    ``values`` is a SolveResult (its objective is then compared too) or a dict in the
    SolveResult.values shape. A violation counts when it exceeds ``tol`` scaled by
    ``max(1, |right-hand side|)``; the objective must match within ``tol`` relative.
    """
    from optiforge.solvers._analysis import analyze
    from optiforge.solvers._data import build_data
    from optiforge.solvers._scalar import Scalar, float_lookup
    from optiforge.solvers.result import SolveResult

    if isinstance(values, SolveResult):
        if objective is None:
            objective = values.objective
        vals = values.values
    else:
        vals = values
    a = analyze(formulation)
    data = build_data(formulation)
    arrays, missing = _value_arrays(data, vals)
    if missing:
        return VerifyReport(ok=False, missing=missing, reported_objective=objective,
                            message=f"values missing for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")

    ev = Scalar(data, float_lookup(arrays))
    viols: list[Violation] = []
    worst = 0.0
    n_bad = 0
    for pc in a.constraints:
        ev.where = f"constraint {pc.name!r}"
        bd = pc.binding
        for env in ev.bindings(bd.targets, bd.sets, bd.condition):
            sides = [float(s) for s in ev.compare(pc.tree, env)]
            amount = 0.0
            scaled = 0.0
            for k, op in enumerate(pc.ops):
                lhs, rhs = sides[k], sides[k + 1]
                if op == "<=":
                    d = lhs - rhs
                elif op == ">=":
                    d = rhs - lhs
                else:
                    d = abs(lhs - rhs)
                d = max(d, 0.0)
                amount = max(amount, d)
                scaled = max(scaled, d / max(1.0, abs(rhs), abs(lhs)))
            worst = max(worst, amount)
            if scaled > tol:
                n_bad += 1
                label = pc.name if not bd.names else f"{pc.name}[{', '.join(_lab(env[n]) for n in bd.names)}]"
                viols.append(Violation(where=label, amount=amount))
    viols.sort(key=lambda v: -v.amount)

    bound_v: list[Violation] = []
    int_v: list[Violation] = []
    worst_b = worst_i = 0.0
    for name, b in data.blocks.items():
        x = arrays[name].reshape(-1)
        lo = data.col_lower[b.offset : b.offset + b.size]
        hi = data.col_upper[b.offset : b.offset + b.size]
        over = np.maximum(lo - x, x - hi)
        over = np.where(np.isfinite(over), over, 0.0)
        keys = data.keys(b) if b.sets else [""]
        for k in np.flatnonzero(over > tol * np.maximum(1.0, np.abs(np.where(np.isfinite(lo), lo, 0)) + np.abs(np.where(np.isfinite(hi), hi, 0)))):
            bound_v.append(Violation(where=f"{name}[{keys[k]}]" if b.sets else name, amount=float(over[k])))
        worst_b = max(worst_b, float(over.max(initial=0.0)))
        if b.domain != "continuous":
            frac = np.abs(x - np.round(x))
            worst_i = max(worst_i, float(frac.max(initial=0.0)))
            for k in np.flatnonzero(frac > tol):
                int_v.append(Violation(where=f"{name}[{keys[k]}]" if b.sets else name, amount=float(frac[k])))

    ev.where = "objective"
    obj = float(ev.eval(a.objective, {}))
    obj_err = None if objective is None else abs(obj - objective)
    obj_ok = obj_err is None or obj_err <= tol * max(1.0, abs(obj))
    ok = n_bad == 0 and not bound_v and not int_v and obj_ok
    parts = []
    if n_bad:
        parts.append(f"{n_bad} constraint row(s) violated, worst {viols[0].where} by {viols[0].amount:.3g}")
    if bound_v:
        parts.append(f"{len(bound_v)} bound(s) violated, e.g. {bound_v[0].where} by {bound_v[0].amount:.3g}")
    if int_v:
        parts.append(f"{len(int_v)} integer variable(s) fractional, e.g. {int_v[0].where}")
    if not obj_ok:
        parts.append(f"objective recomputes to {obj:.10g}, reported {objective:.10g}")
    return VerifyReport(
        ok=ok,
        max_violation=worst,
        violations=viols[:20],
        n_violated=n_bad,
        bound_violation=max(worst_b, 0.0),
        bound_violations=bound_v[:20],
        integrality_violation=worst_i,
        integrality_violations=int_v[:20],
        objective=obj,
        reported_objective=objective,
        objective_error=obj_err,
        message="ok: all constraints, bounds and integrality hold; objective matches" if ok else "; ".join(parts),
    )


def _value_arrays(data: Any, vals: dict[str, Any]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Solution values as one float64 array per variable block, and the entries that are absent."""

    arrays: dict[str, np.ndarray] = {}
    missing: list[str] = []
    for name, b in data.blocks.items():
        entry = vals.get(name)
        if not b.sets:
            x = float(entry) if isinstance(entry, int | float) else math.nan
            if math.isnan(x):
                missing.append(name)
            arrays[name] = np.array([x])
            continue
        keys = data.keys(b)
        flat = _flat_values(entry, [data.sets[s].labels for s in b.sets], b.size)
        for k in np.flatnonzero(np.isnan(flat))[:20]:
            missing.append(f"{name}[{keys[k]}]")
        if np.isnan(flat).any() and len(missing) >= 20:
            missing.append("...")
        arrays[name] = flat.reshape(b.shape)
    return arrays, missing


def evaluate(formulation: Formulation, expression: str, values: SolveResult | dict[str, Any]) -> float:
    """Value of ``expression`` (the expression language of the Formulation) at a solution.

    Used to read requested quantities off a solved model, e.g. ``"x['small'] + x['large']"``
    or ``"sum(y[i] for i in Items)"``. Unknown symbols, comparisons or missing values raise
    a one-line FormulationError.
    """
    from optiforge.errors import FormulationError
    from optiforge.solvers._analysis import analyze
    from optiforge.solvers._data import build_data
    from optiforge.solvers._expr import Checker, parse
    from optiforge.solvers._scalar import Scalar, float_lookup
    from optiforge.solvers.result import SolveResult

    where = f"expression {expression!r}"
    tree = parse(expression, where)
    if isinstance(tree, ast.Compare):
        raise FormulationError(f"{where}: a value is wanted here, not a comparison")
    Checker(analyze(formulation).symbols, where).degree(tree, {})
    data = build_data(formulation)
    vals = values.values if isinstance(values, SolveResult) else values
    arrays, missing = _value_arrays(data, vals)
    if missing:
        raise FormulationError(f"{where}: the solution has no value for {', '.join(missing[:5])}")
    ev = Scalar(data, float_lookup(arrays))
    ev.where = where
    return float(ev.eval(tree, {}))


def _flat_values(entry: Any, labels: list[list[str]], size: int) -> np.ndarray:
    """Nested ``{element: {...}}`` (or a dict with tuple keys) -> flat array, NaN where absent."""
    import itertools

    if not isinstance(entry, dict):
        return np.full(size, math.nan)
    if entry and all(isinstance(k, tuple) for k in entry):
        table = {tuple(str(x) for x in k): v for k, v in entry.items()}
        return np.array([_num(table.get(t)) for t in itertools.product(*labels)], dtype=np.float64)
    out = np.full(size, math.nan)
    stride = size // max(1, len(labels[0]))
    for k, lab in enumerate(labels[0]):
        sub = entry.get(lab)
        if len(labels) == 1:
            out[k] = _num(sub)
        elif isinstance(sub, dict):
            out[k * stride : (k + 1) * stride] = _flat_values(sub, labels[1:], stride)
    return out


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else math.nan


def _lab(v: Any) -> str:
    return repr(v) if isinstance(v, str) else str(v)
