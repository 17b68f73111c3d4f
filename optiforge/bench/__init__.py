"""The batch benchmark runner: experiment grid, resumable result store, executors, reports.

A run takes an :class:`ExperimentSpec` (datasets x methods x models x seeds, budget,
concurrency), skips the cells its :class:`Store` already holds, runs the rest through a
:class:`Method` (``direct`` ships here; ``formulate`` and later methods plug in through
:func:`register_method`), scores every answer under every answer rule, and writes one
row per cell. :func:`write_report` turns a store into Markdown/CSV tables and PNG plots.

Method plug-in contract: ``register_method("name", "module:factory")`` where
``factory(spec: MethodSpec, settings: dict) -> Method`` and ``Method.run(problem, ctx)``
is ``async`` and returns a :class:`CellOutcome`; ``ctx`` is a :class:`CellContext`.
"""

from __future__ import annotations

from optiforge.bench._grid import Cell, cell_key, expand_grid
from optiforge.bench._methods import (
    ERROR_CATEGORIES,
    CellContext,
    CellOutcome,
    Method,
    MethodSpec,
    make_method,
    parse_method,
    register_method,
    registered_methods,
)
from optiforge.bench._progress import Progress
from optiforge.bench._report import aggregate, diff_lines, status_lines, wilson, write_report
from optiforge.bench._runner import (
    RunSummary,
    default_lm_factory,
    run_experiment,
    run_experiment_async,
)
from optiforge.bench._spec import (
    BudgetSpec,
    DatasetSpec,
    ExperimentSpec,
    ModelSpec,
    build_spec,
    load_spec,
)
from optiforge.bench._store import CellRow, Store

__all__ = [
    "ERROR_CATEGORIES",
    "BudgetSpec",
    "Cell",
    "CellContext",
    "CellOutcome",
    "CellRow",
    "DatasetSpec",
    "ExperimentSpec",
    "Method",
    "MethodSpec",
    "ModelSpec",
    "Progress",
    "RunSummary",
    "Store",
    "aggregate",
    "build_spec",
    "cell_key",
    "default_lm_factory",
    "diff_lines",
    "expand_grid",
    "load_spec",
    "make_method",
    "parse_method",
    "register_method",
    "registered_methods",
    "run_experiment",
    "run_experiment_async",
    "status_lines",
    "wilson",
    "write_report",
]
