"""The code-optimization agent: make a program faster, judged only inside the sandbox.

``CodeOptAgent(lm, strategy=...).run(task)`` asks the model for a faster program, checks
it against the task's tests and times it against the original in ``optiforge.sandbox``,
feeds failures (with the failing input), the speedup and a profile back, and keeps the
best correct candidate. ``task`` is a ``optiforge.sandbox.Task`` (or a shipped task's
name). The metric functions follow PIE (%OPT, mean speedup), EvalPerf (percentile among
reference solutions) and ENAMEL (eff, eff@k).
"""

from __future__ import annotations

from typing import Any

from optiforge.agents.code._agent import STRATEGIES, CodeOptAgent
from optiforge.agents.code._metrics import (
    correctness_rate,
    eff,
    eff_at_k,
    is_opt,
    mean_speedup,
    pass_at_k,
    pct_opt,
    percentile,
    pie_speedup,
)
from optiforge.agents.code._prompts import extract_code
from optiforge.agents.code._result import CodeOptResult

__all__ = [
    "STRATEGIES",
    "CodeOptAgent",
    "CodeOptResult",
    "aoptimize_code",
    "correctness_rate",
    "eff",
    "eff_at_k",
    "extract_code",
    "is_opt",
    "make_method",
    "mean_speedup",
    "optimize_code",
    "pass_at_k",
    "pct_opt",
    "percentile",
    "pie_speedup",
    "summarize",
]


async def aoptimize_code(task: Any, *, lm: Any, **options: Any) -> CodeOptResult:
    """Optimize one task with ``lm``; options are :class:`CodeOptAgent`'s."""
    return await CodeOptAgent(lm, **options).arun(task)


def optimize_code(task: Any, *, lm: Any, **options: Any) -> CodeOptResult:
    """Synchronous :func:`aoptimize_code`."""
    return CodeOptAgent(lm, **options).run(task)


def summarize(results: list[CodeOptResult]) -> dict[str, float]:
    """The papers' aggregate metrics over many tasks' results.

    ``pct_opt`` (PIE %OPT), ``mean_speedup`` (PIE, incorrect = 1.0), ``correct_pct``, and
    the means of each task's ``percentile``, ``eff`` and ``eff@k``/``pass@k`` where present.
    """
    items = [(r.correct, r.speedup) for r in results]
    out = {"n": float(len(results)), "pct_opt": pct_opt(items), "mean_speedup": mean_speedup(items),
           "correct_pct": correctness_rate([r.correct for r in results])}
    keys = sorted({k for r in results for k in r.metrics if k in ("percentile", "eff") or k.startswith(("eff@", "pass@"))})
    for key in keys:
        vals = [r.metrics[key] for r in results if key in r.metrics]
        out[f"mean_{key}"] = sum(vals) / len(vals)
    return out


def make_method(spec: Any, settings: dict[str, Any]) -> Any:
    """Factory registered with the benchmark runner under ``code-opt``."""
    from optiforge.agents.code._method import CodeOptMethod

    return CodeOptMethod(spec, settings)
