"""The method interface of the runner and the registry that resolves method spec strings."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from optiforge.errors import ConfigError

if TYPE_CHECKING:
    from optiforge.datasets import Problem

CellStatus = Literal["answered", "no_answer", "error"]
"""What a method reports for one cell."""

ErrorCategory = Literal[
    "parse", "validation", "infeasible", "unbounded", "solver", "verification", "answer", "llm", "budget",
    "timeout", "sandbox", "other",
]
"""Why a cell failed; reports count failures by these."""

ERROR_CATEGORIES: tuple[str, ...] = (
    "parse", "validation", "infeasible", "unbounded", "solver", "verification", "answer", "llm", "budget",
    "timeout", "sandbox", "other",
)
"""``verification``: the solution failed the independent re-check; ``answer``: the queried
values could not be read off a solution."""


@dataclass(slots=True)
class CellOutcome:
    """What a method returns for one cell.

    ``answers`` maps the problem's gold labels (or ``"objective"``) to numbers; set
    ``no_solution=True`` (with ``answers=None``, status ``"answered"``) when the method
    concludes that the problem has no optimal solution. ``error_category`` is one of
    :data:`ERROR_CATEGORIES` when ``status == "error"`` (or to say why there is no answer).

    A method that judges its own result (e.g. ``code-opt``, whose programs are checked and
    timed in the sandbox, not compared with a gold number) sets ``correct``; the runner then
    stores that verdict instead of applying the data set's answer rules. ``metrics`` are
    numbers about the cell (speedup, percentile, ...), stored under ``meta["metrics"]``.
    """

    answers: dict[str, float] | None = None
    status: CellStatus = "answered"
    error_category: str | None = None
    error_message: str | None = None
    trace_id: str | None = None
    no_solution: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    correct: bool | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in ("answered", "no_answer", "error"):
            raise ValueError(f"CellOutcome.status must be answered, no_answer or error, not {self.status!r}")
        if self.error_category is not None and self.error_category not in ERROR_CATEGORIES:
            raise ValueError(f"unknown error category {self.error_category!r}; use one of {', '.join(ERROR_CATEGORIES)}")


@dataclass(slots=True)
class CellContext:
    """What a method gets besides the problem: the model, the seed, and a step recorder.

    ``lm`` shares the run's ledger (budget) and cache. ``record(step)`` stores a full step
    record (messages, formulation, solver log, ...) with the cell's row; records must be
    JSON-serialisable. ``settings`` are the method's options from the spec.
    """

    lm: Any
    seed: int
    cell_id: str
    settings: dict[str, Any] = field(default_factory=dict)
    method: MethodSpec | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)

    def record(self, step: dict[str, Any]) -> None:
        """Keep one step record; it is written in the same transaction as the cell's row."""
        self.steps.append(dict(step))


@runtime_checkable
class Method(Protocol):
    """A way of answering benchmark problems. One instance serves many cells concurrently."""

    name: str

    async def run(self, problem: Problem, ctx: CellContext) -> CellOutcome:
        """Answer one problem; raise only for failures the runner should categorise itself."""
        ...


_SPEC_RE = re.compile(r"^(?P<base>[a-z][a-z0-9_-]*)(?::(?P<arg>[A-Za-z0-9_.-]+))?(?P<mods>(?:\+[a-z][a-z0-9_]*)*)$")


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """A parsed method spec string: ``base[:argument][+modifier...]``.

    ``formulate+selfcons5`` → base ``formulate``, modifiers ``("selfcons5",)``;
    ``tune:llambo`` → base ``tune``, argument ``llambo``.
    """

    base: str
    modifiers: tuple[str, ...] = ()
    argument: str | None = None

    @property
    def text(self) -> str:
        """The canonical spec string."""
        arg = f":{self.argument}" if self.argument else ""
        return self.base + arg + "".join(f"+{m}" for m in self.modifiers)

    def __str__(self) -> str:
        return self.text


def parse_method(text: str) -> MethodSpec:
    """Parse a method spec string; ConfigError (one line) if it is malformed."""
    m = _SPEC_RE.match(text.strip())
    if not m:
        raise ConfigError(
            f"bad method spec {text!r}: expected name[:argument][+modifier...], e.g. direct, formulate+selfcons5, tune:llambo"
        )
    mods = tuple(x for x in (m.group("mods") or "").split("+") if x)
    return MethodSpec(m.group("base"), mods, m.group("arg"))


MethodFactory = Callable[[MethodSpec, dict[str, Any]], Method]
"""``factory(spec, settings) -> Method``; raises ConfigError for modifiers it does not take."""

_REGISTRY: dict[str, MethodFactory | str] = {
    "direct": "optiforge.bench._direct:make_method",
    "formulate": "optiforge.agents.formulate:make_method",
    "code-opt": "optiforge.agents.code:make_method",
}


def register_method(base: str, factory: MethodFactory | str, *, replace: bool = False) -> None:
    """Register a method under its base name: a factory, or a lazy ``"module:attr"`` string."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", base):
        raise ConfigError(f"bad method name {base!r}: use lowercase letters, digits, - and _")
    if base in _REGISTRY and not replace:
        raise ConfigError(f"method {base!r} is already registered (pass replace=True to override)")
    _REGISTRY[base] = factory


def registered_methods() -> list[str]:
    """Base names of every registered method (available or not)."""
    return sorted(_REGISTRY)


def _factory(base: str) -> MethodFactory:
    entry = _REGISTRY.get(base)
    if entry is None:
        raise ConfigError(f"unknown method {base!r}; known methods: {', '.join(registered_methods())}")
    if not isinstance(entry, str):
        return entry
    module_name, _, attr = entry.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"method {base!r} is not available: cannot import {module_name} ({exc})") from None
    factory = getattr(module, attr, None)
    if factory is None or not callable(factory):
        raise ConfigError(f"method {base!r} is not available: {entry} does not exist")
    return factory  # type: ignore[no-any-return]


def make_method(spec: str | MethodSpec, settings: dict[str, Any] | None = None) -> Method:
    """Build the method a spec string names; ConfigError (one line) if unknown or unavailable."""
    ms = parse_method(spec) if isinstance(spec, str) else spec
    factory = _factory(ms.base)
    method = factory(ms, dict(settings or {}))
    if not hasattr(method, "run"):
        raise ConfigError(f"method {ms.text!r}: its factory returned {type(method).__name__}, which has no run()")
    return method
