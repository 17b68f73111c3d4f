"""The ``Formulation`` schema: LLMOPT's five elements as flat pydantic models an LLM can fill.

Sets, parameters, variables, objective and constraints. Expressions are strings in a small
Python-like language (see ``_expr``); validating a Formulation parses every expression
and resolves every name, so errors name the element and the offending symbol.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from optiforge.errors import FormulationError, InputError

Number = float | int
Element = int | str
# A parameter's value: a number, or a table nested by its index sets (dicts keyed by
# element, or lists in set order).
TableValue = Number | list[Any] | dict[str, Any]


_DOMAINS = {
    "real": "continuous", "reals": "continuous", "float": "continuous", "nonnegativereals": "continuous",
    "int": "integer", "integers": "integer", "nonnegativeintegers": "integer",
    "bool": "binary", "boolean": "binary", "binaries": "binary",
}


class SetDef(BaseModel):
    """An index set: explicit ``elements``, or the integer range ``start``..``end`` (inclusive)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Identifier used in expressions, e.g. 'Plants'.")
    elements: list[Element | list[Element]] | None = Field(
        default=None,
        description="The members, e.g. ['Seattle', 'San Diego'] or [1, 2, 3]; pairs like [['a', 'b'], ['b', 'c']] for arcs.",
    )
    start: int | None = Field(default=None, description="First integer of a range set (with end).")
    end: int | None = Field(default=None, description="Last integer of a range set, inclusive.")
    description: str = Field(default="", description="What the set stands for.")

    @model_validator(mode="after")
    def _one_form(self) -> SetDef:
        if self.elements is None and (self.start is None or self.end is None):
            raise ValueError(f"set {self.name!r}: give 'elements' or both 'start' and 'end'")
        if self.elements is not None and (self.start is not None or self.end is not None):
            raise ValueError(f"set {self.name!r}: give either 'elements' or 'start'/'end', not both")
        if self.elements is not None and len(set(map(repr, self.elements))) != len(self.elements):
            raise ValueError(f"set {self.name!r}: elements are not unique")
        if self.elements:
            sizes = {len(e) if isinstance(e, list) else 1 for e in self.elements}
            if len(sizes) > 1:
                raise ValueError(f"set {self.name!r}: mix of single elements and tuples, or tuples of different lengths")
            if sizes == {0}:
                raise ValueError(f"set {self.name!r}: empty tuple element")
        return self

    def members(self) -> list[Element | tuple[Element, ...]]:
        """The elements in order (tuples for sets of pairs)."""
        if self.elements is not None:
            return [tuple(e) if isinstance(e, list) else e for e in self.elements]
        assert self.start is not None and self.end is not None
        return list(range(self.start, self.end + 1))


class ParameterDef(BaseModel):
    """A known number, or a table of numbers indexed by sets."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Identifier used in expressions, e.g. 'cost'.")
    index: list[str] = Field(default_factory=list, description="Set names indexing the table; [] for a scalar.")
    value: TableValue = Field(
        description="A number, or a table nested by the index sets: {'Seattle': {'NY': 2.5}} or [[2.5, 1.7]]."
    )
    default: float | None = Field(default=None, description="Value for table entries left out.")
    description: str = Field(default="", description="What the numbers mean, with units.")


class VariableDef(BaseModel):
    """A decision variable, possibly indexed by sets."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Identifier used in expressions, e.g. 'x'.")
    index: list[str] = Field(default_factory=list, description="Set names indexing the variable; [] for a scalar.")
    domain: Literal["continuous", "integer", "binary"] = Field(default="continuous")
    lower: float | str | None = Field(
        default=0.0, description="Lower bound (default 0); null for minus infinity; or a parameter name."
    )
    upper: float | str | None = Field(
        default=None, description="Upper bound; null for plus infinity; or a parameter name."
    )
    description: str = Field(default="", description="What the variable decides, with units.")

    @field_validator("domain", mode="before")
    @classmethod
    def _domain_synonyms(cls, v: Any) -> Any:
        if isinstance(v, str):
            key = v.strip().lower()
            return _DOMAINS.get(key, key)
        return v


class ObjectiveDef(BaseModel):
    """What to minimize or maximize."""

    model_config = ConfigDict(extra="forbid")

    sense: Literal["min", "max"] = Field(description="'min' or 'max'.")
    expression: str = Field(description="e.g. 'sum(cost[i, j] * x[i, j] for i in Plants for j in Markets)'.")
    description: str = Field(default="", description="What the objective measures.")

    @field_validator("sense", mode="before")
    @classmethod
    def _sense_synonyms(cls, v: Any) -> Any:
        if isinstance(v, str):
            key = v.strip().lower()
            return {"minimize": "min", "minimise": "min", "maximize": "max", "maximise": "max"}.get(key, key)
        return v


class ConstraintDef(BaseModel):
    """A named constraint, one row per binding of its ``for`` clause."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(description="Unique name, e.g. 'capacity'.")
    for_: str | None = Field(
        default=None,
        alias="for",
        description="Index binding, e.g. 'i in Plants' or 'i in I, j in J if i != j'; null for one row.",
    )
    expression: str = Field(description="A comparison with <=, >= or ==, e.g. 'sum(x[i, j] for j in Markets) <= capacity[i]'.")
    description: str = Field(default="", description="What the constraint enforces.")


class Formulation(BaseModel):
    """An optimization model: sets, parameters, variables, objective, constraints.

    Validation parses every expression (safe ``ast`` whitelist, never ``eval``) and
    checks every name and index count; errors name the element and the symbol.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(default="model", description="A short name for the model.")
    sets: list[SetDef] = Field(default_factory=list)
    parameters: list[ParameterDef] = Field(default_factory=list)
    variables: list[VariableDef] = Field(min_length=1)
    objective: ObjectiveDef
    constraints: list[ConstraintDef] = Field(default_factory=list)
    _analysis_cache: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_symbols(self) -> Formulation:
        from optiforge.solvers._analysis import analyze

        try:
            analyze(self)
        except FormulationError as exc:
            raise ValueError(str(exc)) from None
        return self

    @classmethod
    def parse(cls, data: str | bytes | dict[str, Any]) -> Formulation:
        """Build from JSON text or a dict; raise FormulationError with a one-line message."""
        try:
            if isinstance(data, (str, bytes)):
                return cls.model_validate_json(data)
            return cls.model_validate(data)
        except ValidationError as exc:
            raise FormulationError(_one_line(exc)) from None

    @classmethod
    def load(cls, path: str | Path) -> Formulation:
        """Read a Formulation from a JSON file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {p}: {exc.strerror or exc}") from None
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
        return cls.parse(text)

    def __eq__(self, other: object) -> bool:
        # compare content only, not the private analysis cache
        if not isinstance(other, Formulation):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def build_pyomo(self) -> Any:
        """A Pyomo ``ConcreteModel`` of this formulation (variables indexed by set elements)."""
        from optiforge.solvers._analysis import analyze
        from optiforge.solvers._data import build_data
        from optiforge.solvers._pyomo import build_pyomo

        return build_pyomo(analyze(self), build_data(self), self.objective.sense)

    def to_highs(self) -> Any:
        """The compiled arrays HiGHS receives (CSC matrix, bounds, costs, Hessian)."""
        from optiforge.solvers.io import formulation_arrays

        return formulation_arrays(self)

    def to_json(self, **kwargs: Any) -> str:
        """JSON text (with the ``for`` key spelled as in the schema)."""
        return self.model_dump_json(by_alias=True, exclude_defaults=False, **kwargs)


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "invalid formulation: " + "; ".join(parts)
