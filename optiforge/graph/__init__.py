"""Workflow graphs: trainable Parameters, traced operators and feedback collection for optimizers.

Build a graph by calling ``@bundle``-decorated functions on nodes and Parameters,
then call ``output.backward(feedback)``; optimizers in :mod:`optiforge.optimizers`
read the collected :class:`TraceGraph` and propose new parameter values.
"""

from optiforge.graph._bundle import bundle
from optiforge.graph._constraints import Bounds, CodeSpec, ConstraintError
from optiforge.graph._module import Module
from optiforge.graph._nodes import ExceptionNode, MessageNode, Node, Operator, Parameter, node
from optiforge.graph._render import format_value, to_dot, to_text
from optiforge.graph._trace import (
    TraceGraph,
    aggregate_feedback,
    mean_score,
    unique_parameter_names,
)

__all__ = [
    "Bounds",
    "CodeSpec",
    "ConstraintError",
    "ExceptionNode",
    "MessageNode",
    "Module",
    "Node",
    "Operator",
    "Parameter",
    "TraceGraph",
    "aggregate_feedback",
    "bundle",
    "format_value",
    "mean_score",
    "node",
    "to_dot",
    "to_text",
    "unique_parameter_names",
]
