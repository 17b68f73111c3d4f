"""``solve()``: one entry point that classifies a model and sends it to HiGHS, SCIP or Pyomo."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from optiforge.errors import SolverError
from optiforge.solvers.result import SolveResult

if TYPE_CHECKING:
    from optiforge.solvers._compile import Compiled
    from optiforge.solvers._data import ModelData
    from optiforge.solvers._highs import HighsArrays
    from optiforge.solvers.formulation import Formulation
    from optiforge.solvers.io import ArrayModel

Backend = Literal["auto", "highs", "pyomo", "scip"]
BACKENDS = ("auto", "highs", "pyomo", "scip")


def to_highs_arrays(c: Compiled) -> HighsArrays:
    """CSC matrix (COO duplicates summed) and lower-triangular Hessian for HiGHS."""
    import scipy.sparse as sp

    from optiforge.solvers._highs import HighsArrays

    n, m = c.data.n_cols, c.n_rows
    a = sp.csc_matrix((c.a_vals, (c.a_rows, c.a_cols)), shape=(m, n))
    a.sum_duplicates()
    hess = None
    hi, hj, hv = c.hess
    if len(hv):
        h = sp.coo_matrix((hv, (hi, hj)), shape=(n, n)).tocsc()
        h.sum_duplicates()
        h = sp.tril(h, format="csc")
        h.eliminate_zeros()
        hess = (h.indptr.astype(np.int32), h.indices.astype(np.int32), h.data.astype(np.float64))
    integ = c.data.integrality if c.data.integrality.any() else None
    return HighsArrays(
        col_cost=c.obj,
        col_lower=c.data.col_lower,
        col_upper=c.data.col_upper,
        row_lower=c.row_lower,
        row_upper=c.row_upper,
        a_start=a.indptr.astype(np.int32, copy=False),
        a_index=a.indices.astype(np.int32, copy=False),
        a_value=a.data,
        integrality=integ,
        sense=c.sense,
        offset=c.obj_offset,
        hessian=hess,
        col_names=c.data.col_names,
        row_names=c.row_names,
    )


def solve(
    model: Formulation | ArrayModel | dict[str, Any] | str | Path,
    *,
    backend: Backend = "auto",
    time_limit: float | None = None,
    options: dict[str, Any] | None = None,
) -> SolveResult:
    """Solve a Formulation (or dict/JSON), an ArrayModel, or a model file path.

    ``backend='auto'`` picks from the model class: LP, MILP and convex QP go to HiGHS
    through arrays; non-convex, quadratically constrained, integer-quadratic and other
    nonlinear models go to SCIP. ``'highs'`` refuses models HiGHS would answer wrongly
    (non-convex or nonlinear); ``'pyomo'`` builds a Pyomo ConcreteModel and solves it
    with HiGHS; ``'scip'`` forces SCIP. ``options`` are HiGHS options by name.
    Statuses are reported in the result; bad input raises FormulationError/InputError.
    """
    from optiforge.solvers.formulation import Formulation
    from optiforge.solvers.io import ArrayModel, from_file

    if backend not in BACKENDS:
        raise SolverError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if isinstance(model, str | Path):
        model = from_file(model)
    elif isinstance(model, dict):
        model = Formulation.parse(model)
    if isinstance(model, ArrayModel):
        return _solve_array_model(model, backend, time_limit, options)
    if not isinstance(model, Formulation):
        raise SolverError(f"cannot solve a {type(model).__name__}")
    return _solve_formulation(model, backend, time_limit, options)


def _solve_array_model(m: ArrayModel, backend: str, time_limit: float | None, options: dict[str, Any] | None) -> SolveResult:
    from optiforge.solvers._highs import run_highs

    if backend not in ("auto", "highs", "scip"):
        raise SolverError(f"MPS/LP models are solved with HiGHS or SCIP; backend {backend!r} is not available for them")
    hess = m.model.hessian_
    mc = "MILP" if m.is_mip else "LP"
    convex = True
    if hess.dim_ > 0 and len(hess.value_):
        mc = "MIQP" if m.is_mip else "QP"
        convex = _file_hessian_convex(m)
    if backend == "scip" or (backend == "auto" and (not convex or mc == "MIQP")):
        return _solve_array_model_scip(m, mc, time_limit)
    if not convex:
        raise SolverError(f"{mc} model with a non-convex quadratic objective cannot be solved reliably with HiGHS; use backend 'auto' or 'scip'")
    if mc == "MIQP":
        raise SolverError("HiGHS does not solve integer quadratic models; use backend 'auto' or 'scip'")
    out = run_highs(m, time_limit=time_limit, options=options)  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    if out.x is not None:
        names = m.col_names or [f"c{k}" for k in range(m.num_col)]
        values = dict(zip(names, out.x, strict=True))
    rnames = m.row_names or [f"r{k}" for k in range(m.num_row)]
    cnames = m.col_names or [f"c{k}" for k in range(m.num_col)]
    return _result(out, "highs", mc, 0.0, values,
                   iis=_names(out.iis_rows, rnames, out.iis_cols, cnames),
                   unb=[cnames[c] for c in out.ray_cols] if out.ray_cols else None)


def _file_hessian_convex(m: ArrayModel) -> bool:
    from optiforge.solvers._classify import hessian_is_convex

    hs = m.model.hessian_
    start = np.asarray(hs.start_, dtype=np.int64)
    rows = np.asarray(hs.index_, dtype=np.int64)
    vals = np.asarray(hs.value_, dtype=np.float64)
    cols = np.repeat(np.arange(len(start) - 1), np.diff(start))
    if int(hs.format_) == 1:  # triangular: mirror the off-diagonal entries
        off = rows != cols
        rows, cols, vals = (np.concatenate([rows, cols[off]]), np.concatenate([cols, rows[off]]),
                            np.concatenate([vals, vals[off]]))
    return hessian_is_convex(int(hs.dim_), rows, cols, vals, m.sense)


def _solve_array_model_scip(m: ArrayModel, mc: str, time_limit: float | None) -> SolveResult:
    import tempfile

    from optiforge.solvers._scip import solve_scip_file
    from optiforge.solvers.io import write_mps

    with tempfile.TemporaryDirectory(prefix="optiforge-scip-") as tmp:
        path = write_mps(m, Path(tmp) / "model.mps")
        out, by_name = solve_scip_file(str(path), time_limit=time_limit)
    names = m.col_names or [f"c{k}" for k in range(m.num_col)]
    values = {n: by_name[n] for n in names if n in by_name} if by_name else {}
    return _result(out, "scip", mc, 0.0, values)


def _names(rows: list[int] | None, rnames: Any, cols: list[int] | None, cnames: Any) -> list[str] | None:
    if rows is None and cols is None:
        return None
    out = [rnames(r) if callable(rnames) else rnames[r] for r in rows or []]
    out += [f"bounds of {cnames(c) if callable(cnames) else cnames[c]}" for c in cols or []]
    return out


def _result(out: Any, solver: str, mc: str, build: float, values: dict[str, Any], *, iis: list[str] | None = None, unb: list[str] | None = None) -> SolveResult:
    # fields are built here with the right types; validating a large values dict again costs time
    return SolveResult.model_construct(
        status=out.status,
        objective=out.objective,
        values=values,
        mip_gap=out.mip_gap,
        solver=solver,
        model_class=mc,
        build_time_s=build,
        solve_time_s=out.solve_time_s,
        log=out.log,
        iis=iis,
        unbounded_vars=unb,
        message=out.message,
    )


def values_dict(data: ModelData, x: list[float] | dict[str, np.ndarray]) -> dict[str, Any]:
    """Column values (or per-variable arrays) -> {name: number | nested {element: ...}}."""
    out: dict[str, Any] = {}
    for name, b in data.blocks.items():
        if isinstance(x, dict):
            seg: list[float] = np.asarray(x[name], dtype=np.float64).reshape(-1).tolist()
        else:
            seg = x[b.offset : b.offset + b.size]
        if not b.sets:
            out[name] = float(seg[0])
        else:
            out[name] = _nest(seg, [data.sets[s].labels for s in b.sets])
    return out


def _nest(flat: list[float], labels: list[list[str]]) -> dict[str, Any]:
    # one dict(zip(...)) per innermost row over list slices: C-speed, no per-entry key formatting
    if len(labels) == 1:
        return dict(zip(labels[0], flat, strict=True))
    stride = len(flat) // len(labels[0]) if labels[0] else 0
    return {lab: _nest(flat[k * stride : (k + 1) * stride], labels[1:]) for k, lab in enumerate(labels[0])}


def _solve_formulation(f: Formulation, backend: str, time_limit: float | None, options: dict[str, Any] | None) -> SolveResult:
    from optiforge.solvers._analysis import analyze
    from optiforge.solvers._classify import ModelClass, classify, model_class
    from optiforge.solvers._compile import compile_model
    from optiforge.solvers._data import build_data

    t0 = time.perf_counter()
    a = analyze(f)
    data = build_data(f)
    mc = model_class(a.objective_degree, a.constraint_degree, a.has_integers)
    compiled = None
    if mc in (ModelClass.QP, ModelClass.MIQP) or (mc in (ModelClass.LP, ModelClass.MILP) and backend in ("auto", "highs")):
        compiled = compile_model(a, data, f.objective.sense)
    cls = None if mc in (ModelClass.LP, ModelClass.MILP) else classify(f, compiled)
    chosen = backend
    if backend == "auto":
        chosen = cls.backend if cls is not None else "highs"
    if chosen in ("highs", "pyomo") and cls is not None and cls.backend != "highs":
        raise SolverError(
            f"{mc} model ({cls.reason}) cannot be solved reliably with HiGHS; use backend 'auto' or 'scip'"
        )
    if chosen == "highs":
        assert compiled is not None
        from optiforge.solvers._highs import run_highs

        arrays = to_highs_arrays(compiled)
        build = time.perf_counter() - t0
        out = run_highs(arrays, time_limit=time_limit, options=options)
        values = values_dict(data, out.x) if out.x is not None else {}
        iis = None
        if out.iis_rows is not None or out.iis_cols is not None:
            iis = [compiled.row_label(r) for r in out.iis_rows or []] + [
                f"bounds of {data.col_label(c)}" for c in out.iis_cols or []
            ]
        unb = None
        if out.ray_cols:
            unb = [data.col_label(c) for c in out.ray_cols]
        return _result(out, "highs", str(mc), build, values, iis=iis, unb=unb)
    if chosen == "pyomo":
        if mc not in (ModelClass.LP, ModelClass.MILP):
            raise SolverError(f"the pyomo backend solves LP and MILP models; this one is {mc}: use backend 'auto'")
        from optiforge.solvers._pyomo import solve_pyomo

        pout = solve_pyomo(a, data, f.objective.sense, time_limit=time_limit)
        values = values_dict(data, pout.values) if pout.values is not None else {}
        return _result(pout, "pyomo+highs", str(mc), time.perf_counter() - t0 - pout.solve_time_s, values)
    from optiforge.solvers._scip import solve_scip

    sout = solve_scip(a, data, f.objective.sense, time_limit=time_limit)
    values = values_dict(data, sout.values) if sout.values is not None else {}
    return _result(sout, "scip", str(mc), time.perf_counter() - t0 - sout.solve_time_s, values, iis=sout.iis)
