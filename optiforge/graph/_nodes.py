"""The node types of a trace graph: constants, trainable Parameters, operator outputs, exceptions.

Each node holds its own parents; there is no global registry, so graphs built in
different threads or asyncio tasks never see each other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from optiforge.graph._constraints import (
    Kind,
    check_value,
    describe_constraint,
    normalise_constraint,
)

if TYPE_CHECKING:
    from optiforge.graph._trace import TraceGraph


@dataclass(frozen=True)
class Operator:
    """What a traced function is: its name, its description (docstring) and its source code."""

    name: str
    description: str = ""
    source: str = ""


class Node:
    """A value in a trace graph together with the nodes it was computed from.

    A plain ``Node`` is a constant input; subclasses mark trainable parameters
    (:class:`Parameter`), operator results (:class:`MessageNode`) and failures
    (:class:`ExceptionNode`).
    """

    def __init__(self, value: Any, *, name: str | None = None, description: str = "") -> None:
        if isinstance(value, Node):
            raise TypeError("Node(value) got a Node; use node(value) to pass nodes through")
        self._value = value
        self.name = name or "input"
        self.description = description
        self.inputs: dict[str, Node] = {}
        self.feedback: list[TraceGraph] = []

    @property
    def value(self) -> Any:
        """The data this node carries."""
        return self._value

    @property
    def parents(self) -> tuple[Node, ...]:
        """The nodes this one was computed from, in argument order."""
        return tuple(self.inputs.values())

    @property
    def trainable(self) -> bool:
        """True only for Parameters an optimizer may change."""
        return False

    def backward(self, feedback: str, *, score: float | None = None) -> TraceGraph:
        """Collect the subgraph that produced this node and attach ``feedback`` to its Parameters.

        ``score`` (higher is better) is optional; score-driven optimizers (OPRO,
        EvoPrompt) and trainers read it. Returns the collected :class:`TraceGraph`;
        each Parameter in it also keeps a reference in ``parameter.feedback`` until an
        optimizer's ``zero_feedback()``. Calling backward on several outputs (a
        minibatch) accumulates one graph per output.
        """
        from optiforge.graph._trace import collect

        graph = collect(self, feedback, score=score)
        for param in graph.parameters:
            param.feedback.append(graph)
        return graph

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, value={_short(self._value)})"


class Parameter(Node):
    """A trainable value: a prompt (``text``), a program (``code``), a ``number`` or a ``json`` config.

    Every assignment goes through :meth:`set`, which checks the kind and the
    constraint (number :class:`Bounds` or ``(low, high)``; code that parses and
    optionally defines a function; JSON valid against a pydantic model or a JSON
    schema; or any callable returning a reason string on failure). A refused value
    raises :class:`ConstraintError` and leaves the parameter unchanged.
    """

    def __init__(
        self,
        value: Any,
        kind: Kind = "text",
        *,
        name: str | None = None,
        description: str = "",
        constraint: Any = None,
        trainable: bool = True,
    ) -> None:
        self.kind: Kind = kind
        self.constraint = normalise_constraint(kind, constraint)
        super().__init__(check_value(kind, self.constraint, value), description=description)
        self.name = name or ""
        self._trainable = trainable

    @property
    def value(self) -> Any:
        """The current value; assigning to it is the same as :meth:`set`."""
        return self._value

    @value.setter
    def value(self, new: Any) -> None:
        self.set(new)

    @property
    def trainable(self) -> bool:
        """Whether optimizers may update this parameter."""
        return self._trainable

    def check(self, value: Any) -> Any:
        """Return ``value`` normalised for this parameter, or raise ConstraintError; changes nothing."""
        return check_value(self.kind, self.constraint, value)

    def set(self, value: Any) -> None:
        """Validate and assign a new value (the only way a parameter changes)."""
        self._value = self.check(value)

    def constraint_text(self) -> str:
        """The constraint in words, for prompts; empty when there is none."""
        return describe_constraint(self.kind, self.constraint)

    def snapshot(self) -> Any:
        """A deep copy of the value, safe to keep in histories and checkpoints."""
        return copy.deepcopy(self._value)


class MessageNode(Node):
    """The output of a traced operator (see :func:`bundle`), linked to the nodes it consumed."""

    def __init__(self, value: Any, *, operator: Operator, inputs: dict[str, Node]) -> None:
        super().__init__(value, name=operator.name, description=operator.description)
        self.operator = operator
        self.inputs = dict(inputs)


class ExceptionNode(MessageNode):
    """An operator that raised: the value is the exception and the error text is feedback.

    Runs continue instead of crashing; an optimizer sees the error in the graph and
    :attr:`error_text` is offered as feedback by :meth:`backward` when none is given.
    """

    def __init__(self, error: BaseException, *, operator: Operator, inputs: dict[str, Node]) -> None:
        super().__init__(error, operator=operator, inputs=inputs)
        self.error_text = f"{type(error).__name__}: {error}"

    def backward(self, feedback: str | None = None, *, score: float | None = None) -> TraceGraph:
        """Like :meth:`Node.backward`, with the error text prepended to (or used as) the feedback."""
        text = self.error_text if not feedback else f"{self.error_text}\n{feedback}"
        return super().backward(text, score=score)


def node(
    value: Any,
    *,
    name: str | None = None,
    description: str = "",
    trainable: bool = False,
    kind: Kind = "text",
    constraint: Any = None,
) -> Node:
    """Wrap ``value`` as a graph node; a Node passes through unchanged.

    With ``trainable=True`` the result is a :class:`Parameter` of ``kind``.
    """
    if isinstance(value, Node):
        return value
    if trainable:
        return Parameter(value, kind, name=name, description=description, constraint=constraint)
    return Node(value, name=name, description=description)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
