"""Grid expansion: datasets x items x methods x models x seeds, each cell with a stable key."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optiforge.bench._spec import ExperimentSpec
    from optiforge.datasets import Problem


def cell_key(spec_hash: str, dataset: str, item: str, method: str, model: str, seed: int) -> str:
    """The stable id of a cell (also its ``CellContext.cell_id``)."""
    blob = "\x1f".join((spec_hash, dataset, item, method, model, str(seed)))
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Cell:
    """One unit of work: one problem, one method, one model, one seed."""

    spec_hash: str
    dataset: str
    problem: Problem
    method: str
    model: str
    seed: int
    key: str = ""
    """See :func:`cell_key`; filled in from the coordinates."""

    def __post_init__(self) -> None:
        if not self.key:
            key = cell_key(self.spec_hash, self.dataset, self.problem.id, self.method, self.model, self.seed)
            object.__setattr__(self, "key", key)

    @property
    def item(self) -> str:
        """The problem's id."""
        return self.problem.id


def expand_grid(spec: ExperimentSpec, problems: Mapping[str, Sequence[Problem]]) -> list[Cell]:
    """Every cell of the spec, seed-major so that early results cover every method and model.

    ``problems`` maps each dataset's name to its problems, in spec order.
    """
    h = spec.spec_hash
    cells: list[Cell] = []
    for seed in spec.seeds:
        for dataset, items in problems.items():
            for problem in items:
                for method in spec.methods:
                    for model in spec.models:
                        cells.append(Cell(h, dataset, problem, method, model.label, seed))
    return cells
