"""``Module``: a group of Parameters that names them, lists them, and saves/loads their values."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from optiforge.errors import InputError
from optiforge.graph._nodes import Parameter


class Module:
    """Base for workflows with trainable parts.

    Parameters assigned as attributes (directly, inside nested Modules, or in
    lists/dicts) are found by :meth:`parameters`. An unnamed Parameter takes its
    attribute name on assignment, so optimizers and saved files use readable names.
    """

    def __setattr__(self, key: str, value: Any) -> None:
        if isinstance(value, Parameter) and not value.name:
            value.name = key
        object.__setattr__(self, key, value)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted.path, parameter)`` pairs in attribute order, each parameter once."""
        seen: set[int] = set()
        for path, p in self._walk(vars(self), prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield path, p

    def parameters(self) -> list[Parameter]:
        """All Parameters reachable from this module."""
        return [p for _, p in self.named_parameters()]

    def state(self) -> dict[str, Any]:
        """Current values keyed by dotted path."""
        return {path: p.snapshot() for path, p in self.named_parameters()}

    def load_state(self, values: dict[str, Any]) -> None:
        """Set values by dotted path; all are checked first, so a bad value changes nothing."""
        params = dict(self.named_parameters())
        unknown = sorted(set(values) - set(params))
        if unknown:
            raise InputError(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(params)}")
        checked = {k: params[k].check(v) for k, v in values.items()}
        for k, v in checked.items():
            params[k].set(v)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameter values as JSON (atomically: a crash never leaves half a file)."""
        atomic_write_text(Path(path), json.dumps(self.state(), indent=2, sort_keys=True))

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read values written by :meth:`save`; every value is constraint-checked."""
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot load parameters from {path}: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"{path} does not hold a JSON object of parameter values")
        self.load_state(data)

    @classmethod
    def _walk(cls, obj: Any, prefix: str) -> Iterator[tuple[str, Parameter]]:
        items: Any
        if isinstance(obj, dict):
            items = obj.items()
        elif isinstance(obj, list | tuple):
            items = enumerate(obj)
        else:
            return
        for key, value in items:
            if isinstance(key, str) and key.startswith("_"):
                continue
            path = f"{prefix}{key}"
            if isinstance(value, Parameter):
                yield path, value
            elif isinstance(value, Module):
                yield from value.named_parameters(prefix=path + ".")
            elif isinstance(value, dict | list | tuple):
                yield from cls._walk(value, path + ".")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
