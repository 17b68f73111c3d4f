"""Scalar interpreter: walks an expression tree for one binding at a time.

It is the second, independent reading of a Formulation: ``verify`` runs it over plain
floats, the Pyomo and SCIP paths run it over their modelling objects (which overload
``+ - * / **``). It never touches the compiled arrays.
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from optiforge.errors import FormulationError
from optiforge.solvers._data import ModelData
from optiforge.solvers._expr import Target, comp_target

VarLookup = Callable[[str, tuple[int, ...]], Any]


class Scalar:
    """Evaluate trees with Python values; variables come from ``var(name, positions)``."""

    def __init__(
        self,
        data: ModelData,
        var: VarLookup,
        funcs: dict[str, Callable[..., Any]] | None = None,
        summer: Callable[[Iterator[Any]], Any] = sum,
    ) -> None:
        self.data = data
        self.var = var
        self.funcs = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, **(funcs or {})}
        self.summer = summer
        self.where = ""
        self._params = {k: v for k, v in data.params.items()}

    def fail(self, msg: str) -> FormulationError:
        return FormulationError(f"{self.where}: {msg}")

    def bindings(
        self, targets: tuple[Target, ...], sets: tuple[str, ...], cond: ast.expr | None, env: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every binding of ``targets`` (names or name tuples) to elements of ``sets`` satisfying ``cond``."""
        base = dict(env or {})
        members = [self.data.sets[s].elements for s in sets]
        for combo in itertools.product(*members):
            e = dict(base)
            for target, el in zip(targets, combo, strict=True):
                if isinstance(target, str):
                    e[target] = el
                else:
                    e.update(zip(target, el, strict=True))
            if cond is None or self.truth(cond, e):
                yield e

    def truth(self, node: ast.expr, env: dict[str, Any]) -> bool:
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                return all(self.truth(v, env) for v in node.values)
            return any(self.truth(v, env) for v in node.values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.truth(node.operand, env)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left, env)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = self.eval(comp, env)
                try:
                    ok = _CMP[type(op)](left, right)
                except TypeError as exc:
                    raise self.fail(f"cannot compare these values: {exc}") from None
                if not ok:
                    return False
                left = right
            return True
        return bool(self.eval(node, env) != 0)

    def compare(self, node: ast.Compare, env: dict[str, Any]) -> list[Any]:
        """The evaluated sides of a constraint comparison."""
        return [self.eval(s, env) for s in [node.left, *node.comparators]]

    def eval(self, node: ast.expr, env: dict[str, Any]) -> Any:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else float(node.value)  # type: ignore[arg-type]
        if isinstance(node, ast.Name):
            name = node.id
            if name in env:
                return env[name]
            if name in self._params:
                return float(self._params[name].reshape(-1)[0])
            return self.var(name, ())
        if isinstance(node, ast.Subscript):
            base = node.value.id  # type: ignore[attr-defined]
            idx_nodes = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            values = [self.eval(s, env) for s in idx_nodes]
            if base in self._params:
                pos = self._positions(base, self.data.param_sets[base], values)
                val = float(self._params[base][pos])
                if math.isnan(val):
                    raise self.fail(f"parameter {base!r} has no value at {values}")
                return val
            block = self.data.blocks[base]
            return self.var(base, self._positions(base, block.sets, values))
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand, env)
            if isinstance(node.op, ast.USub):
                self._check_num(v, node)
                return -v
            return v
        if isinstance(node, ast.BinOp):
            a = self.eval(node.left, env)
            b = self.eval(node.right, env)
            self._check_num(a, node.left)
            self._check_num(b, node.right)
            op = node.op
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            if isinstance(op, ast.Div):
                if isinstance(b, float) and b == 0:
                    raise self.fail(f"division by zero in {ast.unparse(node)!r}")
                return a / b
            if isinstance(a, float) and isinstance(b, float):
                try:
                    out = a**b
                except (OverflowError, ZeroDivisionError):
                    raise self.fail(f"{ast.unparse(node)!r} is not a finite number") from None
                if isinstance(out, complex) or not math.isfinite(out):
                    raise self.fail(f"{ast.unparse(node)!r} is not a finite number")
                return out
            if b == 2.0:
                return a * a  # modelling layers see a product (degree 2), not a power node
            if isinstance(b, float) and b.is_integer():
                return a ** int(b)
            return a**b
        if isinstance(node, ast.Call):
            return self._call(node, env)
        raise self.fail(f"{ast.unparse(node)!r} cannot be used as a value")

    def _call(self, node: ast.Call, env: dict[str, Any]) -> Any:
        fname = node.func.id  # type: ignore[attr-defined]
        if fname == "sum":
            gen = node.args[0]
            assert isinstance(gen, ast.GeneratorExp | ast.ListComp)
            return self.summer(self._gen(gen, gen.generators, env))
        if fname == "len":
            return float(self.data.sets[node.args[0].id].n)  # type: ignore[attr-defined]
        args = [self.eval(a, env) for a in node.args]
        for a, n in zip(args, node.args, strict=True):
            self._check_num(a, n)
        if fname == "abs":
            return abs(args[0])
        if fname == "min":
            return min(args)
        if fname == "max":
            return max(args)
        f = self.funcs[fname]
        try:
            out = f(args[0])
        except (ValueError, OverflowError):
            raise self.fail(f"{ast.unparse(node)!r} is not a finite number") from None
        if isinstance(out, float) and not math.isfinite(out):
            raise self.fail(f"{ast.unparse(node)!r} is not a finite number")
        return out

    def _gen(self, gen: ast.GeneratorExp | ast.ListComp, comps: list[ast.comprehension], env: dict[str, Any]) -> Iterator[Any]:
        if not comps:
            yield self.eval(gen.elt, env)
            return
        comp = comps[0]
        target = comp_target(comp)
        for el in self.data.sets[comp.iter.id].elements:  # type: ignore[attr-defined]
            e = dict(env)
            if isinstance(target, str):
                e[target] = el
            else:
                e.update(zip(target, el, strict=True))
            if all(self.truth(c, e) for c in comp.ifs):
                yield from self._gen(gen, comps[1:], e)

    def _positions(self, base: str, sets: tuple[str, ...], values: list[Any]) -> tuple[int, ...]:
        # 2.0 finds the element 2 (equal floats and ints hash alike); text never matches a number
        out = []
        at = 0
        for set_name in sets:
            sd = self.data.sets[set_name]
            part = values[at : at + sd.dimen]
            at += sd.dimen
            key = part[0] if sd.dimen == 1 else tuple(part)
            p = sd.pos.get(key)
            if p is None:
                shown = _show(key) if sd.dimen == 1 else tuple(_show(x) for x in part)
                raise self.fail(
                    f"index {shown!r} (in {base}[...]) is not in set {set_name!r}; "
                    "add a condition like 'if t > 1' or fix the index"
                )
            out.append(p)
        return tuple(out)

    def _check_num(self, v: Any, node: ast.expr) -> None:
        if isinstance(v, str):
            raise self.fail(f"{ast.unparse(node)!r} is not a number (index values of a text set cannot do arithmetic)")


def _show(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


_CMP: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


def float_lookup(values: dict[str, np.ndarray]) -> VarLookup:
    """A variable lookup over dense float arrays (one per variable, shaped by its sets)."""

    def get(name: str, pos: tuple[int, ...]) -> float:
        return float(values[name][pos]) if pos else float(values[name].reshape(-1)[0])

    return get
