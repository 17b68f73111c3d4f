"""The safe expression language: parse with ``ast``, check against a whitelist, infer degree.

Nothing here evaluates anything. ``parse_*`` turn strings into checked ``ast`` trees;
``Checker`` resolves every name against the formulation's symbols and computes the
polynomial degree of each expression (0 constant, 1 linear, 2 quadratic, NONLINEAR).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from optiforge.errors import FormulationError

NONLINEAR = 3

# functions of constants (or, for SCIP, of expressions); `sum` and `len` are special
MATH_FUNCS = frozenset({"abs", "min", "max", "sqrt", "exp", "log"})
ALL_FUNCS = MATH_FUNCS | {"sum", "len"}

_CMP_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
_SINGLE_EQ = re.compile(r"(?<![<>=!])=(?!=)")
_BINDING = re.compile(r"^\s*([A-Za-z_]\w*|\(\s*[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+\s*\))\s+in\s+([A-Za-z_]\w*)\s*$")


def _normalize(text: str) -> str:
    text = text.replace("≤", "<=").replace("≥", ">=").replace("≠", "!=").replace("−", "-")
    text = text.replace("×", "*").replace("·", "*").replace("∈", " in ")
    return _SINGLE_EQ.sub("==", text)


def parse(text: str, where: str) -> ast.expr:
    """Parse one expression string into an ``ast`` node, with a FormulationError on bad syntax."""
    if not isinstance(text, str) or not text.strip():
        raise FormulationError(f"{where}: empty expression")
    src = _normalize(text.strip())
    try:
        tree = ast.parse(src, mode="eval")
    except SyntaxError as exc:
        raise FormulationError(f"{where}: syntax error in {text!r}: {exc.msg}") from None
    except (ValueError, MemoryError, RecursionError) as exc:
        raise FormulationError(f"{where}: cannot parse {text[:80]!r}: {exc}") from None
    if _depth(tree.body) > MAX_DEPTH:
        raise FormulationError(
            f"{where}: expression nested deeper than {MAX_DEPTH} levels; write long sums as sum(... for i in Set)"
        )
    body = _FlattenSubscripts().visit(tree.body)
    _whitelist(body, where)
    return body


MAX_DEPTH = 250


def _depth(node: ast.AST) -> int:
    # iterative, so a pathological expression cannot exhaust the stack here
    best = 0
    stack = [(node, 1)]
    while stack:
        cur, d = stack.pop()
        best = max(best, d)
        if d > MAX_DEPTH:
            return d
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(cur))
    return best


class _FlattenSubscripts(ast.NodeTransformer):
    """Read ``x[i][j]`` as ``x[i, j]`` (a common way of writing it)."""

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        inner = node.value
        if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
            first = inner.slice.elts if isinstance(inner.slice, ast.Tuple) else [inner.slice]
            last = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return ast.copy_location(
                ast.Subscript(value=inner.value, slice=ast.Tuple(elts=[*first, *last], ctx=ast.Load()), ctx=node.ctx),
                node,
            )
        return node


Target = str | tuple[str, ...]


@dataclass(frozen=True)
class Binding:
    """A constraint's ``for`` clause: index names (or name tuples) bound to sets, plus a condition."""

    targets: tuple[Target, ...] = ()
    sets: tuple[str, ...] = ()
    condition: ast.expr | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every bound index name, in order."""
        out: list[str] = []
        for t in self.targets:
            out.extend((t,) if isinstance(t, str) else t)
        return tuple(out)


def _split_top(src: str) -> list[str]:
    # split on commas and ' for ' outside parentheses
    parts: list[str] = []
    depth = 0
    cur = ""
    k = 0
    while k < len(src):
        c = src[k]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if depth == 0 and c == ",":
            parts.append(cur)
            cur = ""
        elif depth == 0 and src.startswith(" for ", k):
            parts.append(cur)
            cur = ""
            k += 4
        else:
            cur += c
        k += 1
    parts.append(cur)
    return parts


def parse_binding(text: str | None, where: str) -> Binding:
    """Parse ``"i in I, j in J if i != j"`` (also ``for i in I for j in J``, ``(i, j) in Arcs``)."""
    if text is None or not text.strip():
        return Binding()
    src = _normalize(text.strip())
    src = re.sub(r"^(for\s*all|forall|for)\s+", "", src, flags=re.IGNORECASE)
    cond_text = None
    m = re.search(r"\s(if|where|:)\s", src)
    if m:
        cond_text = src[m.end() :]
        src = src[: m.start()]
    targets: list[Target] = []
    sets: list[str] = []
    seen: set[str] = set()
    for part in _split_top(src):
        if not part.strip():
            continue
        bm = _BINDING.match(part)
        if not bm:
            raise FormulationError(
                f"{where}: cannot read index binding {part.strip()!r}; write it like 'i in I, j in J if i != j' or '(i, j) in Arcs'"
            )
        raw = bm.group(1)
        names = tuple(x.strip() for x in raw.strip("() ").split(",")) if raw.startswith("(") else (raw,)
        for nm in names:
            if nm in seen:
                raise FormulationError(f"{where}: index {nm!r} is bound twice")
            seen.add(nm)
        targets.append(names if len(names) > 1 else names[0])
        sets.append(bm.group(2))
    cond = parse(cond_text, where) if cond_text else None
    return Binding(tuple(targets), tuple(sets), cond)


def _whitelist(node: ast.AST, where: str) -> None:
    """Reject every syntax outside the modelling language."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp):
            if isinstance(sub.op, ast.BitXor):
                raise FormulationError(f"{where}: '^' is not a power; write x**2")
            if not isinstance(sub.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                raise FormulationError(f"{where}: operator {type(sub.op).__name__} is not allowed")
        elif isinstance(sub, ast.UnaryOp):
            if not isinstance(sub.op, (ast.USub, ast.UAdd, ast.Not)):
                raise FormulationError(f"{where}: operator {type(sub.op).__name__} is not allowed")
        elif isinstance(sub, ast.Constant):
            if isinstance(sub.value, bool) or not isinstance(sub.value, (int, float, str)):
                raise FormulationError(f"{where}: constant {sub.value!r} is not allowed")
        elif isinstance(sub, ast.Compare):
            for op in sub.ops:
                if not isinstance(op, _CMP_OPS):
                    raise FormulationError(f"{where}: comparison {type(op).__name__} is not allowed")
        elif isinstance(sub, ast.Call):
            if not isinstance(sub.func, ast.Name) or sub.func.id not in ALL_FUNCS:
                fname = sub.func.id if isinstance(sub.func, ast.Name) else ast.unparse(sub.func)
                raise FormulationError(
                    f"{where}: function {fname!r} is not allowed (allowed: {', '.join(sorted(ALL_FUNCS))})"
                )
            if sub.keywords:
                raise FormulationError(f"{where}: keyword arguments are not allowed")
        elif isinstance(sub, ast.Subscript):
            if not isinstance(sub.value, ast.Name):
                raise FormulationError(f"{where}: only names can be indexed, got {ast.unparse(sub.value)!r}")
            if isinstance(sub.slice, ast.Slice):
                raise FormulationError(f"{where}: slices are not allowed")
        elif isinstance(sub, (ast.GeneratorExp, ast.ListComp)):
            for comp in sub.generators:
                target_ok = isinstance(comp.target, ast.Name) or (
                    isinstance(comp.target, ast.Tuple) and all(isinstance(e, ast.Name) for e in comp.target.elts)
                )
                if comp.is_async or not target_ok:
                    raise FormulationError(
                        f"{where}: write generators as 'for i in SetName' or 'for (i, j) in PairSet'"
                    )
                if not isinstance(comp.iter, ast.Name):
                    raise FormulationError(
                        f"{where}: loop over a set name, not {ast.unparse(comp.iter)!r}"
                    )
        elif isinstance(
            sub,
            (
                ast.Name,
                ast.Load,
                ast.Store,
                ast.Tuple,
                ast.BoolOp,
                ast.And,
                ast.Or,
                ast.comprehension,
                ast.operator,
                ast.unaryop,
                ast.cmpop,
            ),
        ):
            continue
        else:
            raise FormulationError(f"{where}: {type(sub).__name__} syntax is not allowed")


def comp_target(comp: ast.comprehension) -> Target:
    """The name (or tuple of names) a generator binds."""
    if isinstance(comp.target, ast.Tuple):
        return tuple(e.id for e in comp.target.elts)  # type: ignore[attr-defined]
    return comp.target.id  # type: ignore[attr-defined]


@dataclass
class Symbols:
    """What names mean: set name -> size, parameter/variable name -> index set names."""

    sets: dict[str, int] = field(default_factory=dict)
    dimen: dict[str, int] = field(default_factory=dict)
    params: dict[str, tuple[str, ...]] = field(default_factory=dict)
    variables: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self, scope: dict[str, str]) -> str:
        parts = [
            f"parameters: {', '.join(self.params) or '-'}",
            f"variables: {', '.join(self.variables) or '-'}",
            f"sets: {', '.join(self.sets) or '-'}",
        ]
        if scope:
            parts.append(f"indices in scope: {', '.join(scope)}")
        return "; ".join(parts)


