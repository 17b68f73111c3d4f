"""Model files: read/write MPS and LP (through HiGHS), export a Formulation, load Pyomo files.

A Pyomo model file is Python: it is run in a separate process (never in ours), which
writes the model as an LP file that we read back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from optiforge.errors import FormulationError, InputError, SolverError

if TYPE_CHECKING:
    from optiforge.solvers._highs import HighsArrays
    from optiforge.solvers.formulation import Formulation


@dataclass
class ArrayModel:
    """A linear/quadratic model held by HiGHS, as read from an MPS or LP file.

    ``model`` is a ``highspy.HighsModel``; ``col_names``/``row_names`` come from the file.
    """

    model: Any
    name: str = "model"
    col_names: list[str] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    integrality: np.ndarray | None = None
    hessian: Any = None
    source: str = ""

    @property
    def sense(self) -> str:
        """'min' or 'max', as stored in the file."""
        import highspy

        return "max" if self.model.lp_.sense_ == highspy.ObjSense.kMaximize else "min"

    @property
    def num_col(self) -> int:
        """Number of columns (variables)."""
        return int(self.model.lp_.num_col_)

    @property
    def num_row(self) -> int:
        """Number of rows (constraints)."""
        return int(self.model.lp_.num_row_)

    @property
    def is_mip(self) -> bool:
        """True when some column is integer (unless cleared for an LP relaxation)."""
        return self.integrality is not None and bool(np.any(self.integrality))

    def pass_to(self, h: Any, *, names: bool = False, negate: bool = False) -> None:
        """Load into a ``Highs`` instance (the IIS step clears ``integrality`` first)."""
        h.passModel(self.model)
        if self.integrality is None and self.is_file_mip():
            n = self.num_col
            h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))

    def is_file_mip(self) -> bool:
        """True when the model as read has integer columns."""
        return len(self.model.lp_.integrality_) > 0 and any(int(v) != 0 for v in self.model.lp_.integrality_)


def _new_quiet_highs() -> Any:
    from optiforge.solvers._highs import new_highs

    h = new_highs()
    h.setOptionValue("output_flag", False)
    return h


def _read(path: str | Path, kind: str) -> ArrayModel:
    import highspy

    p = Path(path)
    if not p.is_file():
        raise InputError(f"cannot read {p}: no such file")
    try:
        with open(p, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
    h = _new_quiet_highs()
    status = h.readModel(str(p))
    if status == highspy.HighsStatus.kError:
        raise InputError(f"{p}: not a readable {kind} file")
    model = h.getModel()
    lp = model.lp_
    integ = np.asarray(lp.integrality_, dtype=np.int32) if len(lp.integrality_) else None
    return ArrayModel(
        model=model,
        name=p.stem,
        col_names=list(lp.col_names_),
        row_names=list(lp.row_names_),
        integrality=integ,
        source=str(p),
    )


def read_mps(path: str | Path) -> ArrayModel:
    """Read an MPS file (free or fixed format) into an ArrayModel."""
    return _read(path, "MPS")


def read_lp(path: str | Path) -> ArrayModel:
    """Read a CPLEX-LP file into an ArrayModel."""
    return _read(path, "LP")


def formulation_arrays(f: Formulation) -> HighsArrays:
    """Compile a linear/quadratic Formulation to HiGHS arrays with LP/MPS-safe names."""
    from optiforge.solvers._analysis import analyze
    from optiforge.solvers._compile import compile_model
    from optiforge.solvers._data import build_data
    from optiforge.solvers._solve import to_highs_arrays

    a = analyze(f)
    if a.constraint_degree > 1 or a.objective_degree > 2:
        raise FormulationError(
            "export: LP/MPS files hold linear models with at most a quadratic objective; this model is nonlinear"
        )
    compiled = compile_model(a, build_data(f), f.objective.sense)
    return to_highs_arrays(compiled)


def _write(model: Formulation | ArrayModel, path: str | Path, suffix: str) -> Path:
    import highspy

    p = Path(path)
    if p.suffix.lower() != suffix:
        raise InputError(f"{p}: expected a {suffix} file name")
    h = _new_quiet_highs()
    if isinstance(model, ArrayModel):
        h.passModel(model.model)
    else:
        formulation_arrays(model).pass_to(h, names=True)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {p}: {exc.strerror or exc}") from None
    if h.writeModel(str(p)) == highspy.HighsStatus.kError or not p.exists():
        raise InputError(f"cannot write {p}")
    return p


def write_mps(model: Formulation | ArrayModel, path: str | Path) -> Path:
    """Write a Formulation (compiled) or an ArrayModel as a free-format MPS file."""
    return _write(model, path, ".mps")


def write_lp(model: Formulation | ArrayModel, path: str | Path) -> Path:
    """Write a Formulation (compiled) or an ArrayModel as a CPLEX-LP file."""
    return _write(model, path, ".lp")


def from_file(path: str | Path) -> Formulation | ArrayModel:
    """Load ``.json`` (Formulation), ``.mps``, ``.lp`` or ``.py`` (Pyomo model file, run in a subprocess)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        from optiforge.solvers.formulation import Formulation

        return Formulation.load(p)
    if suffix == ".mps":
        return read_mps(p)
    if suffix == ".lp":
        return read_lp(p)
    if suffix == ".py":
        return load_pyomo_file(p)
    raise InputError(f"{p}: unknown model file type {suffix or '(none)'}; use .json, .mps, .lp or .py")


