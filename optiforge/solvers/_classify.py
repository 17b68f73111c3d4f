"""Model classes and our own convexity check, which decide the solver."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel

from optiforge.solvers._expr import NONLINEAR

if TYPE_CHECKING:
    import numpy as np

    from optiforge.solvers._compile import Compiled
    from optiforge.solvers.formulation import Formulation


class ModelClass(StrEnum):
    """The kind of optimization problem, from the degrees of its expressions."""

    LP = "LP"
    MILP = "MILP"
    QP = "QP"
    MIQP = "MIQP"
    QCQP = "QCQP"
    MIQCQP = "MIQCQP"
    NLP = "NLP"
    MINLP = "MINLP"


class Classification(BaseModel):
    """What a model is, whether it is convex (None: not decided/applicable) and who solves it."""

    model_class: ModelClass
    convex: bool | None
    backend: str
    reason: str


def model_class(objective_degree: int, constraint_degree: int, integers: bool) -> ModelClass:
    """Class from the largest degrees found in objective and constraints."""
    if objective_degree >= NONLINEAR or constraint_degree >= NONLINEAR:
        return ModelClass.MINLP if integers else ModelClass.NLP
    if constraint_degree == 2:
        return ModelClass.MIQCQP if integers else ModelClass.QCQP
    if objective_degree == 2:
        return ModelClass.MIQP if integers else ModelClass.QP
    return ModelClass.MILP if integers else ModelClass.LP


def hessian_is_convex(n: int, hi: np.ndarray, hj: np.ndarray, hv: np.ndarray, sense: str, tol: float = 1e-9) -> bool:
    """True when x'Hx/2 is convex for min (H PSD) or concave for max (H NSD)."""
    import numpy as np
    import scipy.sparse as sp

    if len(hv) == 0:
        return True
    cols = np.unique(np.concatenate([hi, hj]))
    remap = np.full(n, -1, dtype=np.int64)
    remap[cols] = np.arange(len(cols))
    m = len(cols)
    h = sp.coo_matrix((hv, (remap[hi], remap[hj])), shape=(m, m)).tocsr()
    h = (h + h.T) * 0.5
    if sense == "max":
        h = -h
    scale = max(1.0, float(abs(h).max()))
    if m <= 2000:
        eig = np.linalg.eigvalsh(h.toarray())
        return bool(eig.min() >= -tol * scale)
    from scipy.sparse.linalg import eigsh

    smallest = eigsh(h.asfptype(), k=1, which="SA", return_eigenvectors=False)
    return bool(smallest[0] >= -1e-7 * scale)


def classify(formulation: Formulation, compiled: Compiled | None = None) -> Classification:
    """Classify ``formulation`` and pick the backend ``solve(..., backend='auto')`` would use.

    LP/MILP/convex QP go to HiGHS; everything non-convex, with quadratic constraints, with
    integer quadratics, or generally nonlinear goes to SCIP. Convexity of a quadratic
    objective is checked from the Hessian's eigenvalues (PSD for min, NSD for max).
    """
    from optiforge.solvers._analysis import analyze

    a = analyze(formulation)
    mc = model_class(a.objective_degree, a.constraint_degree, a.has_integers)
    if mc in (ModelClass.LP, ModelClass.MILP):
        return Classification(model_class=mc, convex=True, backend="highs", reason="linear")
    if mc == ModelClass.QP or mc == ModelClass.MIQP:
        if compiled is None:
            from optiforge.solvers._compile import compile_model
            from optiforge.solvers._data import build_data

            compiled = compile_model(a, build_data(formulation), formulation.objective.sense)
        hi, hj, hv = compiled.hess
        convex = hessian_is_convex(compiled.data.n_cols, hi, hj, hv, formulation.objective.sense)
        if not convex:
            return Classification(model_class=mc, convex=False, backend="scip", reason="non-convex quadratic objective")
        if mc == ModelClass.MIQP:
            return Classification(model_class=mc, convex=True, backend="scip", reason="integer quadratic")
        return Classification(model_class=mc, convex=True, backend="highs", reason="convex quadratic objective")
    reason = "quadratic constraints" if mc in (ModelClass.QCQP, ModelClass.MIQCQP) else "nonlinear expressions"
    return Classification(model_class=mc, convex=None, backend="scip", reason=reason)
