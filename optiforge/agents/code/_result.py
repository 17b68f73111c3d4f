"""The code-optimization agent's result record."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["improved", "correct", "no_correct", "error"]


class CodeOptResult(BaseModel):
    """Outcome of optimizing one program.

    ``status``: ``improved`` when the best correct candidate is at least 10% faster than
    the original (PIE's %OPT criterion), ``correct`` when correct candidates exist but none
    is, ``no_correct`` when no candidate passed the tests, ``error`` when the run could not
    finish (``error_message`` says why). ``program`` is the best correct candidate, else the
    original. ``speedup`` is the original's median cost over the best candidate's, in
    ``measure`` ("cpu" seconds or callgrind "instructions"); ``metrics`` holds the papers'
    metrics for this task (opt, pie_speedup, percentile, eff, eff@k, pass@k, ...).
    """

    task: str
    language: str
    strategy: str
    status: Status
    program: str
    original: str
    correct: bool = False
    speedup: float | None = None
    measure: str = "cpu"
    measure_note: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    rounds: int = 0
    candidates: int = 0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    error_message: str | None = None
    steps: list[dict[str, Any]] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for humans."""
        if self.status == "error":
            return f"error: {self.error_message}"
        if self.status == "no_correct":
            return f"no correct candidate in {self.candidates} ({self.strategy}, {self.rounds} round(s)); the original program is kept"
        pct = self.metrics.get("percentile")
        extra = f", percentile {pct:.0f}" if pct is not None else ""
        return (f"{self.status}: speedup {self.speedup:.2f}x ({self.measure}) with {self.strategy}, "
                f"{self.candidates} candidate(s), {self.rounds} round(s){extra}")
