"""The ``direct`` baseline: ask the model for the numeric answer(s) outright, no solver.

Papers on these benchmarks report this baseline (e.g. "GPT-4 zero-shot"); it shows what
the formulation agent adds. The model replies with a structured object, so no number is
scraped from free text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from optiforge.bench._methods import CellContext, CellOutcome, MethodSpec
from optiforge.errors import BudgetExceeded, ConfigError, LLMError, OutputParseError

if TYPE_CHECKING:
    from optiforge.datasets import Problem

SYSTEM_PROMPT = (
    "You are an expert in operations research. Solve the optimization problem the user gives "
    "you. Think it through, then reply with the final numeric values only, in the requested "
    "JSON form. If the problem has no optimal solution (infeasible or unbounded), say so in "
    "'status' and leave 'values' empty."
)

USER_TEMPLATE = """Problem:
{text}

Report these quantities (use exactly these labels):
{labels}

Reply as JSON: {{"status": "optimal" | "infeasible" | "unbounded", "values": [{{"label": <label>, "value": <number>}}, ...]}}"""


class LabeledValue(BaseModel):
    """One reported quantity."""

    label: str
    value: float


class DirectAnswer(BaseModel):
    """The reply the ``direct`` method asks for."""

    status: Literal["optimal", "infeasible", "unbounded"] = "optimal"
    values: list[LabeledValue] = Field(default_factory=list)


class DirectMethod:
    """Ask once per cell (``sample=seed``, so seeds are independent samples)."""

    name = "direct"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = {k: v for k, v in (settings or {}).items() if k in ("temperature", "max_tokens")}

    @staticmethod
    def labels(problem: Problem) -> list[str]:
        """The quantities asked for: the gold labels, or just the objective."""
        labels = [g.label for g in problem.gold]
        return labels or ["objective"]

    async def run(self, problem: Problem, ctx: CellContext) -> CellOutcome:
        """Ask, parse, and return the labelled numbers."""
        labels = self.labels(problem)
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": USER_TEMPLATE.format(text=problem.text, labels="\n".join(f"- {x}" for x in labels))},
        ]
        try:
            comp = await ctx.lm.complete(messages, schema=DirectAnswer, sample=ctx.seed, **self.params)
        except BudgetExceeded:
            raise
        except OutputParseError as exc:
            ctx.record({"kind": "llm", "messages": messages, "error": str(exc), "raw": exc.raw})
            return CellOutcome(status="error", error_category="parse", error_message=str(exc))
        except LLMError as exc:
            return CellOutcome(status="error", error_category="llm", error_message=str(exc))
        ctx.record({"kind": "llm", "messages": messages, "reply": comp.text, "cache_hit": comp.cache_hit})
        ans = comp.parsed
        if not isinstance(ans, DirectAnswer):
            return CellOutcome(status="error", error_category="parse", error_message="reply did not parse into DirectAnswer")
        if ans.status != "optimal":
            return CellOutcome(status="answered", no_solution=True, meta={"claimed": ans.status})
        if not ans.values:
            return CellOutcome(status="no_answer", error_category="parse", error_message="the reply holds no values")
        answers = {v.label: v.value for v in ans.values}
        if len(labels) == 1 and labels[0] not in answers and len(answers) == 1:
            # One quantity asked and one given under another name: it is that quantity.
            answers = {labels[0]: next(iter(answers.values()))}
        return CellOutcome(answers=answers)


def make_method(spec: MethodSpec, settings: dict[str, Any]) -> DirectMethod:
    """Registry factory for ``direct``; it takes no modifiers or argument."""
    if spec.modifiers or spec.argument:
        raise ConfigError(f"method 'direct' takes no modifiers or argument (got {spec.text!r})")
    return DirectMethod(settings)
