"""Render a TraceGraph as readable text or as Graphviz DOT."""

from __future__ import annotations

import json
from typing import Any

from optiforge.graph._nodes import ExceptionNode, MessageNode, Node, Parameter
from optiforge.graph._trace import TraceGraph


def format_value(value: Any, limit: int | None = None) -> str:
    """A value as prompts show it: strings verbatim, JSON-able data as compact JSON, else repr."""
    if isinstance(value, BaseException):
        text = f"{type(value).__name__}: {value}"
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 15)] + f"... [{len(text)} chars]"
    return text


def call_line(graph: TraceGraph, n: MessageNode) -> str:
    """``out = op(arg=name, ...)`` for an operator node."""
    args = ", ".join(f"{k}={graph.name_of(v)}" for k, v in n.inputs.items())
    return f"{graph.name_of(n)} = {n.operator.name}({args})"


def type_tag(n: Node) -> str:
    """Short type label: the parameter kind, ``error`` for exceptions, else the Python type."""
    if isinstance(n, Parameter):
        return n.kind
    if isinstance(n, ExceptionNode):
        return "error"
    return type(n.value).__name__


def to_text(graph: TraceGraph, *, value_limit: int | None = 400) -> str:
    """A plain-text listing: roots with values, operator calls in order, the output, the feedback."""
    lines = []
    for n in graph.roots:
        label = "param" if isinstance(n, Parameter) else "input"
        lines.append(f"{label} ({type_tag(n)}) {graph.name_of(n)} = {format_value(n.value, value_limit)}")
    for n in graph.operators:
        lines.append(f"{call_line(graph, n)}  -> ({type_tag(n)}) {format_value(n.value, value_limit)}")
    lines.append(f"output: {graph.name_of(graph.output)}")
    if graph.score is not None:
        lines.append(f"score: {graph.score:g}")
    lines.append(f"feedback: {graph.feedback}")
    return "\n".join(lines)


def to_dot(graph: TraceGraph, *, value_limit: int = 40) -> str:
    """Graphviz DOT: parameters as boxes, operators as ellipses, exceptions in red."""
    out = ["digraph trace {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for n in graph.nodes:
        name = graph.name_of(n)
        label = f"{name}\\n{_dot_escape(format_value(n.value, value_limit))}"
        if isinstance(n, Parameter):
            attrs = 'shape=box, style=filled, fillcolor="#ffe9a8"'
        elif isinstance(n, ExceptionNode):
            attrs = 'shape=ellipse, style=filled, fillcolor="#f4a6a6"'
        elif isinstance(n, MessageNode):
            label = f"{name} = {n.operator.name}()\\n{_dot_escape(format_value(n.value, value_limit))}"
            attrs = "shape=ellipse"
        else:
            attrs = "shape=plaintext"
        if n is graph.output:
            attrs += ", peripheries=2"
        out.append(f'  "{name}" [label="{label}", {attrs}];')
    for n in graph.nodes:
        for arg, parent in n.inputs.items():
            out.append(f'  "{graph.name_of(parent)}" -> "{graph.name_of(n)}" [label="{_dot_escape(arg)}"];')
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
