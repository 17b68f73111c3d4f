"""Vectorised compiler: Formulation expressions -> sparse coefficient arrays.

Each expression is walked once, over a *batch* of slots (one slot per binding of the
surrounding indices). Loop indices are numpy arrays over the batch; ``sum(... for j in J)``
grows the batch by ``|J|`` with ``repeat``/``tile`` and folds it back with ``bincount``.
Linear terms are COO triples (slot, column, coefficient), quadratic terms quadruples, so
``sum(c[i, j] * x[i, j] for i in I for j in J)`` is a handful of array operations, never
one Python object per term.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optiforge.errors import FormulationError
from optiforge.solvers._analysis import Analysis, ParsedConstraint
from optiforge.solvers._data import ModelData
from optiforge.solvers._expr import Target, comp_target

_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)


class Idx:
    """A loop index over the batch: positions in the set it ranges over; values on demand.

    For a set of tuples each component is an Idx sharing ``pos`` and a ``group`` token,
    with ``comp`` its place in the tuple.
    """

    __slots__ = ("_set_values", "_values", "comp", "group", "pos", "set_name")

    def __init__(
        self, pos: np.ndarray, set_name: str, set_values: np.ndarray, values: np.ndarray | None = None,
        group: object | None = None, comp: int = 0,
    ) -> None:
        self.pos = pos
        self.set_name = set_name
        self._set_values = set_values
        self._values = values
        self.group = group
        self.comp = comp

    @property
    def values(self) -> np.ndarray:
        # most indices only ever select entries, so their values are gathered only when used
        if self._values is None:
            self._values = self._set_values[self.pos]
        return self._values

    def take(self, sel: np.ndarray) -> Idx:
        vals = None if self._values is None else self._values[sel]
        return Idx(self.pos[sel], self.set_name, self._set_values, vals, self.group, self.comp)

    def repeat(self, k: int) -> Idx:
        return Idx(np.repeat(self.pos, k), self.set_name, self._set_values, None, self.group, self.comp)


@dataclass
class Aff:
    """A batch of linear/quadratic expressions: constant per slot plus COO terms."""

    n: int
    const: np.ndarray
    lr: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    lc: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    lv: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    qr: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    qa: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    qb: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    qv: np.ndarray = field(default_factory=lambda: _EMPTY_F)

    @property
    def has_quad(self) -> bool:
        return len(self.qr) > 0

    def scale(self, c: np.ndarray) -> Aff:
        return Aff(self.n, self.const * c, self.lr, self.lc, self.lv * c[self.lr], self.qr, self.qa, self.qb, self.qv * c[self.qr])

    def add(self, other: Aff | np.ndarray, sign: float = 1.0) -> Aff:
        if not isinstance(other, Aff):
            return Aff(self.n, self.const + sign * other, self.lr, self.lc, self.lv, self.qr, self.qa, self.qb, self.qv)
        return Aff(
            self.n,
            self.const + sign * other.const,
            np.concatenate([self.lr, other.lr]),
            np.concatenate([self.lc, other.lc]),
            np.concatenate([self.lv, sign * other.lv]),
            np.concatenate([self.qr, other.qr]),
            np.concatenate([self.qa, other.qa]),
            np.concatenate([self.qb, other.qb]),
            np.concatenate([self.qv, sign * other.qv]),
        )

    def remap(self, parent: np.ndarray, n: int) -> Aff:
        """Fold a grown batch back onto ``n`` parent slots (the reduction of ``sum``)."""
        const = np.bincount(parent, weights=self.const, minlength=n) if len(parent) else np.zeros(n)
        return Aff(n, const, parent[self.lr], self.lc, self.lv, parent[self.qr], self.qa, self.qb, self.qv)


Value = Aff | Idx | np.ndarray


class Compiler:
    """Evaluate checked expression trees over batches, producing ``Aff`` or constant arrays."""

    def __init__(self, data: ModelData) -> None:
        self.data = data
        self.where = ""
        # tables with missing entries (NaN): only these need a check on every lookup
        self._sparse = {k for k, v in data.params.items() if np.isnan(v).any()}

    def fail(self, msg: str) -> FormulationError:
        return FormulationError(f"{self.where}: {msg}")

    # -- batches -------------------------------------------------------------------------
    def expand(
        self, env: dict[str, Idx], n: int, targets: tuple[Target, ...], sets: tuple[str, ...],
        conds: list[list[ast.expr]],
    ) -> tuple[dict[str, Idx], np.ndarray]:
        """Grow a batch of ``n`` slots by binding ``targets`` to ``sets`` (with filters)."""
        parent = np.arange(n, dtype=np.int64)
        env = dict(env)
        for target, set_name, ifs in zip(targets, sets, conds, strict=True):
            s = self.data.sets[set_name]
            k = len(parent)
            parent = np.repeat(parent, s.n)
            env = {key: v.repeat(s.n) for key, v in env.items()}
            pos = np.tile(np.arange(s.n, dtype=np.int64), k)
            if isinstance(target, str):
                env[target] = Idx(pos, set_name, s.values)
            else:
                group = object()
                for c, name in enumerate(target):
                    env[name] = Idx(pos, set_name, s.components[c], None, group, c)
            for cond in ifs:
                mask = self.truth(cond, env, len(parent))
                parent = parent[mask]
                env = {key: v.take(mask) for key, v in env.items()}
        return env, parent

    def truth(self, node: ast.expr, env: dict[str, Idx], n: int) -> np.ndarray:
        """Evaluate a filter condition to a boolean mask."""
        if isinstance(node, ast.BoolOp):
            masks = [self.truth(v, env, n) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = masks[0]
            for m in masks[1:]:
                out = combine(out, m)
            return out
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ~self.truth(node.operand, env, n)
        if isinstance(node, ast.Compare):
            left = self.const(node.left, env, n)
            out = np.ones(n, dtype=bool)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self.const(comp, env, n)
                out &= _compare(op, left, right, self)
                left = right
            return out
        val = self.const(node, env, n)
        return np.asarray(val != 0, dtype=bool)

    def const(self, node: ast.expr, env: dict[str, Idx], n: int) -> np.ndarray:
        v = self.eval(node, env, n)
        if isinstance(v, Aff):
            raise self.fail(f"{ast.unparse(node)!r} must not contain variables here")
        return v.values if isinstance(v, Idx) else v

    # -- expressions ---------------------------------------------------------------------
    def eval(self, node: ast.expr, env: dict[str, Idx], n: int) -> Value:
        """Evaluate ``node`` over ``n`` slots."""
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return np.full(n, node.value)
            return np.full(n, float(node.value))  # type: ignore[arg-type]
        if isinstance(node, ast.Name):
            return self._name(node.id, env, n)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, env, n)
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand, env, n)
            if isinstance(node.op, ast.UAdd):
                return v
            if isinstance(v, Aff):
                return v.scale(np.full(n, -1.0))
            return -self._num(v, node)
        if isinstance(node, ast.BinOp):
            return self._binop(node, env, n)
        if isinstance(node, ast.Call):
            return self._call(node, env, n)
        raise self.fail(f"{ast.unparse(node)!r} cannot be used as a value")

    def _name(self, name: str, env: dict[str, Idx], n: int) -> Value:
        if name in env:
            return env[name]
        if name in self.data.params:
            return np.full(n, float(self.data.params[name].reshape(-1)[0]))
        block = self.data.blocks[name]
        return Aff(n, np.zeros(n), np.arange(n, dtype=np.int64), np.full(n, block.offset, dtype=np.int64), np.ones(n))

    def _positions(self, base: str, sets: tuple[str, ...], idx_nodes: list[ast.expr], env: dict[str, Idx], n: int) -> np.ndarray:
        pos_list = []
        shape = []
        at = 0
        for set_name in sets:
            sd = self.data.sets[set_name]
            shape.append(sd.n)
            nodes = idx_nodes[at : at + sd.dimen]
            at += sd.dimen
            fast = self._bound_positions(nodes, set_name, env)
            if fast is not None:
                pos_list.append(fast)
                continue
            columns = []
            for sub in nodes:
                v = self.eval(sub, env, n)
                if isinstance(v, Aff):
                    raise self.fail(f"index of {base!r} depends on a variable")
                columns.append(v.values if isinstance(v, Idx) else v)
            pos, ok = sd.encode(columns[0]) if sd.dimen == 1 else sd.encode_tuples(columns)
            if not ok.all():
                k = int(np.flatnonzero(~ok)[0])
                bad = tuple(_py(c[k]) for c in columns)
                shown = bad[0] if len(bad) == 1 else bad
                raise self.fail(
                    f"index {shown!r} (in {base}[...]) is not in set {set_name!r}; "
                    "add a condition like 'if t > 1' or fix the index"
                )
            pos_list.append(pos)
        if not pos_list:
            return np.zeros(n, dtype=np.int64)
        flat = pos_list[0]
        for p, size in zip(pos_list[1:], shape[1:], strict=True):
            flat = flat * size + p  # row-major, like ravel_multi_index without its checks
        return flat

    @staticmethod
    def _bound_positions(nodes: list[ast.expr], set_name: str, env: dict[str, Idx]) -> np.ndarray | None:
        """Positions straight from loop indices bound to this very set (no lookup needed)."""
        idxs = [env.get(s.id) if isinstance(s, ast.Name) else None for s in nodes]
        if any(i is None or i.set_name != set_name for i in idxs):
            return None
        first = idxs[0]
        assert first is not None
        if len(idxs) == 1:
            return first.pos if first.group is None else None
        if first.group is None or any(i.group is not first.group or i.comp != c for c, i in enumerate(idxs)):  # type: ignore[union-attr]
            return None
        return first.pos

    def _subscript(self, node: ast.Subscript, env: dict[str, Idx], n: int) -> Value:
        base = node.value.id  # type: ignore[attr-defined]
        idx = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base in self.data.params:
            sets = self.data.param_sets[base]
            flat = self._positions(base, sets, idx, env, n)
            vals = self.data.params[base].reshape(-1)[flat]
            if base in self._sparse and np.isnan(vals).any():
                raise self.fail(f"parameter {base!r} has no value at an index used here")
            return vals
        block = self.data.blocks[base]
        flat = self._positions(base, block.sets, idx, env, n)
        cols = flat + block.offset if block.offset else flat
        return Aff(n, np.zeros(n), np.arange(n, dtype=np.int64), cols, np.ones(n))

    def _num(self, v: Value, node: ast.expr) -> np.ndarray:
        arr = v.values if isinstance(v, Idx) else v
        assert not isinstance(arr, Aff)
        if arr.dtype.kind not in "iuf":
            raise self.fail(f"{ast.unparse(node)!r} is not a number (index values of a text set cannot do arithmetic)")
        return arr.astype(np.float64, copy=False)

    def _binop(self, node: ast.BinOp, env: dict[str, Idx], n: int) -> Value:
        a = self.eval(node.left, env, n)
        b = self.eval(node.right, env, n)
        op = node.op
        if not isinstance(a, Aff):
            a = self._num(a, node.left)
        if not isinstance(b, Aff):
            b = self._num(b, node.right)
        if isinstance(op, ast.Add | ast.Sub):
            sign = 1.0 if isinstance(op, ast.Add) else -1.0
            if isinstance(a, Aff):
                return a.add(b, sign)
            if isinstance(b, Aff):
                return b.scale(np.full(n, sign)).add(a)
            return a + sign * b
        if isinstance(op, ast.Mult):
            if not isinstance(a, Aff) and not isinstance(b, Aff):
                return a * b
            if not isinstance(a, Aff):
                return b.scale(a)  # type: ignore[union-attr]
            if not isinstance(b, Aff):
                return a.scale(b)
            return _product(a, b, self)
        if isinstance(op, ast.Div):
            if isinstance(b, Aff):
                raise self.fail("division by a variable expression is nonlinear")
            if (b == 0).any():
                raise self.fail(f"division by zero in {ast.unparse(node)!r}")
            if isinstance(a, Aff):
                return a.scale(1.0 / b)
            return a / b
        # power
        if isinstance(b, Aff):
            raise self.fail("a variable exponent is nonlinear")
        if not isinstance(a, Aff):
            with np.errstate(all="ignore"):
                out = np.power(a, b)
            if not np.isfinite(out).all():
                raise self.fail(f"{ast.unparse(node)!r} is not a finite number")
            return out
        k = float(b[0]) if n else 1.0
        if n and not (b == k).all():
            raise self.fail("the exponent of a variable expression must be a constant")
        if k == 0:
            return np.ones(n)
        if k == 1:
            return a
        if k == 2:
            return _product(a, a, self)
        raise self.fail(f"power {k:g} of a variable expression is nonlinear")

    def _call(self, node: ast.Call, env: dict[str, Idx], n: int) -> Value:
        fname = node.func.id  # type: ignore[attr-defined]
        if fname == "sum":
            gen = node.args[0]
            assert isinstance(gen, ast.GeneratorExp | ast.ListComp)
            targets = tuple(comp_target(c) for c in gen.generators)
            sets = tuple(c.iter.id for c in gen.generators)  # type: ignore[attr-defined]
            inner, parent = self.expand(env, n, targets, sets, [list(c.ifs) for c in gen.generators])
            body = self.eval(gen.elt, inner, len(parent))
            if isinstance(body, Aff):
                return body.remap(parent, n)
            vals = self._num(body, gen.elt)
            return np.bincount(parent, weights=vals, minlength=n) if len(parent) else np.zeros(n)
        if fname == "len":
            return np.full(n, float(self.data.sets[node.args[0].id].n))  # type: ignore[attr-defined]
        args = [self.eval(a, env, n) for a in node.args]
        if any(isinstance(a, Aff) for a in args):
            raise self.fail(f"{fname}() of a variable expression is nonlinear")
        nums = [self._num(a, node) for a in args]
        with np.errstate(all="ignore"):
            if fname == "abs":
                out = np.abs(nums[0])
            elif fname == "min":
                out = np.minimum.reduce(nums) if len(nums) > 1 else nums[0]
            elif fname == "max":
                out = np.maximum.reduce(nums) if len(nums) > 1 else nums[0]
            elif fname == "sqrt":
                out = np.sqrt(nums[0])
            elif fname == "exp":
                out = np.exp(nums[0])
            else:
                out = np.log(nums[0])
        if not np.isfinite(out).all():
            raise self.fail(f"{ast.unparse(node)!r} is not a finite number")
        return out


def _py(v: Any) -> Any:
    v = v.item() if hasattr(v, "item") else v
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _compare(op: ast.cmpop, a: np.ndarray, b: np.ndarray, comp: Compiler) -> np.ndarray:
    if a.dtype.kind != b.dtype.kind and {a.dtype.kind, b.dtype.kind} & {"U", "O"}:
        if isinstance(op, ast.Eq):
            return np.array([x == y for x, y in zip(a.tolist(), b.tolist(), strict=True)], dtype=bool)
        if isinstance(op, ast.NotEq):
            return np.array([x != y for x, y in zip(a.tolist(), b.tolist(), strict=True)], dtype=bool)
    try:
        if isinstance(op, ast.Lt):
            return np.asarray(a < b)
        if isinstance(op, ast.LtE):
            return np.asarray(a <= b)
        if isinstance(op, ast.Gt):
            return np.asarray(a > b)
        if isinstance(op, ast.GtE):
            return np.asarray(a >= b)
        if isinstance(op, ast.Eq):
            return np.asarray(a == b)
        return np.asarray(a != b)
    except TypeError as exc:
        raise comp.fail(f"cannot compare these values: {exc}") from None


def _product(a: Aff, b: Aff, comp: Compiler) -> Aff:
    """(ca + la)(cb + lb) per slot, with la*lb expanded into quadratic terms."""
    if (a.has_quad and len(b.lr) + len(b.qr) > 0) or (b.has_quad and len(a.lr) + len(a.qr) > 0):
        raise comp.fail("product of more than two variables is nonlinear")
    out = a.scale(b.const).add(b.scale(a.const))
    out.const = a.const * b.const
    if len(a.lr) == 0 or len(b.lr) == 0:
        return out
    # cross product of a's and b's terms that share a slot
    oa = np.argsort(a.lr, kind="stable")
    ob = np.argsort(b.lr, kind="stable")
    ar, ac, av = a.lr[oa], a.lc[oa], a.lv[oa]
    br, bc, bv = b.lr[ob], b.lc[ob], b.lv[ob]
    count_b = np.bincount(br, minlength=a.n)
    start_b = np.concatenate([[0], np.cumsum(count_b)[:-1]])
    reps = count_b[ar]
    total = int(reps.sum())
    ia = np.repeat(np.arange(len(ar)), reps)
    within = np.arange(total) - np.repeat(np.cumsum(reps) - reps, reps)
    ib = start_b[ar[ia]] + within
    quad = Aff(a.n, np.zeros(a.n), _EMPTY_I, _EMPTY_I, _EMPTY_F, ar[ia], ac[ia], bc[ib], av[ia] * bv[ib])
    return out.add(quad)


@dataclass
class RowBlock:
    """The rows one constraint produced: where they start and the index values per row."""

    name: str
    start: int
    count: int
    index_names: tuple[str, ...]
    index_values: list[np.ndarray]

    def row_name(self, k: int) -> str:
        if not self.index_names:
            return self.name
        vals = [_label(v[k]) for v in self.index_values]
        return f"{self.name}[{', '.join(vals)}]"


def _label(v: Any) -> str:
    v = v.item() if hasattr(v, "item") else v
    return repr(v) if isinstance(v, str) else str(v)


@dataclass
class Compiled:
    """A linear/quadratic model as arrays, ready for HiGHS."""

    data: ModelData
    sense: str
    obj: np.ndarray
    obj_offset: float
    hess: tuple[np.ndarray, np.ndarray, np.ndarray]  # (i, j, v) with objective 0.5 x'Hx, symmetric
    a_rows: np.ndarray
    a_cols: np.ndarray
    a_vals: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    blocks: list[RowBlock]
    quad_rows: int = 0

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    def row_names(self) -> list[str]:
        from optiforge.solvers._data import safe_name

        names: list[str] = []
        for b in self.blocks:
            if not b.index_names:
                names.append(safe_name(b.name))
                continue
            labels = [[safe_name(str(x.item() if hasattr(x, "item") else x)) for x in v] for v in b.index_values]
            names.extend(f"{safe_name(b.name)}({','.join(t)})" for t in zip(*labels, strict=True))
        return names

    def row_label(self, row: int) -> str:
        """Human name of one row, e.g. ``capacity['Seattle']``."""
        for b in self.blocks:
            if b.start <= row < b.start + b.count:
                return b.row_name(row - b.start)
        return f"row{row}"


def compile_model(analysis: Analysis, data: ModelData, sense: str) -> Compiled:
    """Compile objective and constraints to arrays (quadratic rows are rejected by callers)."""
    comp = Compiler(data)
    comp.where = "objective"
    obj_v = comp.eval(analysis.objective, {}, 1)
    n_cols = data.n_cols
    if isinstance(obj_v, Aff):
        obj = np.bincount(obj_v.lc, weights=obj_v.lv, minlength=n_cols).astype(np.float64)
        offset = float(obj_v.const[0])
        # x'Hx/2 == sum v*x_a*x_b  =>  H_ab += v, H_ba += v
        hi = np.concatenate([obj_v.qa, obj_v.qb])
        hj = np.concatenate([obj_v.qb, obj_v.qa])
        hv = np.concatenate([obj_v.qv, obj_v.qv])
    else:
        obj = np.zeros(n_cols)
        offset = float(comp._num(obj_v, analysis.objective)[0])
        hi = hj = _EMPTY_I
        hv = _EMPTY_F
    if not math.isfinite(offset) or not np.isfinite(obj).all():
        raise FormulationError("objective: coefficients are not finite")
    rows_l: list[np.ndarray] = []
    cols_l: list[np.ndarray] = []
    vals_l: list[np.ndarray] = []
    lo_l: list[np.ndarray] = []
    up_l: list[np.ndarray] = []
    blocks: list[RowBlock] = []
    start = 0
    for pc in analysis.constraints:
        comp.where = f"constraint {pc.name!r}"
        aff, lo, up, env = _constraint(comp, pc)
        if aff.has_quad:
            raise comp.fail("quadratic constraint cannot go to the linear path")
        keep = aff.lv != 0
        rows_l.append(aff.lr[keep] + start)
        cols_l.append(aff.lc[keep])
        vals_l.append(aff.lv[keep])
        lo_l.append(lo)
        up_l.append(up)
        names = pc.binding.names
        blocks.append(RowBlock(pc.name, start, aff.n, names, [env[k].values for k in names]))
        start += aff.n
    cat = np.concatenate
    return Compiled(
        data=data,
        sense=sense,
        obj=obj,
        obj_offset=offset,
        hess=(hi, hj, hv),
        a_rows=cat(rows_l) if rows_l else _EMPTY_I,
        a_cols=cat(cols_l) if cols_l else _EMPTY_I,
        a_vals=cat(vals_l) if vals_l else _EMPTY_F,
        row_lower=cat(lo_l) if lo_l else _EMPTY_F,
        row_upper=cat(up_l) if up_l else _EMPTY_F,
        blocks=blocks,
    )


def _constraint(comp: Compiler, pc: ParsedConstraint) -> tuple[Aff, np.ndarray, np.ndarray, dict[str, Idx]]:
    b = pc.binding
    conds: list[list[ast.expr]] = [[] for _ in b.targets]
    env, parent = comp.expand({}, 1, b.targets, b.sets, conds)
    n = len(parent)
    if b.condition is not None and b.names:
        mask = comp.truth(b.condition, env, n)
        env = {k: v.take(mask) for k, v in env.items()}
        n = int(mask.sum())
    elif b.condition is not None and not comp.truth(b.condition, env, n).all():
        n = 0
        env = {}
    tree = pc.tree
    sides = [tree.left, *tree.comparators]
    inf = np.full(n, np.inf)
    if len(pc.ops) == 2:
        lo_v = comp.const(sides[0], env, n)
        mid = _as_aff(comp.eval(sides[1], env, n), comp, sides[1], n)
        hi_v = comp.const(sides[2], env, n)
        lo_v, hi_v = (lo_v, hi_v) if pc.ops[0] == "<=" else (hi_v, lo_v)
        return mid, comp._num(lo_v, sides[0]) - mid.const, comp._num(hi_v, sides[2]) - mid.const, env
    left = _as_aff(comp.eval(sides[0], env, n), comp, sides[0], n)
    right = comp.eval(sides[1], env, n)
    if not isinstance(right, Aff):
        right = comp._num(right, sides[1])
    diff = left.add(right, -1.0)
    rhs = -diff.const
    diff.const = np.zeros(n)
    op = pc.ops[0]
    if op == "<=":
        return diff, -inf, rhs, env
    if op == ">=":
        return diff, rhs, inf, env
    return diff, rhs, rhs.copy(), env


def _as_aff(v: Value, comp: Compiler, node: ast.expr, n: int) -> Aff:
    if isinstance(v, Aff):
        return v
    return Aff(n, comp._num(v, node).copy())
