"""The formulation agent's result record."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["answered", "infeasible", "no_answer", "error"]


class FormulateResult(BaseModel):
    """Outcome of solving one word problem.

    ``answers`` maps each requested label to its value (plus ``"objective"``); ``status`` is
    ``answered`` when a verified optimal solution produced every answer, ``infeasible`` when
    the model stayed infeasible after repairs (some benchmarks expect exactly that), and
    ``no_answer``/``error`` otherwise, with ``error_category`` and ``error_message``.
    """

    status: Status
    answers: dict[str, float] = Field(default_factory=dict)
    objective: float | None = None
    formulation: dict[str, Any] | None = None
    code: str | None = Field(default=None, description="The Pyomo program, in mode='pyomo'.")
    solver: str | None = None
    solve_status: str | None = None
    verified: bool = False
    rounds: int = 0
    samples: int = 1
    votes: int = 1
    error_category: str | None = None
    error_message: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    llm_calls: int = 0
    steps: list[dict[str, Any]] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for humans."""
        if self.status == "answered":
            vals = ", ".join(f"{k} = {v:.10g}" for k, v in self.answers.items())
            return f"answered ({'verified' if self.verified else 'unverified'}, {self.rounds} round(s)): {vals}"
        return f"{self.status}: {self.error_category or ''} {self.error_message or ''}".strip()
