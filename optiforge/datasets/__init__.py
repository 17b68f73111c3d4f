"""Benchmark data sets of optimization word problems, and the rules that check answers to them.

``load("optibench")`` returns a :class:`LoadedDataset` of :class:`Problem` records (id, text,
gold values, answer rule, metadata) plus every skipped item with its reason;
:func:`optiforge.datasets.rules.check` judges a predicted answer under a named rule.
"""

from __future__ import annotations

from pathlib import Path

from optiforge.datasets._fetch import fetch
from optiforge.datasets._load import load, load_file
from optiforge.datasets._model import GoldValue, LoadedDataset, Problem, SkippedItem
from optiforge.datasets._registry import SPECS, DatasetSpec, get_spec
from optiforge.datasets.rules import RULES, RuleResult, check, score_all_rules, suspect_label

__all__ = [
    "RULES",
    "DatasetSpec",
    "GoldValue",
    "LoadedDataset",
    "Problem",
    "RuleResult",
    "SkippedItem",
    "check",
    "fetch",
    "find",
    "get_dataset",
    "list_datasets",
    "load",
    "load_file",
    "score_all_rules",
    "suspect_label",
]


def list_datasets() -> list[DatasetSpec]:
    """Every known data set, in registry order."""
    return list(SPECS.values())


def get_dataset(name: str) -> DatasetSpec:
    """The spec of data set ``name`` (license, default rule, upstream files)."""
    return get_spec(name)


def find(name: str, *, data_dir: str | Path | None = None) -> tuple[Path, str] | None:
    """(path, origin) where data set ``name`` would be loaded from, or None if not found."""
    from optiforge.datasets._locate import locate

    return locate(get_spec(name), data_dir)
