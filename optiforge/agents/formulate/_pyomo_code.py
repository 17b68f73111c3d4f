"""The Pyomo-code mode of the formulation agent: the model writes a Pyomo script, the sandbox runs it.

Generated code never runs in our process. A harness (ours, appended to the model's code and
run with it inside :mod:`optiforge.sandbox`) builds the model, solves it with HiGHS through
Pyomo's appsi interface, re-checks every constraint and bound at the solution, and prints one
JSON line that the agent reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

HARNESS = r'''

# ---- optiforge harness (appended; runs inside the sandbox) ----
def _optiforge_main():
    import json as _json
    import math as _math
    import sys as _sys
    import traceback as _tb

    import pyomo.environ as _pyo

    out = {"status": "error"}
    try:
        m = build_model()
        objs = list(m.component_data_objects(_pyo.Objective, active=True))
        if len(objs) != 1:
            raise ValueError(f"the model must have exactly one active Objective, found {len(objs)}")
        # Pyomo's HiGHS interface takes linear models only (it fails with a bare DegreeError on
        # anything else); say so in words the model can act on.
        nonlinear = [c.name for c in m.component_data_objects(_pyo.Constraint, active=True)
                     if c.body.polynomial_degree() not in (0, 1)]
        if objs[0].expr.polynomial_degree() not in (0, 1) or nonlinear:
            where = ", ".join(nonlinear[:5]) or "the objective"
            raise ValueError(f"the model is nonlinear ({where}); Pyomo mode solves linear and integer-linear "
                             "models with HiGHS only: linearize it, or use the Formulation mode (SCIP)")
        res = _pyo.SolverFactory("appsi_highs").solve(m, load_solutions=False)
        tc = str(res.solver.termination_condition)
        if "infeasible" in tc.lower() and "unbounded" not in tc.lower():
            out = {"status": "infeasible", "termination": tc}
        elif "unbounded" in tc.lower():
            out = {"status": "unbounded", "termination": tc}
        elif "optimal" not in tc.lower():
            out = {"status": "error", "termination": tc, "message": f"solver stopped: {tc}"}
        else:
            m.solutions.load_from(res)
            worst, where = 0.0, None
            for c in m.component_data_objects(_pyo.Constraint, active=True):
                body = _pyo.value(c.body)
                lo = None if c.lower is None else _pyo.value(c.lower)
                hi = None if c.upper is None else _pyo.value(c.upper)
                for bound, gap in ((lo, (lo - body) if lo is not None else 0.0), (hi, (body - hi) if hi is not None else 0.0)):
                    scaled = gap / max(1.0, abs(bound)) if bound is not None else 0.0
                    if scaled > worst:
                        worst, where = scaled, c.name
            for v in m.component_data_objects(_pyo.Var, active=True):
                x = v.value
                if x is None:
                    continue
                for bound, gap in ((v.lb, (v.lb - x) if v.lb is not None else 0.0), (v.ub, (x - v.ub) if v.ub is not None else 0.0)):
                    scaled = gap / max(1.0, abs(bound)) if bound is not None else 0.0
                    if scaled > worst:
                        worst, where = scaled, v.name
                if v.is_integer() and abs(x - round(x)) > 1e-6 and abs(x - round(x)) > worst:
                    worst, where = abs(x - round(x)), v.name + " (integrality)"
            ans = answers(m)
            clean = {}
            for k, val in dict(ans).items():
                val = float(val)
                clean[str(k)] = val if _math.isfinite(val) else None
            out = {"status": "optimal", "objective": float(_pyo.value(objs[0])), "answers": clean,
                   "max_violation": worst, "violated": where, "termination": tc}
    except Exception as exc:
        out = {"status": "error", "message": f"{type(exc).__name__}: {exc}",
               "traceback": "".join(_tb.format_exc().splitlines(keepends=True)[-8:])}
    _sys.stdout.write("\nOPTIFORGE_RESULT " + _json.dumps(out) + "\n")


_optiforge_main()
'''

_CODE = re.compile(r"```(?:python|py)?[ \t]*\r?\n(.*?)```", re.DOTALL)


def extract_code(text: str) -> str | None:
    """The longest fenced Python block of a reply (or the whole reply if it defines build_model)."""
    blocks = _CODE.findall(text)
    if blocks:
        return max(blocks, key=len)
    return text if "def build_model" in text else None


@dataclass
class CodeRun:
    """What the harness reported, or why it could not report."""

    status: str
    objective: float | None = None
    answers: dict[str, float | None] = field(default_factory=dict)
    max_violation: float = 0.0
    violated: str | None = None
    message: str = ""
    stdout: str = ""
    stderr: str = ""


async def run_code(code: str, *, time_limit: float) -> CodeRun:
    """Run the model's code plus the harness in the sandbox and parse its report."""
    from optiforge.sandbox import Limits, arun

    limits = Limits(cpu_s=time_limit, wall_s=time_limit * 2 + 10, memory_mb=4096, processes=64)
    r = await arun(code + HARNESS, language="python", limits=limits)
    line = next((ln for ln in reversed(r.stdout.splitlines()) if ln.startswith("OPTIFORGE_RESULT ")), None)
    if line is None:
        if r.limit not in (None, "none"):
            why = f"the program was stopped by the {r.limit} limit"
        elif r.signal is not None:
            why = f"the program was killed by signal {r.signal} (a resource limit or the wall-clock limit)"
        else:
            why = f"the program exited with status {r.exit_code}"
        tail = (r.stderr or r.stdout)[-1500:]
        return CodeRun(status="error", message=f"{why}: {tail.strip()}", stdout=r.stdout[-4000:], stderr=r.stderr[-4000:])
    data: dict[str, Any] = json.loads(line.removeprefix("OPTIFORGE_RESULT "))
    msg = data.get("message") or ""
    if data.get("traceback"):
        msg = f"{msg}\n{data['traceback']}"
    return CodeRun(status=data["status"], objective=data.get("objective"), answers=data.get("answers") or {},
                   max_violation=float(data.get("max_violation") or 0.0), violated=data.get("violated"),
                   message=msg.strip(), stdout=r.stdout[-4000:], stderr=r.stderr[-4000:])
