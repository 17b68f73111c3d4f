"""The HiGHS backend: arrays in, status/solution/IIS/ray out, console kept quiet."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_banner_lock = threading.Lock()
_banner_done = False
INF = 1e30


def new_highs() -> Any:
    """A ``highspy.Highs`` with console output off (the one-time banner swallowed)."""
    global _banner_done
    import highspy

    with _banner_lock:
        if not _banner_done:
            # the copyright banner goes straight to fd 1 the first time a Highs is made
            with _fd_silenced():
                h = highspy.Highs()
            _banner_done = True
        else:
            h = highspy.Highs()
    h.setOptionValue("log_to_console", False)
    return h


@contextlib.contextmanager
def _fd_silenced() -> Any:
    import sys

    try:
        sys.stdout.flush()
        fd = 1
        saved = os.dup(fd)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@dataclass
class HighsArrays:
    """A model as HiGHS wants it: CSC matrix, bounds, costs, integrality, lower-triangular Hessian."""

    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray
    integrality: np.ndarray | None = None
    sense: str = "min"
    offset: float = 0.0
    hessian: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # CSC lower triangle
    col_names: Callable[[], list[str]] | None = field(default=None, repr=False)
    row_names: Callable[[], list[str]] | None = field(default=None, repr=False)

    @property
    def num_col(self) -> int:
        return len(self.col_cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    def pass_to(self, h: Any, *, names: bool = False, negate: bool = False) -> None:
        """Load into a ``Highs`` instance (array overload of passModel: no per-row objects)."""
        import highspy

        cost = -self.col_cost if negate else self.col_cost
        sense = self.sense
        if negate:
            sense = "min" if sense == "max" else "max"
        obj_sense = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
        integ = self.integrality
        if integ is None:
            integ = np.zeros(self.num_col, dtype=np.int32)
        head = [self.num_col, self.num_row, len(self.a_value)]
        arrays = [
            cost, self.col_lower, self.col_upper, self.row_lower, self.row_upper,
            self.a_start, self.a_index, self.a_value,
        ]
        offset = -self.offset if negate else self.offset
        a_format = int(highspy.MatrixFormat.kColwise)
        if self.hessian is not None and len(self.hessian[2]):
            hs, hi, hv = self.hessian
            h.passModel(
                *head, len(hv), a_format, int(highspy.HessianFormat.kTriangular), int(obj_sense), offset,
                *arrays, hs, hi, -hv if negate else hv, integ,
            )
        else:
            h.passModel(*head, a_format, int(obj_sense), offset, *arrays, integ)
        if names:
            if self.col_names is not None:
                for k, nm in enumerate(self.col_names()):
                    h.passColName(k, nm)
            if self.row_names is not None:
                for k, nm in enumerate(self.row_names()):
                    h.passRowName(k, nm)


@dataclass
class HighsOutcome:
    """Raw outcome of one HiGHS run."""

    status: str
    objective: float | None
    x: list[float] | None
    mip_gap: float | None
    log: str
    solve_time_s: float
    iis_rows: list[int] | None = None
    iis_cols: list[int] | None = None
    ray_cols: list[int] | None = None
    message: str = ""


def run_highs(model: HighsArrays, *, time_limit: float | None = None, explain: bool = True, options: dict[str, Any] | None = None) -> HighsOutcome:
    """Solve ``model`` with HiGHS; on infeasible/unbounded, look for an IIS or a ray."""
    import highspy

    negate = model.hessian is not None and len(model.hessian[2]) > 0 and model.sense == "max"
    fd, log_path = tempfile.mkstemp(prefix="optiforge-highs-", suffix=".log")
    os.close(fd)
    try:
        h = new_highs()
        h.setOptionValue("log_file", log_path)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        for k, v in (options or {}).items():
            h.setOptionValue(k, v)
        model.pass_to(h, negate=negate)
        t0 = time.perf_counter()
        h.run()
        ms = h.getModelStatus()
        if ms == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            # presolve could not tell which; without presolve simplex decides
            h.setOptionValue("presolve", "off")
            h.run()
            ms = h.getModelStatus()
        solve_time = time.perf_counter() - t0
        status, message = _status(ms, h)
        info = h.getInfo()
        has_sol = info.primal_solution_status == 2
        if status in ("infeasible", "unbounded"):
            has_sol = False  # a point on the way is not an answer
        # a list, not an array: the values dict is built from lists, so no round trip via numpy
        x = h.getSolution().col_value if has_sol else None
        obj = float(info.objective_function_value) if has_sol else None
        if obj is not None and negate:
            obj = -obj
        is_mip = model.integrality is not None and bool(np.any(model.integrality))
        gap = float(info.mip_gap) if is_mip and has_sol and np.isfinite(info.mip_gap) else None
        if status == "optimal" and is_mip and gap is None:
            gap = 0.0
        if status in ("time_limit",) and has_sol:
            message = message or "time limit reached; best solution found is returned"
        out = HighsOutcome(status, obj, x, gap, "", solve_time, message=message)
        if explain and status == "infeasible":
            _iis(model, h, out, is_mip, log_path)
        if explain and status == "unbounded":
            try:
                if not h.getPrimalRayExist()[1]:
                    # presolve proved unboundedness without a ray: let simplex find one
                    h.setOptionValue("presolve", "off")
                    h.run()
                _st, has_ray, ray = h.getPrimalRay()
                if has_ray:
                    ray = np.asarray(ray)
                    out.ray_cols = np.flatnonzero(np.abs(ray) > 1e-9).tolist()
            except Exception:
                out.ray_cols = None  # a missing ray only loses a hint
            if not out.ray_cols and isinstance(model, HighsArrays):
                out.ray_cols = _free_improving_cols(model) or None
        out.log = _read(log_path)
        return out
    finally:
        with contextlib.suppress(OSError):
            os.unlink(log_path)


def _free_improving_cols(m: HighsArrays) -> list[int]:
    """Columns in no row whose cost improves without bound: an obvious ray (HiGHS gives none then)."""
    empty = np.diff(m.a_start) == 0
    cost = m.col_cost if m.sense == "min" else -m.col_cost
    up = (cost < 0) & (m.col_upper >= INF)
    down = (cost > 0) & (m.col_lower <= -INF)
    return np.flatnonzero(empty & (up | down)).tolist()


def _status(ms: Any, h: Any) -> tuple[str, str]:
    import highspy

    S = highspy.HighsModelStatus
    if ms == S.kOptimal:
        return "optimal", ""
    if ms == S.kInfeasible:
        return "infeasible", "the model is infeasible"
    if ms == S.kUnbounded:
        return "unbounded", "the objective is unbounded"
    if ms == S.kUnboundedOrInfeasible:
        return "infeasible", "the model is infeasible or unbounded (HiGHS could not tell which)"
    if ms in (S.kTimeLimit, S.kIterationLimit, S.kSolutionLimit, S.kInterrupt, S.kObjectiveBound, S.kObjectiveTarget):
        return "time_limit", f"stopped early: {h.modelStatusToString(ms)}"
    if ms == S.kModelEmpty:
        return "optimal", "empty model"
    return "error", f"HiGHS: {h.modelStatusToString(ms)}"


def _iis(model: HighsArrays, h: Any, out: HighsOutcome, is_mip: bool, log_path: str) -> None:
    try:
        if is_mip:
            # HiGHS computes IISs of LPs: try the relaxation
            h = new_highs()
            h.setOptionValue("log_file", log_path)
            saved = model.integrality
            model.integrality = None
            try:
                model.pass_to(h)
            finally:
                model.integrality = saved
            h.run()
            st, _ = _status(h.getModelStatus(), h)
            if st != "infeasible":
                out.message = "infeasible only with integrality (the LP relaxation is feasible); no IIS"
                return
        # from the LP, then reduced to irreducible (the default "light" strategy finds only trivial ones)
        h.setOptionValue("iis_strategy", 6)
        _st, iis = h.getIis()
        if iis.valid_:
            out.iis_rows = [int(r) for r in iis.row_index_]
            out.iis_cols = [int(c) for c in iis.col_index_]
    except Exception as exc:
        out.message += f" (no IIS: {exc})"


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""
