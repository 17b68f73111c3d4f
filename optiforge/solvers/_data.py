"""The numbers of a Formulation as numpy arrays: set encoders, dense parameter tables, column layout."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from optiforge.errors import FormulationError

if TYPE_CHECKING:
    from optiforge.solvers.formulation import Formulation, ParameterDef

INF = math.inf


class SetData:
    """One index set: its elements in order, as a numpy array, with vectorised lookup."""

    def __init__(self, name: str, elements: list[Any]) -> None:
        self.name = name
        self.elements = elements
        self.n = len(elements)
        kinds = {type(e) for e in elements}
        self.pos: dict[Any, int] = {e: k for k, e in enumerate(elements)}
        self.range_start: int | None = None
        self.dimen = len(elements[0]) if elements and isinstance(elements[0], tuple) else 1
        if self.dimen > 1:
            # a set of tuples (arcs): one value array per component
            self.values = np.empty(self.n, dtype=object)
            self.values[:] = elements
            self.components = [_typed([e[k] for e in elements]) for k in range(self.dimen)]
            self.labels = [",".join(str(x) for x in e) for e in elements]
            return
        if kinds <= {int}:
            self.values = np.asarray(elements, dtype=np.int64).reshape(-1)
            if self.n and np.array_equal(self.values, np.arange(self.values[0], self.values[0] + self.n)):
                self.range_start = int(self.values[0])
        elif kinds == {str}:
            self.values = np.asarray(elements, dtype=str)
        else:
            self.values = np.empty(self.n, dtype=object)
            self.values[:] = elements
        if self.range_start is None and self.values.dtype != object:
            self._order = np.argsort(self.values, kind="stable")
            self._sorted = self.values[self._order]
        self.labels = [str(e) for e in elements]
        self.components = [self.values]

    def encode_tuples(self, columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the tuples formed by ``columns`` (one array per component)."""
        n = len(columns[0])
        out = np.zeros(n, dtype=np.int64)
        ok = np.zeros(n, dtype=bool)
        get = self.pos.get
        for k, key in enumerate(zip(*(c.tolist() for c in columns), strict=True)):
            p = get(key)
            if p is not None:
                out[k] = p
                ok[k] = True
        return out, ok

    def encode(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``values`` in this set and a mask of which values are members."""
        n = len(values)
        if self.n == 0:
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        if self.range_start is not None:
            if values.dtype.kind in "iu":
                pos = values.astype(np.int64) - self.range_start
                ok = (pos >= 0) & (pos < self.n)
                return np.where(ok, pos, 0), ok
            if values.dtype.kind == "f":
                pos_f = values - self.range_start
                ok = (pos_f >= 0) & (pos_f < self.n) & (pos_f == np.floor(pos_f))
                return np.where(ok, pos_f, 0).astype(np.int64), ok
        if self.values.dtype != object and values.dtype.kind == self.values.dtype.kind:
            idx = np.searchsorted(self._sorted, values)
            idx = np.minimum(idx, self.n - 1)
            ok = self._sorted[idx] == values
            return np.where(ok, self._order[idx], 0), ok
        out = np.empty(n, dtype=np.int64)
        ok = np.empty(n, dtype=bool)
        get = self.pos.get
        for k, v in enumerate(values.tolist()):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            p = get(v)
            ok[k] = p is not None
            out[k] = p if p is not None else 0
        return out, ok


def _typed(items: list[Any]) -> np.ndarray:
    kinds = {type(e) for e in items}
    if kinds <= {int}:
        return np.asarray(items, dtype=np.int64).reshape(-1)
    if kinds == {str}:
        return np.asarray(items, dtype=str)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


@dataclass
class VarBlock:
    """Where one variable's columns sit in the column vector."""

    name: str
    offset: int
    shape: tuple[int, ...]
    sets: tuple[str, ...]
    domain: str

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class ModelData:
    """Set encoders, dense parameter tables (NaN = missing) and the column layout."""

    sets: dict[str, SetData]
    params: dict[str, np.ndarray]
    param_sets: dict[str, tuple[str, ...]]
    blocks: dict[str, VarBlock]
    n_cols: int
    col_lower: np.ndarray = field(repr=False)
    col_upper: np.ndarray = field(repr=False)
    integrality: np.ndarray = field(repr=False)

    def col_names(self) -> list[str]:
        """LP/MPS-safe column names like ``x(1,a)``."""
        names: list[str] = []
        for b in self.blocks.values():
            if not b.sets:
                names.append(safe_name(b.name))
                continue
            labels = [[safe_name(x) for x in self.sets[s].labels] for s in b.sets]
            names.extend(f"{b.name}({','.join(t)})" for t in _product(labels))
        return names

    def col_label(self, col: int) -> str:
        """Readable name of one column, e.g. ``x['a', 1]``."""
        for b in self.blocks.values():
            if b.offset <= col < b.offset + b.size:
                if not b.sets:
                    return b.name
                pos = np.unravel_index(col - b.offset, b.shape)
                els = [self.sets[s].elements[int(p)] for s, p in zip(b.sets, pos, strict=True)]
                return f"{b.name}[{', '.join(repr(e) for e in els)}]"
        return f"col{col}"

    def keys(self, block: VarBlock) -> list[str]:
        """JSON keys for a variable's entries, in column order: '1', 'a,b'."""
        labels = [self.sets[s].labels for s in block.sets]
        if len(labels) == 1:
            return list(labels[0])
        return [",".join(t) for t in _product(labels)]


def _product(lists: list[list[str]]) -> list[tuple[str, ...]]:
    import itertools

    return list(itertools.product(*lists))


_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def safe_name(text: str) -> str:
    """A name LP and MPS writers accept (letters, digits, _ and .)."""
    return "".join(c if c in _SAFE else "_" for c in text) or "_"


def build_data(f: Formulation) -> ModelData:
    """Turn sets, parameters and variable bounds into arrays; FormulationError on bad tables."""
    sets = {s.name: SetData(s.name, s.members()) for s in f.sets}
    params: dict[str, np.ndarray] = {}
    param_sets: dict[str, tuple[str, ...]] = {}
    for p in f.parameters:
        params[p.name] = _table(p, sets)
        param_sets[p.name] = tuple(p.index)
    blocks: dict[str, VarBlock] = {}
    offset = 0
    lowers: list[np.ndarray] = []
    uppers: list[np.ndarray] = []
    ints: list[np.ndarray] = []
    for v in f.variables:
        shape = tuple(sets[s].n for s in v.index)
        block = VarBlock(v.name, offset, shape, tuple(v.index), v.domain)
        blocks[v.name] = block
        size = block.size
        lo = _bound(v.lower, -INF, params, size, f"variable {v.name!r}")
        hi = _bound(v.upper, INF, params, size, f"variable {v.name!r}")
        if v.domain == "binary":
            lo = np.maximum(lo, 0.0)
            hi = np.minimum(hi, 1.0)
        lowers.append(lo)
        uppers.append(hi)
        ints.append(np.full(size, 0 if v.domain == "continuous" else 1, dtype=np.int32))
        offset += size
    return ModelData(
        sets=sets,
        params=params,
        param_sets=param_sets,
        blocks=blocks,
        n_cols=offset,
        col_lower=np.concatenate(lowers) if lowers else np.zeros(0),
        col_upper=np.concatenate(uppers) if uppers else np.zeros(0),
        integrality=np.concatenate(ints) if ints else np.zeros(0, dtype=np.int32),
    )


def _bound(b: float | str | None, none: float, params: dict[str, np.ndarray], size: int, where: str) -> np.ndarray:
    if b is None:
        return np.full(size, none)
    if isinstance(b, str):
        arr = params[b].reshape(-1)
        if np.isnan(arr).any():
            raise FormulationError(f"{where}: bound parameter {b!r} has missing entries")
        return np.broadcast_to(arr, (size,)).astype(float) if arr.size == 1 else arr.astype(float).copy()
    return np.full(size, float(b))


def _table(p: ParameterDef, sets: dict[str, SetData]) -> np.ndarray:
    where = f"parameter {p.name!r}"
    dims = [sets[s] for s in p.index]
    shape = tuple(d.n for d in dims)
    v = p.value
    if isinstance(v, bool):
        raise FormulationError(f"{where}: value must be a number, not a boolean")
    if isinstance(v, int | float):
        return np.full(shape, float(v))
    if not dims:
        raise FormulationError(f"{where}: a scalar parameter needs a number as value (or give 'index')")
    if isinstance(v, list):
        try:
            arr = np.asarray(v, dtype=float)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.shape == shape:
            return arr
    default = np.nan if p.default is None else float(p.default)
    out = np.full(shape, default)
    _fill(out, v, dims, (), where)
    if p.default is None and np.isnan(out).any():
        missing = np.argwhere(np.isnan(out))[0]
        key = tuple(dims[k].elements[int(i)] for k, i in enumerate(missing))
        shown = key[0] if len(key) == 1 else key
        raise FormulationError(
            f"{where}: no value for {shown!r} (table over {', '.join(d.name for d in dims)}); "
            "fill every entry or set 'default'"
        )
    return out


def _fill(out: np.ndarray, v: Any, dims: list[SetData], at: tuple[int, ...], where: str) -> None:
    depth = len(at)
    if depth == len(dims):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise FormulationError(f"{where}: entry {_fmt(at, dims)} is {v!r}, not a number")
        out[at] = float(v)
        return
    d = dims[depth]
    if isinstance(v, dict):
        by_label = {lab: k for k, lab in enumerate(d.labels)}
        for key, sub in v.items():
            k = by_label.get(str(key))
            parts = _split_key(str(key))
            if k is None and d.dimen > 1:
                k = by_label.get(",".join(parts))
            if k is None and len(parts) > 1 and len(parts) <= len(dims) - depth:
                # a flat table keyed "a,b" or "(a, b)": read it as nested
                nested: Any = sub
                for part in reversed(parts[1:]):
                    nested = {part: nested}
                k = by_label.get(parts[0])
                if k is not None:
                    _fill(out, nested, dims, (*at, k), where)
                    continue
            if k is None:
                raise FormulationError(
                    f"{where}: key {key!r} is not in set {d.name!r} (elements: {_preview(d.labels)})"
                )
            _fill(out, sub, dims, (*at, k), where)
    elif isinstance(v, list):
        if len(v) != d.n:
            raise FormulationError(
                f"{where}: list at level {depth + 1} has {len(v)} entries but set {d.name!r} has {d.n}"
            )
        for k, sub in enumerate(v):
            _fill(out, sub, dims, (*at, k), where)
    else:
        raise FormulationError(
            f"{where}: expected a table over {', '.join(x.name for x in dims[depth:])} at {_fmt(at, dims)}, got {v!r}"
        )


def _split_key(key: str) -> list[str]:
    inner = key.strip().strip("()[]")
    return [p.strip().strip("'\"") for p in inner.split(",")] if "," in inner else [key]


def _fmt(at: tuple[int, ...], dims: list[SetData]) -> str:
    return "[" + ", ".join(repr(dims[k].elements[i]) for k, i in enumerate(at)) + "]"


def _preview(labels: list[str]) -> str:
    shown = ", ".join(labels[:8])
    return shown + (", ..." if len(labels) > 8 else "")
