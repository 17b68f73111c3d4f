"""Checks a candidate value against a Parameter's kind and constraint; returns it normalised."""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from optiforge.errors import InputError

Kind = Literal["text", "code", "number", "json"]
KINDS: tuple[str, ...] = ("text", "code", "number", "json")


class ConstraintError(InputError):
    """A value was refused by a Parameter: wrong type, out of bounds, unparsable code, bad JSON."""


@dataclass(frozen=True)
class Bounds:
    """Inclusive numeric bounds for a ``number`` Parameter; ``integer`` also demands whole numbers."""

    low: float | None = None
    high: float | None = None
    integer: bool = False

    def describe(self) -> str:
        """One line for prompts, e.g. ``integer in [1, 10]``."""
        lo = "-inf" if self.low is None else _fmt(self.low)
        hi = "+inf" if self.high is None else _fmt(self.high)
        return f"{'integer' if self.integer else 'number'} in [{lo}, {hi}]"


@dataclass(frozen=True)
class CodeSpec:
    """What a ``code`` Parameter must contain beyond parsing: a top-level function of this name."""

    function: str

    def describe(self) -> str:
        """One line for prompts."""
        return f"Python source that parses and defines a top-level function `{self.function}`"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def normalise_constraint(kind: str, constraint: Any) -> Any:
    """Turn shorthand constraints into their full form (``(lo, hi)`` -> Bounds, ``"f"`` -> CodeSpec)."""
    if kind not in KINDS:
        raise ConstraintError(f"unknown parameter kind {kind!r}; use one of {', '.join(KINDS)}")
    if constraint is None or (callable(constraint) and not isinstance(constraint, type)):
        return constraint
    if kind == "number":
        if isinstance(constraint, Bounds):
            return constraint
        if isinstance(constraint, tuple | list) and len(constraint) == 2:
            return Bounds(constraint[0], constraint[1])
        raise ConstraintError("a number constraint is Bounds(low, high) or a (low, high) pair")
    if kind == "code":
        if isinstance(constraint, CodeSpec):
            return constraint
        if isinstance(constraint, str):
            return CodeSpec(constraint)
        raise ConstraintError("a code constraint is a function name or CodeSpec(function=...)")
    if kind == "json":
        from pydantic import BaseModel

        if isinstance(constraint, type) and issubclass(constraint, BaseModel):
            return constraint
        if isinstance(constraint, dict):
            return constraint
        raise ConstraintError("a json constraint is a pydantic model class or a JSON-schema dict")
    raise ConstraintError(
        "a text constraint is a callable(value) returning None if fine or a reason string"
    )


def describe_constraint(kind: str, constraint: Any) -> str:
    """A short human-readable statement of the constraint, shown to optimizers."""
    if constraint is None:
        return ""
    if isinstance(constraint, Bounds | CodeSpec):
        return constraint.describe()
    if kind == "json":
        if isinstance(constraint, dict):
            return "JSON matching schema " + json.dumps(constraint, sort_keys=True)
        schema = constraint.model_json_schema()
        return "JSON matching schema " + json.dumps(schema, sort_keys=True)
    # a custom check speaks through its docstring; without one, its refusal reasons do
    doc = getattr(constraint, "__doc__", None) or ""
    lines = doc.strip().splitlines()
    return lines[0] if lines else ""


def check_value(kind: str, constraint: Any, value: Any) -> Any:
    """Validate ``value`` for a parameter of ``kind``; return the normalised value or raise ConstraintError."""
    if kind == "text":
        if not isinstance(value, str):
            raise ConstraintError(f"expected text, got {type(value).__name__}")
    elif kind == "number":
        value = _check_number(value, constraint)
    elif kind == "code":
        value = _check_code(value, constraint)
    elif kind == "json":
        value = _check_json(value, constraint)
    if callable(constraint) and not isinstance(constraint, type):
        reason = constraint(value)
        if reason:
            raise ConstraintError(str(reason))
    return value


def _check_number(value: Any, bounds: Bounds | None) -> float | int:
    if isinstance(value, bool):
        raise ConstraintError("expected a number, got a boolean")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ConstraintError(f"expected a number, got {value!r}") from None
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ConstraintError(f"expected a finite number, got {value!r}")
    if isinstance(bounds, Bounds):
        if bounds.integer:
            if not float(value).is_integer():
                raise ConstraintError(f"{value!r} is not an integer")
            value = int(value)
        if bounds.low is not None and value < bounds.low:
            raise ConstraintError(f"{value!r} is below the lower bound {_fmt(bounds.low)}")
        if bounds.high is not None and value > bounds.high:
            raise ConstraintError(f"{value!r} is above the upper bound {_fmt(bounds.high)}")
    return value


def _check_code(value: Any, spec: CodeSpec | None) -> str:
    if not isinstance(value, str):
        raise ConstraintError(f"expected Python source text, got {type(value).__name__}")
    try:
        tree = ast.parse(value)
    except SyntaxError as exc:
        raise ConstraintError(f"code does not parse: {exc.msg} (line {exc.lineno})") from None
    if isinstance(spec, CodeSpec):
        defined = {
            n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        if spec.function not in defined:
            raise ConstraintError(f"code must define a top-level function `{spec.function}`")
    return value


def _check_json(value: Any, constraint: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ConstraintError(f"not valid JSON: {exc.msg} at position {exc.pos}") from None
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise ConstraintError(f"value is not JSON-serialisable: {exc}") from None
    if constraint is None or (callable(constraint) and not isinstance(constraint, type)):
        return value
    if isinstance(constraint, dict):
        _validate_schema(value, constraint)
        return value
    from pydantic import ValidationError

    try:
        return constraint.model_validate(value).model_dump(mode="json")
    except ValidationError as exc:
        raise ConstraintError(_pydantic_reason(exc)) from None


def _pydantic_reason(exc: Any) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err["loc"]) or "<root>"
        parts.append(f"{loc}: {err['msg']}")
    return "JSON does not match the schema: " + "; ".join(parts)


def _validate_schema(value: Any, schema: dict[str, Any]) -> None:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - jsonschema ships with the locked environment
        _validate_schema_minimal(value, schema)
        return
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_cls(schema).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        loc = ".".join(str(p) for p in err.path) or "<root>"
        raise ConstraintError(f"JSON does not match the schema: {loc}: {err.message}")


def _validate_schema_minimal(value: Any, schema: dict[str, Any]) -> None:
    """Fallback for the core of JSON Schema (type, required, properties) when jsonschema is absent."""
    types: dict[str, Callable[[Any], bool]] = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    t = schema.get("type")
    if isinstance(t, str) and t in types and not types[t](value):
        raise ConstraintError(f"JSON does not match the schema: expected {t}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise ConstraintError(f"JSON does not match the schema: missing {key!r}")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _validate_schema_minimal(value[key], sub)
