"""``SolveResult``: what a solve returns, in a JSON-friendly shape."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["optimal", "feasible", "infeasible", "unbounded", "time_limit", "error"]


def iter_entries(entry: Any, prefix: tuple[str, ...] = ()) -> Any:
    """Yield ``(index keys tuple, value)`` for a number or a nested values dict."""
    if isinstance(entry, dict):
        for k, v in entry.items():
            yield from iter_entries(v, (*prefix, str(k)))
    else:
        yield prefix, entry


class SolveResult(BaseModel):
    """The outcome of one solve.

    ``values`` maps each variable name to a number (scalar variables) or to dicts nested
    one level per index set, keyed by ``str(element)``: ``{"x": {"1": {"a": 3.0}}}``.
    Use :meth:`value` to read one entry (``result.value("x", 1, "a")``) and
    :meth:`entries` to iterate over ``(index tuple, value)`` pairs.
    """

    status: Status
    objective: float | None = None
    values: dict[str, Any] = Field(default_factory=dict, description="name -> number, or nested {element: ...} per index set")
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
        for i in index:
            if not isinstance(entry, dict):
                raise KeyError(f"{name} has fewer than {len(index)} indices")
            # an element of a set of pairs is keyed 'a,b': pass it as a tuple
            entry = entry[",".join(map(str, i)) if isinstance(i, tuple) else str(i)]
        if isinstance(entry, dict):
            raise KeyError(f"{name} needs more indices")
        return float(entry)

    def entries(self, name: str) -> dict[tuple[str, ...], float]:
        """All entries of one variable as ``{(key, ...): value}`` (``{(): v}`` for scalars)."""
        return {k: float(v) for k, v in iter_entries(self.values[name])}

    def nonzeros(self, tol: float = 1e-9) -> dict[str, dict[tuple[str, ...], float]]:
        """Entries with magnitude above ``tol``: ``{name: {(key, ...): value}}``."""
        out: dict[str, dict[tuple[str, ...], float]] = {}
        for name in self.values:
            kept = {k: v for k, v in self.entries(name).items() if abs(v) > tol}
            if kept:
                out[name] = kept
        return out

    def summary(self) -> str:
        """One line: status, objective, solver and times."""
        obj = "-" if self.objective is None else f"{self.objective:.10g}"
        return (
            f"{self.status} objective={obj} solver={self.solver} "
            f"build={self.build_time_s:.3f}s solve={self.solve_time_s:.3f}s"
        )
