"""Turn the spec's datasets into problems: load through ``optiforge.datasets``, then split.

Code-speed task sets are data sets too: ``codeopt-tasks`` (the tasks shipped in
``optiforge.sandbox``), ``codeopt-pie`` and ``codeopt-evalperf`` (PIE / EvalPerf JSONL files
given with ``path:``; PIE test cases from ``data_dir:``). Their items are ``Problem`` records
with no gold and the rule :data:`METHOD_RULE`: the method (``code-opt``) judges them itself.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from optiforge.errors import ConfigError, OptiforgeError

if TYPE_CHECKING:
    from optiforge.bench._spec import DatasetSpec
    from optiforge.datasets import Problem

METHOD_RULE = "method"
"""The rule of items that have no gold answer: the method's own verdict is the score."""

CODE_DATASETS = ("codeopt-tasks", "codeopt-pie", "codeopt-evalperf")
"""Data sets of code-speed tasks (``optiforge.sandbox`` tasks), judged by their method."""


def load_code_tasks(name: str, path: str | None = None, data_dir: str | None = None) -> list[Any]:
    """The ``optiforge.sandbox.Task`` s of a code data set (see :data:`CODE_DATASETS`)."""
    import optiforge.sandbox as sandbox

    if name == "codeopt-tasks":
        return sandbox.load_tasks()
    if path is None:
        raise ConfigError(f"dataset {name}: give the JSONL file with path:")
    if name == "codeopt-pie":
        return sandbox.load_pie(path, tests_dir=data_dir)
    return sandbox.load_evalperf(path)


def _code_problems(ds: DatasetSpec) -> list[Problem]:
    from optiforge.datasets import Problem

    tasks = load_code_tasks(ds.name, str(ds.path) if ds.path else None, str(ds.data_dir) if ds.data_dir else None)
    return [
        Problem(id=t.name, dataset=ds.name, text=t.statement, gold=(), rule=METHOD_RULE,
                metadata={"task": t.name, "language": t.language, "kind": t.kind,
                          "path": str(ds.path) if ds.path else None, "data_dir": str(ds.data_dir) if ds.data_dir else None})
        for t in tasks
    ]


def _in_split(item_id: str, split: str, train_fraction: float) -> bool:
    # A hash of the id (not the file order) keeps an item's side fixed as files grow.
    h = int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return (h < train_fraction) == (split == "train")


def load_problems(ds: DatasetSpec) -> tuple[str, list[Problem], int]:
    """(canonical name, the problems a dataset entry selects, how many items the loader skipped)."""
    import optiforge.datasets as datasets

    if ds.name in CODE_DATASETS:
        problems = _code_problems(ds)
        if ds.ids:
            problems = [p for p in problems if p.id in set(ds.ids)]
        if ds.split:
            problems = [p for p in problems if _in_split(p.id, ds.split, ds.train_fraction)]
        return ds.name, problems[: ds.limit] if ds.limit else problems, 0
    known = {s.name for s in datasets.list_datasets()}
    name = ds.name
    try:
        name = datasets.get_dataset(ds.name).name
    except OptiforgeError:
        if ds.path is None:
            raise ConfigError(
                f"unknown dataset {ds.name!r}; known: {', '.join(sorted(known))} (or give a file with path:)"
            ) from None
    kwargs: dict[str, Any] = {"ids": ds.ids, "no_solution": ds.no_solution}
    if ds.rule:
        kwargs["rule"] = ds.rule
    # The limit applies after the split, so "limit: 10, split: test" gives ten test items.
    limit = None if ds.split else ds.limit
    if name in known:
        loaded = datasets.load(name, data_dir=ds.data_dir, path=ds.path, limit=limit, **kwargs)
    else:
        assert ds.path is not None
        loaded = datasets.load_file(ds.path, dataset=ds.name, limit=limit, **kwargs)
    problems = list(loaded.problems)
    if ds.split:
        problems = [p for p in problems if _in_split(p.id, ds.split, ds.train_fraction)]
        if ds.limit is not None:
            problems = problems[: ds.limit]
    return loaded.name, problems, len(loaded.skipped)
