"""The benchmark runner's ``formulate`` method: the formulation agent on one Problem per cell.

Spec modifiers: ``selfcons<K>`` (K samples, majority vote), ``rounds<K>`` (repair bound),
``understand`` (analysis call first), ``fewshot<K>`` (K worked examples), ``pyomo`` (the
model writes Pyomo code, run only inside the sandbox).
"""

from __future__ import annotations

import re
from typing import Any

from optiforge.agents.formulate._agent import OBJECTIVE, FormulateAgent
from optiforge.errors import ConfigError

# Agent failure kinds -> the runner's error categories.
_CATEGORY = {"parse": "parse", "validation": "validation", "infeasible": "infeasible", "unbounded": "unbounded",
             "solver": "solver", "verification": "verification", "answer": "answer", "code": "sandbox"}


def _options(spec: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for mod in spec.modifiers:
        m = re.fullmatch(r"(selfcons|rounds|fewshot)(\d+)", mod)
        if m:
            key = {"selfcons": "samples", "rounds": "max_rounds", "fewshot": "few_shot"}[m.group(1)]
            opts[key] = int(m.group(2))
        elif mod == "understand":
            opts["understand"] = True
        elif mod == "pyomo":
            opts["mode"] = "pyomo"
        else:
            raise ConfigError(f"method formulate does not take modifier {mod!r}; use selfcons<K>, rounds<K>, fewshot<K>, understand, pyomo")
    if spec.argument:
        raise ConfigError(f"method formulate takes no argument (got {spec.argument!r})")
    return opts


class FormulateMethod:
    """Runs :class:`FormulateAgent` on a benchmark Problem and reports the queried values."""

    def __init__(self, spec: Any, settings: dict[str, Any]) -> None:
        self.name = spec.text
        self.options = {**_options(spec), **{k: v for k, v in settings.items() if k in ("time_limit", "temperature")}}

    async def run(self, problem: Any, ctx: Any) -> Any:
        from optiforge.bench import CellOutcome

        queried = [g.label for g in problem.gold] or [OBJECTIVE]
        agent = FormulateAgent(ctx.lm, seed=ctx.seed, **self.options)
        result = await agent.arun(problem.text, queried=queried)
        for step in result.steps:
            ctx.record(step)
        meta = {"rounds": result.rounds, "verified": result.verified, "solver": result.solver,
                "llm_calls": result.llm_calls, "votes": result.votes, "samples": result.samples,
                "formulation": result.formulation}
        if result.status == "answered":
            return CellOutcome(answers=result.answers, meta=meta)
        if result.status == "infeasible":
            # The agent concluded the problem has no optimal solution; some golds say exactly that.
            return CellOutcome(answers=None, no_solution=True, error_category="infeasible", error_message=result.error_message, meta=meta)
        return CellOutcome(status="no_answer", error_category=_CATEGORY.get(result.error_category or "", "other"),
                           error_message=result.error_message, meta=meta)


def make_method(spec: Any, settings: dict[str, Any]) -> FormulateMethod:
    """Factory registered with the benchmark runner under ``formulate``."""
    return FormulateMethod(spec, settings)
