"""Collects the subgraph behind an output (what ``backward`` records) and names its nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from optiforge.graph._nodes import ExceptionNode, MessageNode, Node, Parameter


@dataclass
class TraceGraph:
    """The nodes that produced one output, in topological order, plus the feedback on it."""

    output: Node
    nodes: list[Node]
    feedback: str
    score: float | None = None
    names: dict[int, str] = field(default_factory=dict)

    @property
    def parameters(self) -> list[Parameter]:
        """Trainable parameters that influenced the output, in topological order."""
        return [n for n in self.nodes if isinstance(n, Parameter) and n.trainable]

    @property
    def operators(self) -> list[MessageNode]:
        """Operator results (including exceptions) in the order they were computed."""
        return [n for n in self.nodes if isinstance(n, MessageNode)]

    @property
    def roots(self) -> list[Node]:
        """Nodes with no parents: parameters and constant inputs."""
        return [n for n in self.nodes if not n.inputs]

    @property
    def errors(self) -> list[ExceptionNode]:
        """Exception nodes in the subgraph."""
        return [n for n in self.nodes if isinstance(n, ExceptionNode)]

    def name_of(self, n: Node) -> str:
        """The unique name of ``n`` within this graph."""
        return self.names[id(n)]

    def to_text(self) -> str:
        """Readable listing (see :func:`optiforge.graph.to_text`)."""
        from optiforge.graph._render import to_text

        return to_text(self)

    def to_dot(self) -> str:
        """Graphviz DOT source (see :func:`optiforge.graph.to_dot`)."""
        from optiforge.graph._render import to_dot

        return to_dot(self)

    def renamed(self, fixed: Mapping[Parameter, str]) -> TraceGraph:
        """A copy whose parameter names are taken from ``fixed`` (e.g. an optimizer's table)."""
        return TraceGraph(self.output, self.nodes, self.feedback, self.score,
                          assign_names(self.nodes, fixed))


def collect(output: Node, feedback: str, *, score: float | None = None) -> TraceGraph:
    """Walk parents from ``output`` and return the :class:`TraceGraph` with ``feedback`` attached."""
    if not isinstance(feedback, str):
        raise TypeError("feedback must be a string")
    order: list[Node] = []
    seen: set[int] = set()
    # iterative post-order DFS: deep chains (long agent loops) must not hit the recursion limit
    stack: list[tuple[Node, bool]] = [(output, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            order.append(current)
            continue
        if id(current) in seen:
            continue
        seen.add(id(current))
        stack.append((current, True))
        for parent in reversed(current.parents):
            if id(parent) not in seen:
                stack.append((parent, False))
    return TraceGraph(output, order, feedback, score, assign_names(order, {}))


def assign_names(nodes: Iterable[Node], fixed: Mapping[Parameter, str]) -> dict[int, str]:
    """Give every node a unique identifier-like name; ``fixed`` pins names for given parameters."""
    fixed_by_id = {id(p): name for p, name in fixed.items()}
    names: dict[int, str] = {}
    used: set[str] = set(fixed_by_id.values())
    counters: dict[str, int] = {}
    for n in nodes:
        if id(n) in fixed_by_id:
            names[id(n)] = fixed_by_id[id(n)]
            continue
        base = _identifier(n.name) or ("param" if isinstance(n, Parameter) else "node")
        if isinstance(n, Parameter) and n.name and base not in used:
            candidate = base
        else:
            k = counters.get(base, 0)
            candidate = f"{base}{k}"
            while candidate in used:
                k += 1
                candidate = f"{base}{k}"
            counters[base] = k + 1
        used.add(candidate)
        names[id(n)] = candidate
    return names


def unique_parameter_names(params: Iterable[Parameter]) -> dict[Parameter, str]:
    """Stable unique names for a list of parameters: their own name, suffixed on clashes."""
    out: dict[Parameter, str] = {}
    used: set[str] = set()
    for i, p in enumerate(params):
        base = _identifier(p.name) or f"param{i}"
        name, k = base, 2
        while name in used:
            name = f"{base}_{k}"
            k += 1
        used.add(name)
        out[p] = name
    return out


def aggregate_feedback(graphs: Iterable[TraceGraph]) -> str:
    """Join the feedback of a minibatch into one text; identical texts are listed once with a count."""
    graphs = list(graphs)
    if len(graphs) == 1:
        return graphs[0].feedback
    counts: dict[str, int] = {}
    for g in graphs:
        counts[g.feedback] = counts.get(g.feedback, 0) + 1
    lines = []
    for i, (text, count) in enumerate(counts.items(), 1):
        suffix = f" (x{count} examples)" if count > 1 else ""
        lines.append(f"[{i}]{suffix} {text}")
    return "\n".join(lines)


def mean_score(graphs: Iterable[TraceGraph]) -> float | None:
    """Average score over graphs that carry one; None when none does."""
    scores = [g.score for g in graphs if g.score is not None]
    return sum(scores) / len(scores) if scores else None


def _identifier(text: str) -> str:
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in text.strip())
    if out and out[0].isdigit():
        out = "_" + out
    return out
