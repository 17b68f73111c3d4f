"""Turn the spec's datasets into problems: load through ``optiforge.datasets``, then split."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from optiforge.errors import ConfigError, OptiforgeError

if TYPE_CHECKING:
    from optiforge.bench._spec import DatasetSpec
    from optiforge.datasets import Problem


def _in_split(item_id: str, split: str, train_fraction: float) -> bool:
    # A hash of the id (not the file order) keeps an item's side fixed as files grow.
    h = int(hashlib.sha256(item_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return (h < train_fraction) == (split == "train")


def load_problems(ds: DatasetSpec) -> tuple[str, list[Problem], int]:
    """(canonical name, the problems a dataset entry selects, how many items the loader skipped)."""
    import optiforge.datasets as datasets

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