_RUNNER = r"""
import runpy, sys
ns = runpy.run_path(sys.argv[1], run_name="__optiforge_model__")
import pyomo.environ as pyo
from pyomo.core.base.PyomoModel import Model
model = ns.get("model")
if not isinstance(model, Model):
    model = None
    for fn in ("build_model", "create_model", "make_model", "get_model"):
        if callable(ns.get(fn)):
            model = ns[fn]()
            break
if model is None:
    found = [v for v in ns.values() if isinstance(v, Model)]
    model = found[0] if len(found) == 1 else None
if model is None:
    sys.stderr.write("no Pyomo model found: define `model` or a build_model() function\n")
    sys.exit(3)
if isinstance(model, pyo.AbstractModel):
    model = model.create_instance()
model.write(sys.argv[2], io_options={"symbolic_solver_labels": True})
"""


def run_model_script(path: Path, out_path: Path, *, timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run a model-building Python file in a separate process that writes ``out_path``.

    This is the single place generated Python is executed. It uses a plain subprocess
    (private temp cwd, timeout, no inherited secrets) until ``optiforge.sandbox.run``
    is available, which should replace the body of this function.
    """
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR")}
    try:
        return subprocess.run(
            [sys.executable, "-c", _RUNNER, str(path.resolve()), str(out_path)],
            cwd=out_path.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SolverError(f"{path}: building the Pyomo model took longer than {timeout_s:g}s") from None


def load_pyomo_file(path: str | Path, *, timeout_s: float = 60.0) -> ArrayModel:
    """Run a Pyomo model file in a subprocess and read the model it builds.

    The file must define ``model`` (a ConcreteModel/AbstractModel) or ``build_model()``.
    The model is exchanged as an LP file, so it must be linear (or have a quadratic objective).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"cannot read {p}: no such file")
    with tempfile.TemporaryDirectory(prefix="optiforge-pyomo-") as tmp:
        out = Path(tmp) / "model.lp"
        proc = run_model_script(p, out, timeout_s=timeout_s)
        if proc.returncode != 0 or not out.exists():
            lines = [ln for ln in (proc.stderr or "").strip().splitlines() if ln.strip()]
            last = lines[-1] if lines else f"exit status {proc.returncode}"
            raise InputError(f"{p}: could not build the Pyomo model: {last}")
        model = read_lp(out)
    model.name = p.stem
    model.source = str(p)
    return model
