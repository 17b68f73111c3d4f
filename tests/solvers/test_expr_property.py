"""Property tests: random valid expressions agree across both build paths; junk fails cleanly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optiforge.errors import FormulationError
from optiforge.solvers import Formulation, solve
from optiforge.solvers._analysis import analyze
from optiforge.solvers._compile import compile_model
from optiforge.solvers._data import build_data
from optiforge.solvers._scalar import Scalar, float_lookup

BASE = {
    "sets": [
        {"name": "I", "start": 1, "end": 3},
        {"name": "K", "elements": ["a", "b"]},
        {"name": "P", "elements": [[1, "a"], [3, "b"], [2, "b"]]},
    ],
    "parameters": [
        {"name": "p", "index": ["I"], "value": [1.5, -2.0, 3.0]},
        {"name": "q", "index": ["I", "K"], "value": [[1, 2], [0.5, -1], [4, 0]]},
        {"name": "s", "value": 2.5},
        {"name": "w", "index": ["P"], "value": [1.5, -2.0, 0.5]},
    ],
    "variables": [
        {"name": "x", "index": ["I"], "lower": -5, "upper": 5},
        {"name": "y", "index": ["I", "K"], "lower": -5, "upper": 5},
        {"name": "z", "lower": -5, "upper": 5},
    ],
}

# linear leaves: constant * variable-or-parameter terms
LEAVES = st.sampled_from([
    "x[1]", "x[2]", "z", "s", "p[3]", "y[2, 'a']", "q[1, 'b']", "2", "0.5",
    "sum(p[i] * x[i] for i in I)", "sum(q[i, k] * y[i, k] for i in I for k in K)",
    "sum(x[i] for i in I if i != 2)", "sum(y[i, k] for i in I for k in K if k == 'b')",
    "len(I) * z", "abs(p[2]) * x[3]", "max(s, 1) * z", "s ** 2", "(p[1] + 1) * x[1]",
    "sum(w[i, k] * y[i, k] for (i, k) in P)", "sum(w[i, k] for (i, k) in P if i > 1) * z",
    "sum(p[i] * x[i] for (i, k) in P if k == 'b')",
])


def _combine(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["2", "s", "p[1]", "-1.5"]), children).map(lambda t: f"{t[0]} * {t[1]}"),
        st.tuples(children, st.sampled_from(["2", "s", "4"])).map(lambda t: f"{t[0]} / {t[1]}"),
        children.map(lambda e: f"-{e}"),
    )


LINEAR = st.recursive(LEAVES, _combine, max_leaves=6)


def _formulation(expr: str) -> Formulation:
    return Formulation.parse({**BASE, "objective": {"sense": "min", "expression": expr}, "constraints": []})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=LINEAR, seed=st.integers(0, 2**31 - 1))
def test_vectorised_and_scalar_paths_agree(expr, seed):
    f = _formulation(expr)
    a = analyze(f)
    data = build_data(f)
    compiled = compile_model(a, data, "min")
    x = np.random.default_rng(seed).uniform(-3, 3, data.n_cols)
    vectorised = float(compiled.obj @ x + compiled.obj_offset)
    arrays = {n: x[b.offset : b.offset + b.size].reshape(b.shape) for n, b in data.blocks.items()}
    scalar = float(Scalar(data, float_lookup(arrays)).eval(a.objective, {}))
    assert math.isclose(vectorised, scalar, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=LINEAR)
def test_highs_and_pyomo_paths_agree(expr):
    f = _formulation(expr)
    direct = solve(f, backend="highs")
    via_pyomo = solve(f, backend="pyomo")
    assert direct.status == via_pyomo.status
    if direct.status == "optimal":
        assert direct.objective == pytest.approx(via_pyomo.objective, rel=1e-7, abs=1e-7)


JUNK_CHARS = st.text(alphabet="xyzpqsIK[](),.+-*/<=>!&|^%@~:;'\"0123456789 _abcdefijklmnortu", max_size=40)
JUNK_TOKENS = st.lists(
    st.sampled_from(["x", "[", "]", "(", ")", "sum", "for", "in", "if", "I", "K", "i", "k", "+", "*", "**",
                     "/", "<=", ">=", "==", "=", "1", "'a'", ",", "lambda", "import", "p", "s", "z", ".", "not",
                     "and", "len", "abs", "min", "0", "/0", "1e308", "**1e6", "y"]),
    max_size=14,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(JUNK_CHARS, JUNK_TOKENS))
def test_junk_gives_a_clean_formulation_error(text):
    for where in ("objective", "constraint"):
        d = {**BASE, "objective": {"sense": "min", "expression": "z"}, "constraints": []}
        if where == "objective":
            d["objective"] = {"sense": "min", "expression": text}
        else:
            d["constraints"] = [{"name": "c", "for": "i in I", "expression": text}]
        try:
            f = Formulation.parse(d)
            a = analyze(f)
            data = build_data(f)
            if a.objective_degree <= 2 and a.constraint_degree <= 1:
                compile_model(a, data, "min")
        except FormulationError as exc:
            assert str(exc) and "\n" not in str(exc)
