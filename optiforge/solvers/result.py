"""``SolveResult``: what a solve returns, in a JSON-friendly shape."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["optimal", "feasible", "infeasible", "unbounded", "time_limit", "error"]


def index_key(index: tuple[Any, ...] | Any) -> str:
    """The key under which an indexed value is stored: ``'a'``, ``'1,a'``."""
    if not isinstance(index, tuple):
        index = (index,)
    return ",".join(str(i) for i in index)


class SolveResult(BaseModel):
    """The outcome of one solve.

    ``values`` maps each variable name to a number (scalar variables) or to a dict from
    index key to number; index keys join the elements with commas (``x['1,a']``). Use
    :meth:`value` to read one entry without formatting keys yourself.
    """

    status: Status
    objective: float | None = None
    values: dict[str, float | dict[str, float]] = Field(default_factory=dict)
    mip_gap: float | None = None
    solver: str = ""
    model_class: str | None = None
    build_time_s: float = 0.0
    solve_time_s: float = 0.0
    log: str = ""
    iis: list[str] | None = Field(default=None, description="Constraints of an irreducible infeasible subset.")
    unbounded_vars: list[str] | None = Field(default=None, description="Variables along an unbounded ray.")
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when a solution (optimal or feasible) is available."""
        return self.status in ("optimal", "feasible") or (self.status == "time_limit" and bool(self.values))

    def value(self, name: str, *index: Any) -> float:
        """One variable's value: ``result.value('x', 1, 'a')``; KeyError if absent."""
        entry = self.values[name]
        if isinstance(entry, dict):
            return entry[index_key(tuple(index))]
        if index:
            raise KeyError(f"{name} is not indexed")
        return entry

    def nonzeros(self, tol: float = 1e-9) -> dict[str, float | dict[str, float]]:
        """``values`` without entries whose magnitude is below ``tol``."""
        out: dict[str, float | dict[str, float]] = {}
        for name, entry in self.values.items():
            if isinstance(entry, dict):
                kept = {k: v for k, v in entry.items() if abs(v) > tol}
                if kept:
                    out[name] = kept
            elif abs(entry) > tol:
                out[name] = entry
        return out

    def summary(self) -> str:
        """One line: status, objective, solver and times."""
        obj = "-" if self.objective is None else f"{self.objective:.10g}"
        return (
            f"{self.status} objective={obj} solver={self.solver} "
            f"build={self.build_time_s:.3f}s solve={self.solve_time_s:.3f}s"
        )