class Checker:
    """Resolve names and compute degrees for one formulation element (named in ``where``)."""

    def __init__(self, symbols: Symbols, where: str) -> None:
        self.symbols = symbols
        self.where = where

    def fail(self, msg: str) -> FormulationError:
        return FormulationError(f"{self.where}: {msg}")

    def bind(self, targets: tuple[Target, ...], sets: tuple[str, ...], scope: dict[str, str]) -> dict[str, str]:
        scope = dict(scope)
        for target, set_name in zip(targets, sets, strict=True):
            if set_name not in self.symbols.sets:
                raise self.fail(
                    f"unknown set {set_name!r} (sets: {', '.join(self.symbols.sets) or '-'})"
                )
            names = (target,) if isinstance(target, str) else target
            dimen = self.symbols.dimen.get(set_name, 1)
            if len(names) != dimen:
                if dimen == 1:
                    raise self.fail(f"set {set_name!r} has single elements: bind one name, like 'i in {set_name}'")
                pattern = "(" + ", ".join(f"i{k + 1}" for k in range(dimen)) + ")"
                raise self.fail(f"set {set_name!r} has {dimen}-tuples: bind them as '{pattern} in {set_name}'")
            for name in names:
                if name in self.symbols.params or name in self.symbols.variables:
                    raise self.fail(f"index name {name!r} hides a parameter or variable of the same name; rename the index")
                scope[name] = set_name
        return scope

    def degree(self, node: ast.expr, scope: dict[str, str]) -> int:
        """Polynomial degree of ``node`` (NONLINEAR for anything beyond quadratic)."""
        sym = self.symbols
        if isinstance(node, ast.Constant):
            return 0
        if isinstance(node, ast.Name):
            name = node.id
            if name in scope:
                return 0
            if name in sym.params:
                if sym.params[name]:
                    raise self.fail(
                        f"parameter {name!r} is indexed by ({', '.join(sym.params[name])}); write {name}[...]"
                    )
                return 0
            if name in sym.variables:
                if sym.variables[name]:
                    raise self.fail(
                        f"variable {name!r} is indexed by ({', '.join(sym.variables[name])}); write {name}[...]"
                    )
                return 1
            if name in sym.sets:
                raise self.fail(f"set {name!r} used as a value; loop over it with sum(... for i in {name})")
            raise self.fail(f"unknown symbol {name!r} ({sym.describe(scope)})")
        if isinstance(node, ast.Subscript):
            base = node.value.id  # type: ignore[attr-defined]
            idx = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if base in sym.params:
                dims = sym.params[base]
                kind = "parameter"
            elif base in sym.variables:
                dims = sym.variables[base]
                kind = "variable"
            elif base in scope:
                raise self.fail(f"index {base!r} cannot be subscripted")
            else:
                raise self.fail(f"unknown symbol {base!r} ({sym.describe(scope)})")
            arity = sum(sym.dimen.get(d, 1) for d in dims)
            if len(idx) != arity:
                want = f"({', '.join(dims)})" if dims else "no index"
                if arity != len(dims):
                    want += f" = {arity} values"
                raise self.fail(
                    f"{kind} {base!r} takes {arity} index(es) {want}, got {len(idx)} in {ast.unparse(node)!r}"
                )
            for sub in idx:
                if self.degree(sub, scope) > 0:
                    raise self.fail(f"index of {base!r} depends on a variable: {ast.unparse(sub)!r}")
            return 1 if kind == "variable" else 0
        if isinstance(node, ast.UnaryOp):
            d = self.degree(node.operand, scope)
            if isinstance(node.op, ast.Not) and d > 0:
                raise self.fail("'not' of a variable expression")
            return d
        if isinstance(node, ast.BinOp):
            left = self.degree(node.left, scope)
            right = self.degree(node.right, scope)
            if isinstance(node.op, (ast.Add, ast.Sub)):
                return max(left, right)
            if isinstance(node.op, ast.Mult):
                return min(left + right, NONLINEAR)
            if isinstance(node.op, ast.Div):
                return left if right == 0 else NONLINEAR
            # Pow
            if left == 0 and right == 0:
                return 0
            if right == 0 and isinstance(node.right, ast.Constant):
                k = node.right.value
                if isinstance(k, int | float) and float(k).is_integer() and 0 <= k <= 2:
                    return min(left * int(k), NONLINEAR)
            return NONLINEAR
        if isinstance(node, ast.BoolOp):
            for v in node.values:
                if self.degree(v, scope) > 0:
                    raise self.fail("'and'/'or' apply to conditions on indices and parameters only")
            return 0
        if isinstance(node, ast.Compare):
            raise self.fail(f"comparison {ast.unparse(node)!r} is only allowed at the top of a constraint or in a condition")
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, ast.Tuple):
            raise self.fail(f"tuple {ast.unparse(node)!r} outside an index")
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            raise self.fail("generators are only allowed inside sum(...)")
        raise self.fail(f"{type(node).__name__} syntax is not allowed")

    def condition(self, node: ast.expr, scope: dict[str, str]) -> None:
        """Check a filter condition: comparisons/and/or/not of indices and parameters."""
        if isinstance(node, ast.Compare):
            for sub in [node.left, *node.comparators]:
                if self.degree(sub, scope) > 0:
                    raise self.fail(f"condition {ast.unparse(node)!r} uses a variable")
            return
        if isinstance(node, ast.BoolOp):
            for v in node.values:
                self.condition(v, scope)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.condition(node.operand, scope)
            return
        if self.degree(node, scope) > 0:
            raise self.fail(f"condition {ast.unparse(node)!r} uses a variable")

    def _call(self, node: ast.Call, scope: dict[str, str]) -> int:
        fname = node.func.id  # type: ignore[attr-defined]
        if fname == "sum":
            if len(node.args) != 1 or not isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp)):
                raise self.fail("sum takes one generator: sum(expr for i in Set if condition)")
            gen = node.args[0]
            inner = dict(scope)
            for comp in gen.generators:
                target = comp_target(comp)
                for name in (target,) if isinstance(target, str) else target:
                    if name in inner:
                        raise self.fail(f"index {name!r} is already bound in this scope")
                inner = self.bind((target,), (comp.iter.id,), inner)  # type: ignore[attr-defined]
                for cond in comp.ifs:
                    self.condition(cond, inner)
            return self.degree(gen.elt, inner)
        if fname == "len":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name) or node.args[0].id not in self.symbols.sets:
                raise self.fail("len takes one set name: len(I)")
            return 0
        if not node.args:
            raise self.fail(f"{fname}() needs an argument")
        if fname in ("sqrt", "exp", "log", "abs") and len(node.args) != 1:
            raise self.fail(f"{fname} takes one argument")
        degs = [self.degree(a, scope) for a in node.args]
        if max(degs) == 0:
            return 0
        if fname in ("min", "max"):
            raise self.fail(f"{fname}() of variables is not supported; introduce an auxiliary variable with constraints")
        return NONLINEAR

    def objective(self, node: ast.expr) -> int:
        """Degree of an objective expression."""
        if isinstance(node, ast.Compare):
            raise self.fail("the objective must be an expression, not a comparison")
        return self.degree(node, {})

    def constraint(self, node: ast.expr, scope: dict[str, str]) -> tuple[int, list[str]]:
        """Degree of a constraint (max over its sides) and its normalized operators."""
        if not isinstance(node, ast.Compare):
            raise self.fail(f"a constraint needs a comparison (<=, >=, ==), got {ast.unparse(node)!r}")
        ops: list[str] = []
        for op in node.ops:
            if isinstance(op, ast.LtE):
                ops.append("<=")
            elif isinstance(op, ast.GtE):
                ops.append(">=")
            elif isinstance(op, ast.Eq):
                ops.append("==")
            elif isinstance(op, (ast.Lt, ast.Gt)):
                sym = "<" if isinstance(op, ast.Lt) else ">"
                raise self.fail(f"strict inequality {sym!r} is not supported; use {sym}=")
            else:
                raise self.fail("'!=' cannot be a constraint")
        if len(ops) > 2:
            raise self.fail("at most a range 'lo <= expr <= hi' may be chained")
        if len(ops) == 2 and (ops[0] != ops[1] or ops[0] == "=="):
            raise self.fail("a chained comparison must be a range: 'lo <= expr <= hi' or 'hi >= expr >= lo'")
        degs = [self.degree(s, scope) for s in [node.left, *node.comparators]]
        if len(ops) == 2 and (degs[0] > 0 or degs[2] > 0):
            raise self.fail("in 'lo <= expr <= hi', lo and hi must not contain variables")
        return max(degs), ops
