"""The records a data set loads into: problems, their gold values, and what was skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

GoldStatus = Literal["optimal", "no_solution"]


class GoldValue(BaseModel):
    """One ground-truth quantity of a problem.

    ``label`` is the benchmark's own name for the quantity (OptiBench's ``results`` key, or
    ``"objective"`` for single-answer sets); ``raw`` is the text the file stored (some rules,
    e.g. MAMO's, read the number of decimals from it).
    """

    model_config = ConfigDict(frozen=True)

    label: str
    value: float
    is_objective: bool = True
    raw: str | None = None


class Problem(BaseModel):
    """One benchmark item: a word problem, its gold answer(s), and how to check an answer.

    ``gold_status`` is ``"optimal"`` when ``gold`` holds values, or ``"no_solution"`` for
    items whose gold says the problem has no optimal solution (kept only when asked).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    dataset: str
    text: str
    gold: tuple[GoldValue, ...]
    gold_status: GoldStatus = "optimal"
    rule: str
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def objective(self) -> GoldValue | None:
        """The gold objective value, or None when the benchmark stores only decision values."""
        for gv in self.gold:
            if gv.is_objective:
                return gv
        return None


class SkippedItem(BaseModel):
    """An item that was not loaded, and why (no usable gold, excluded as known-bad, ...)."""

    model_config = ConfigDict(frozen=True)

    id: str
    reason: str
    line: int | None = None


class LoadedDataset(BaseModel):
    """The result of loading a data set: usable problems plus every skipped item with its reason."""

    model_config = ConfigDict(frozen=True)

    name: str
    source: str
    problems: tuple[Problem, ...]
    skipped: tuple[SkippedItem, ...] = ()
    rule: str
    license: str = ""
    file_items: int | None = None
    """Items in the file(s) before any exclusion or selection."""

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:  # type: ignore[override]
        return iter(self.problems)

    def __getitem__(self, key: int | str) -> Problem:
        """A problem by position or by id."""
        if isinstance(key, int):
            return self.problems[key]
        for p in self.problems:
            if p.id == key:
                return p
        raise KeyError(key)

    @property
    def total(self) -> int:
        """Items in the file(s): ``file_items`` when known, else usable plus skipped."""
        return (
            self.file_items
            if self.file_items is not None
            else len(self.problems) + len(self.skipped)
        )

    def summary(self) -> str:
        """One line: how many items were usable and how many were skipped, by reason."""
        counts: dict[str, int] = {}
        for s in self.skipped:
            key = s.reason.split(":", 1)[0]
            counts[key] = counts.get(key, 0) + 1
        parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        skipped = f"{len(self.skipped)} skipped ({parts})" if self.skipped else "0 skipped"
        return f"{self.name}: {len(self.problems)} loaded of {self.total}, {skipped}"


PathLike = str | Path
