"""Solvers: Formulations (pydantic) -> HiGHS / SCIP / Pyomo, MPS/LP I/O, independent verification.

Public names load lazily so ``import optiforge.solvers`` stays cheap; solver libraries
(highspy, pyscipopt, pyomo) are imported only when a model is solved or read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from optiforge._lazy import lazy_attributes

if TYPE_CHECKING:
    from optiforge.solvers._classify import Classification, ModelClass, classify
    from optiforge.solvers._solve import solve
    from optiforge.solvers._verify import VerifyReport, Violation, evaluate, verify
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

_LAZY: dict[str, str] = {
    "Formulation": "optiforge.solvers.formulation",
    "SetDef": "optiforge.solvers.formulation",
    "ParameterDef": "optiforge.solvers.formulation",
    "VariableDef": "optiforge.solvers.formulation",
    "ObjectiveDef": "optiforge.solvers.formulation",
    "ConstraintDef": "optiforge.solvers.formulation",
    "solve": "optiforge.solvers._solve",
    "SolveResult": "optiforge.solvers.result",
    "verify": "optiforge.solvers._verify",
    "evaluate": "optiforge.solvers._verify",
    "VerifyReport": "optiforge.solvers._verify",
    "Violation": "optiforge.solvers._verify",
    "ArrayModel": "optiforge.solvers.io",
    "read_mps": "optiforge.solvers.io",
    "read_lp": "optiforge.solvers.io",
    "write_mps": "optiforge.solvers.io",
    "write_lp": "optiforge.solvers.io",
    "from_file": "optiforge.solvers.io",
    "load_pyomo_file": "optiforge.solvers.io",
    "classify": "optiforge.solvers._classify",
    "Classification": "optiforge.solvers._classify",
    "ModelClass": "optiforge.solvers._classify",
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


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())
