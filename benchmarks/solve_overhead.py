"""Formulation -> SolveResult overhead versus raw highspy, for the direct and Pyomo paths.

For generated transport (LP), assignment (binary MILP) and knapsack (binary MILP)
instances at about 1e3, 1e4, 1e5 and 1e6 nonzeros, it times in one process run:

* raw:    highspy ``passModel`` (array overload) + ``run`` on arrays prebuilt with numpy;
* direct: ``optiforge.solvers._solve(formulation)`` (parse, expand, compile, HiGHS, values);
* pyomo:  ``solve(formulation, backend="pyomo")`` (ConcreteModel + APPSI HiGHS), up to
          ``--pyomo-max`` nonzeros (default 1e5: beyond that it takes minutes).

"outside ms" is the direct path's time outside HiGHS' own ``run()`` (parsing, index
expansion, compilation, passModel, building the values): the overhead itself, which
unlike the ratio does not depend on how noisy the solver's run time is.

Each timing is the best of its repeats (the machine is shared and noisy; the minimum is
the least disturbed run), measured interleaved. The knapsack MILP stops at 1e5 nonzeros:
HiGHS itself needs minutes to prove optimality beyond that. Memory: tracemalloc peak of one
extra untimed direct/pyomo run (Python + numpy allocations; HiGHS' own C++ memory is not
traced), and the process max RSS at the end.

    .venv/bin/python benchmarks/solve_overhead.py [--quick] [--repeats N] [--pyomo-max NNZ]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

import numpy as np

from optiforge.solvers import Formulation, solve


@dataclass
class Instance:
    """A generated model: the Formulation and the same model as raw HiGHS arrays."""

    kind: str
    nnz: int
    formulation: Formulation
    raw: dict[str, Any]


def _raw(cost: np.ndarray, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, rlo: np.ndarray, rup: np.ndarray,
         lo: np.ndarray, up: np.ndarray, sense: str, integer: bool) -> dict[str, Any]:
    import scipy.sparse as sp

    a = sp.csc_matrix((vals, (rows, cols)), shape=(len(rlo), len(cost)))
    return {
        "cost": cost, "lo": lo, "up": up, "rlo": rlo, "rup": rup,
        "start": a.indptr.astype(np.int32), "index": a.indices.astype(np.int32), "value": a.data.astype(np.float64),
        "integrality": np.full(len(cost), 1 if integer else 0, dtype=np.int32), "sense": sense,
    }


def transport(target: int, rng: np.random.Generator) -> Instance:
    m = max(2, round((target / 4) ** 0.5))
    n = 2 * m
    supply = rng.integers(50, 100, m).astype(float) * n / m * 1.2
    demand = rng.integers(20, 60, n).astype(float)
    cost = rng.uniform(1, 20, (m, n)).round(2)
    f = Formulation.parse({
        "name": "transport",
        "sets": [{"name": "I", "start": 0, "end": m - 1}, {"name": "J", "start": 0, "end": n - 1}],
        "parameters": [
            {"name": "s", "index": ["I"], "value": supply.tolist()},
            {"name": "d", "index": ["J"], "value": demand.tolist()},
            {"name": "c", "index": ["I", "J"], "value": cost.tolist()},
        ],
        "variables": [{"name": "x", "index": ["I", "J"]}],
        "objective": {"sense": "min", "expression": "sum(c[i, j] * x[i, j] for i in I for j in J)"},
        "constraints": [
            {"name": "supply", "for": "i in I", "expression": "sum(x[i, j] for j in J) <= s[i]"},
            {"name": "demand", "for": "j in J", "expression": "sum(x[i, j] for i in I) >= d[j]"},
        ],
    })
    ii, jj = np.divmod(np.arange(m * n), n)
    rows = np.concatenate([ii, m + jj])
    cols = np.concatenate([np.arange(m * n)] * 2)
    raw = _raw(cost.reshape(-1), rows, cols, np.ones(2 * m * n),
               np.concatenate([np.full(m, -np.inf), demand]), np.concatenate([supply, np.full(n, np.inf)]),
               np.zeros(m * n), np.full(m * n, np.inf), "min", False)
    return Instance("transport LP", 2 * m * n, f, raw)


def assignment(target: int, rng: np.random.Generator) -> Instance:
    # binary up to 1e5 nonzeros; at 1e6 HiGHS' MIP alone takes minutes, so the LP relaxation
    # (integral anyway: the constraint matrix is totally unimodular) is timed instead
    n = max(2, round((target / 2) ** 0.5))
    integer = target < 5e5
    cost = rng.uniform(1, 100, (n, n)).round(1)
    f = Formulation.parse({
        "name": "assignment",
        "sets": [{"name": "W", "start": 1, "end": n}, {"name": "T", "start": 1, "end": n}],
        "parameters": [{"name": "c", "index": ["W", "T"], "value": cost.tolist()}],
        "variables": [{"name": "a", "index": ["W", "T"], "domain": "binary" if integer else "continuous", "upper": 1}],
        "objective": {"sense": "min", "expression": "sum(c[w, t] * a[w, t] for w in W for t in T)"},
        "constraints": [
            {"name": "worker", "for": "w in W", "expression": "sum(a[w, t] for t in T) == 1"},
            {"name": "task", "for": "t in T", "expression": "sum(a[w, t] for w in W) == 1"},
        ],
    })
    ii, jj = np.divmod(np.arange(n * n), n)
    rows = np.concatenate([ii, n + jj])
    cols = np.concatenate([np.arange(n * n)] * 2)
    raw = _raw(cost.reshape(-1), rows, cols, np.ones(2 * n * n), np.ones(2 * n), np.ones(2 * n),
               np.zeros(n * n), np.ones(n * n), "min", integer)
    return Instance("assignment MILP" if integer else "assignment LP", 2 * n * n, f, raw)


def knapsack(target: int, rng: np.random.Generator) -> Instance:
    # one knapsack row plus a cardinality row per group of 10 items (at most 3 per group)
    n = max(20, round(target / 2 / 10) * 10)
    g = n // 10
    value = rng.integers(10, 100, n).astype(float)
    weight = rng.integers(5, 50, n).astype(float)
    cap = float(weight.sum() * 0.2)
    f = Formulation.parse({
        "name": "knapsack",
        "sets": [{"name": "G", "start": 1, "end": g}, {"name": "K", "start": 1, "end": 10}],
        "parameters": [
            {"name": "v", "index": ["G", "K"], "value": value.reshape(g, 10).tolist()},
            {"name": "w", "index": ["G", "K"], "value": weight.reshape(g, 10).tolist()},
            {"name": "cap", "value": cap},
        ],
        "variables": [{"name": "take", "index": ["G", "K"], "domain": "binary"}],
        "objective": {"sense": "max", "expression": "sum(v[g, k] * take[g, k] for g in G for k in K)"},
        "constraints": [
            {"name": "weight", "expression": "sum(w[g, k] * take[g, k] for g in G for k in K) <= cap"},
            {"name": "group", "for": "g in G", "expression": "sum(take[g, k] for k in K) <= 3"},
        ],
    })
    rows = np.concatenate([np.zeros(n, dtype=np.int64), 1 + np.arange(n) // 10])
    cols = np.concatenate([np.arange(n)] * 2)
    vals = np.concatenate([weight, np.ones(n)])
    raw = _raw(value, rows, cols, vals, np.full(g + 1, -np.inf), np.concatenate([[cap], np.full(g, 3.0)]),
               np.zeros(n), np.ones(n), "max", True)
    return Instance("knapsack MILP", 2 * n, f, raw)


def run_raw(raw: dict[str, Any]) -> tuple[float, float]:
    """Time passModel + run on prebuilt arrays; returns (seconds, objective)."""
    import highspy

    from optiforge.solvers._highs import new_highs

    h = new_highs()
    h.setOptionValue("output_flag", False)
    sense = highspy.ObjSense.kMaximize if raw["sense"] == "max" else highspy.ObjSense.kMinimize
    inf = highspy.kHighsInf
    t0 = time.perf_counter()
    h.passModel(
        len(raw["cost"]), len(raw["rlo"]), len(raw["value"]), int(highspy.MatrixFormat.kColwise), int(sense), 0.0,
        raw["cost"], np.clip(raw["lo"], -inf, inf), np.clip(raw["up"], -inf, inf),
        np.clip(raw["rlo"], -inf, inf), np.clip(raw["rup"], -inf, inf),
        raw["start"], raw["index"], raw["value"], raw["integrality"],
    )
    h.run()
    dt = time.perf_counter() - t0
    return dt, float(h.getInfo().objective_function_value)


def run_ours(f: Formulation, backend: str) -> tuple[float, float, float]:
    """Time solve(); returns (seconds, objective, seconds outside the solver's own run)."""
    f._analysis_cache = None  # include parsing and checking of the expressions
    t0 = time.perf_counter()
    r = solve(f, backend=backend)  # type: ignore[arg-type]
    dt = time.perf_counter() - t0
    if r.status != "optimal" or r.objective is None:
        raise RuntimeError(f"{backend}: {r.status} {r.message}")
    return dt, r.objective, dt - r.solve_time_s


def traced_peak_mib(fn: Any) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="stop at 1e5 nonzeros, fewer repeats")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per size below 1e6 (default 3, quick 2)")
    ap.add_argument("--pyomo-max", type=float, default=1e5, help="largest size timed through Pyomo")
    ap.add_argument("--kinds", default="transport,assignment,knapsack")
    args = ap.parse_args()
    sizes = [1e3, 1e4, 1e5] if args.quick else [1e3, 1e4, 1e5, 1e6]
    repeats = args.repeats or (2 if args.quick else 3)
    gens = {"transport": transport, "assignment": assignment, "knapsack": knapsack}
    rng = np.random.default_rng(7)
    # warm imports (highspy, scipy, pyomo) so the first row does not pay them
    warm = transport(200, rng)
    run_raw(warm.raw)
    run_ours(warm.formulation, "highs")
    if args.pyomo_max > 0:
        run_ours(warm.formulation, "pyomo")

    header = (f"{'instance':<16} {'nnz':>9} {'raw s':>8} {'direct s':>9} {'direct/raw':>10} {'outside ms':>10} "
              f"{'pyomo s':>8} {'pyomo/raw':>9} {'mem direct MiB':>14} {'mem pyomo MiB':>13}")
    print(header)
    print("-" * len(header))
    sys.stdout.flush()
    for kind in args.kinds.split(","):
        for size in sizes:
            if kind == "knapsack" and size > 1e5:
                print(f"{'knapsack MILP':<16} {'1e6':>9}  skipped: HiGHS alone needs minutes at this size")
                continue
            inst = gens[kind](int(size), rng)
            reps = 1 if size >= 1e6 else repeats
            do_pyomo = inst.nnz <= args.pyomo_max * 1.5
            raw_t, dir_t, pyo_t, dir_out = [], [], [], []
            for _ in range(reps):
                t, raw_obj = run_raw(inst.raw)
                raw_t.append(t)
                t, dir_obj, outside = run_ours(inst.formulation, "highs")
                dir_t.append(t)
                dir_out.append(outside)
                if abs(dir_obj - raw_obj) > 1e-6 * max(1.0, abs(raw_obj)):
                    raise RuntimeError(f"{kind}: direct objective {dir_obj} != raw {raw_obj}")
                if do_pyomo:
                    t, pyo_obj, _ = run_ours(inst.formulation, "pyomo")
                    pyo_t.append(t)
                    if abs(pyo_obj - raw_obj) > 1e-6 * max(1.0, abs(raw_obj)):
                        raise RuntimeError(f"{kind}: pyomo objective {pyo_obj} != raw {raw_obj}")
            raw_m, dir_m = min(raw_t), min(dir_t)
            mem_d = traced_peak_mib(lambda f=inst.formulation: run_ours(f, "highs"))
            if do_pyomo:
                pyo_m = min(pyo_t)
                mem_p = traced_peak_mib(lambda f=inst.formulation: run_ours(f, "pyomo")) if inst.nnz <= 2e4 else float("nan")
                pyo_cols = f"{pyo_m:>8.3f} {pyo_m / raw_m:>9.2f} "
                mem_p_col = f"{mem_p:>13.1f}" if mem_p == mem_p else f"{'(skipped)':>13}"
            else:
                pyo_cols = f"{'-':>8} {'-':>9} "
                mem_p_col = f"{'-':>13}"
            print(f"{inst.kind:<16} {inst.nnz:>9,d} {raw_m:>8.3f} {dir_m:>9.3f} {dir_m / raw_m:>10.2f} {min(dir_out) * 1e3:>10.1f} "
                  f"{pyo_cols}{mem_d:>14.1f} {mem_p_col}")
            sys.stdout.flush()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess max RSS: {rss:.0f} MiB; best of {repeats} interleaved repeats (1 at 1e6 nonzeros)")
    print("outside ms: time of the direct path outside HiGHS' run() (parse, expand, compile, passModel, values)")
    print("target: direct/raw <= 1.2 at >= 1e5 nonzeros; Pyomo path timed up to "
          f"{args.pyomo_max:.0e} nonzeros (tracemalloc for Pyomo only up to 2e4: tracing slows it a lot)")


if __name__ == "__main__":
    main()
