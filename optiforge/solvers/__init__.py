"""Solvers: Formulations (pydantic) -> HiGHS / SCIP / Pyomo, MPS/LP I/O, independent verification.

Public names load lazily so ``import optiforge.solvers`` stays cheap; solver libraries
(highspy, pyscipopt, pyomo) are imported only when a model is solved or read.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optiforge.solvers.classify import Classification, ModelClass, classify
    from optiforge.solvers.formulation import (
        ConstraintDef,
        Formulation,
        ObjectiveDef,
        ParameterDef,
        SetDef,
        VariableDef,
    )
    from optiforge.solvers.io import (
        ArrayModel,
        from_file,
        load_pyomo_file,
        read_lp,
        read_mps,
        write_lp,
        write_mps,
    )
    from optiforge.solvers.result import SolveResult
    from optiforge.solvers.solve import solve
    from optiforge.solvers.verify import VerifyReport, Violation, evaluate, verify

_LAZY: dict[str, str] = {
    "Formulation": "optiforge.solvers.formulation",
    "SetDef": "optiforge.solvers.formulation",
    "ParameterDef": "optiforge.solvers.formulation",
    "VariableDef": "optiforge.solvers.formulation",
    "ObjectiveDef": "optiforge.solvers.formulation",
    "ConstraintDef": "optiforge.solvers.formulation",
    "solve": "optiforge.solvers.solve",
    "SolveResult": "optiforge.solvers.result",
    "verify": "optiforge.solvers.verify",
    "evaluate": "optiforge.solvers.verify",
    "VerifyReport": "optiforge.solvers.verify",
    "Violation": "optiforge.solvers.verify",
    "ArrayModel": "optiforge.solvers.io",
    "read_mps": "optiforge.solvers.io",
    "read_lp": "optiforge.solvers.io",
    "write_mps": "optiforge.solvers.io",
    "write_lp": "optiforge.solvers.io",
    "from_file": "optiforge.solvers.io",
    "load_pyomo_file": "optiforge.solvers.io",
    "classify": "optiforge.solvers.classify",
    "Classification": "optiforge.solvers.classify",
    "ModelClass": "optiforge.solvers.classify",
}

__all__ = [
    "ArrayModel",
    "Classification",
    "ConstraintDef",
    "Formulation",
    "ModelClass",
    "ObjectiveDef",
    "ParameterDef",
    "SetDef",
    "SolveResult",
    "VariableDef",
    "VerifyReport",
    "Violation",
    "classify",
    "evaluate",
    "from_file",
    "load_pyomo_file",
    "read_lp",
    "read_mps",
    "solve",
    "verify",
    "write_lp",
    "write_mps",
]


# Public functions that share their name with the module defining them (solve.py, verify.py,
# classify.py). Importing such a submodule makes the import system bind the *module* to the
# package attribute; keep the function there instead, so `from optiforge.solvers import solve`
# always gives the function whatever was imported first.
_SAME_NAME = frozenset({"solve", "verify", "classify"})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SAME_NAME and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'optiforge.solvers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
