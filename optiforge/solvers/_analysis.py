"""Static analysis of a Formulation: parsed expressions, resolved names, degrees."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from optiforge.errors import FormulationError
from optiforge.solvers._expr import Binding, Checker, Symbols, parse, parse_binding

if TYPE_CHECKING:
    from optiforge.solvers.formulation import Formulation


@dataclass(frozen=True)
class ParsedConstraint:
    """A constraint after parsing: binding, comparison tree, operators, degree."""

    name: str
    binding: Binding
    tree: ast.Compare
    ops: tuple[str, ...]
    degree: int


@dataclass(frozen=True)
class Analysis:
    """Everything derived from a Formulation without touching its numbers."""

    symbols: Symbols
    objective: ast.expr
    objective_degree: int
    constraints: tuple[ParsedConstraint, ...]
    has_integers: bool

    @property
    def constraint_degree(self) -> int:
        return max((c.degree for c in self.constraints), default=0)


def analyze(f: Formulation) -> Analysis:
    """Parse and check every expression of ``f`` (cached on the object)."""
    key = _fingerprint(f)
    cached = f._analysis_cache
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    result = _analyze(f)
    f._analysis_cache = (key, result)
    return result


def _fingerprint(f: Formulation) -> tuple[object, ...]:
    # cheap identity of the parts the analysis depends on, so a mutated model is re-analysed
    return (
        tuple((s.name, id(s.elements), s.start, s.end) for s in f.sets),
        tuple((p.name, tuple(p.index)) for p in f.parameters),
        tuple((v.name, tuple(v.index), v.domain) for v in f.variables),
        (f.objective.sense, f.objective.expression),
        tuple((c.name, c.for_, c.expression) for c in f.constraints),
    )


def _analyze(f: Formulation) -> Analysis:
    seen: dict[str, str] = {}
    for kind, items in (("set", f.sets), ("parameter", f.parameters), ("variable", f.variables)):
        for item in items:
            if not item.name.isidentifier():
                raise FormulationError(f"{kind} {item.name!r}: name must be an identifier (letters, digits, _)")
            if item.name in seen:
                raise FormulationError(f"{kind} {item.name!r}: name already used by a {seen[item.name]}")
            if item.name in ("sum", "len", "abs", "min", "max", "sqrt", "exp", "log"):
                raise FormulationError(f"{kind} {item.name!r}: name is reserved for a function")
            seen[item.name] = kind
    members = {s.name: s.members() for s in f.sets}
    sizes = {name: len(m) for name, m in members.items()}
    dimen = {name: len(m[0]) if m and isinstance(m[0], tuple) else 1 for name, m in members.items()}
    for kind, items in (("parameter", f.parameters), ("variable", f.variables)):
        for item in items:
            for set_name in item.index:
                if set_name not in sizes:
                    raise FormulationError(
                        f"{kind} {item.name!r}: unknown index set {set_name!r} (sets: {', '.join(sizes) or '-'})"
                    )
    symbols = Symbols(
        sets=sizes,
        dimen=dimen,
        params={p.name: tuple(p.index) for p in f.parameters},
        variables={v.name: tuple(v.index) for v in f.variables},
    )
    params = {p.name: p for p in f.parameters}
    for v in f.variables:
        for side in ("lower", "upper"):
            bound = getattr(v, side)
            if isinstance(bound, str):
                p = params.get(bound)
                if p is None:
                    raise FormulationError(
                        f"variable {v.name!r}: {side} bound {bound!r} is not a parameter (parameters: {', '.join(params) or '-'})"
                    )
                if p.index and list(p.index) != list(v.index):
                    raise FormulationError(
                        f"variable {v.name!r}: {side} bound parameter {bound!r} must be scalar or indexed like the variable ({', '.join(v.index)})"
                    )

    where = "objective"
    obj_tree = parse(f.objective.expression, where)
    obj_deg = Checker(symbols, where).objective(obj_tree)

    names: set[str] = set()
    parsed: list[ParsedConstraint] = []
    for c in f.constraints:
        where = f"constraint {c.name!r}"
        if c.name in names:
            raise FormulationError(f"{where}: duplicate constraint name")
        names.add(c.name)
        binding = parse_binding(c.for_, where)
        checker = Checker(symbols, where)
        scope = checker.bind(binding.targets, binding.sets, {})
        if binding.condition is not None:
            checker.condition(binding.condition, scope)
        tree = parse(c.expression, where)
        deg, ops = checker.constraint(tree, scope)
        assert isinstance(tree, ast.Compare)
        parsed.append(ParsedConstraint(c.name, binding, tree, tuple(ops), deg))
    has_int = any(v.domain != "continuous" for v in f.variables)
    return Analysis(symbols, obj_tree, obj_deg, tuple(parsed), has_int)
