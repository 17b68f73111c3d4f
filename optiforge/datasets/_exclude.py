"""Exclusion lists: ids of known-bad items, each with the reason it is left out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

from optiforge.errors import DatasetError

ExcludeArg = str | Path | Mapping[str, str] | Iterable[str] | None


def parse_exclusions(text: str, source: str) -> dict[str, str]:
    """Parse an exclusion list: JSON (``{"id": "reason"}`` or ``[{"id", "reason"}]``) or text.

    The text form has one id per line, then whitespace and the reason; ``#`` starts a comment
    line. Ids may be bare (``423``) or qualified (``optibench/423``).
    """
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"{source}, line {exc.lineno}: invalid JSON in exclusion list: {exc.msg}"
            ) from None
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
        out: dict[str, str] = {}
        for i, row in enumerate(data):
            if isinstance(row, dict) and "id" in row:
                out[str(row["id"])] = str(row.get("reason", "excluded"))
            elif isinstance(row, str | int):
                out[str(row)] = "excluded"
            else:
                raise DatasetError(f"{source}: entry {i} of the exclusion list needs an 'id'")
        return out
    result: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        item_id, _, reason = line.partition(" ")
        result[item_id.strip()] = reason.strip() or "excluded"
    return result


def read_exclusions(path: str | Path) -> dict[str, str]:
    """Read a user-supplied exclusion file (``--exclude FILE``)."""
    p = Path(path).expanduser()
    try:
        return parse_exclusions(p.read_text(encoding="utf-8"), str(p))
    except OSError as exc:
        raise DatasetError(f"cannot read exclusion list {p}: {exc.strerror or exc}") from None


def shipped_exclusions(name: str) -> dict[str, str]:
    """The exclusion list optiforge ships for data set ``name`` (empty if none)."""
    res = resources.files("optiforge.datasets").joinpath("exclude", f"{name}.txt")
    if not res.is_file():
        return {}
    return parse_exclusions(
        res.read_text(encoding="utf-8"), f"optiforge/datasets/exclude/{name}.txt"
    )


def as_exclusions(arg: ExcludeArg) -> dict[str, str]:
    """Turn a path, mapping or list of ids into ``{id: reason}``."""
    if arg is None:
        return {}
    if isinstance(arg, str | Path):
        return read_exclusions(arg)
    if isinstance(arg, Mapping):
        return {str(k): str(v) for k, v in arg.items()}
    return {str(i): "excluded by caller" for i in arg}


def qualify(ids: Mapping[str, str], dataset: str) -> dict[str, str]:
    """Prefix bare ids with ``dataset/`` so they compare with Problem ids."""
    prefix = f"{dataset}/"
    return {(k if k.startswith(prefix) else prefix + k): v for k, v in ids.items()}
