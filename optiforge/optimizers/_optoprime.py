"""OptoPrime: one model call per step that sees the whole traced graph and returns new values."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from optiforge.errors import InputError
from optiforge.graph import (
    ExceptionNode,
    MessageNode,
    Module,
    Parameter,
    TraceGraph,
    format_value,
)
from optiforge.graph._render import call_line, type_tag
from optiforge.optimizers import _optoprime_prompts as P
from optiforge.optimizers._base import Messages, Optimizer, Proposal, Rejection
from optiforge.optimizers._reply import ReplyError, extract_object, suggestion_of


class OptoPrime(Optimizer):
    """Trace's OptoPrime: show the model the traced subgraph plus feedback, ask for new values as JSON.

    Exactly one model call per step. ``memory_size`` > 0 keeps that many past
    (values, feedback) pairs in the prompt. ``show_source`` includes each
    operator's source code next to its description. ``value_limit`` caps how many
    characters of non-parameter values are shown.
    """

    name = "optoprime"

    def __init__(
        self,
        parameters: list[Parameter] | Module,
        lm: Any,
        *,
        objective: str | None = None,
        memory_size: int = 0,
        show_source: bool = True,
        value_limit: int = 2000,
        llm_params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parameters, lm, objective=objective, llm_params=llm_params)
        self.memory_size = memory_size
        self.show_source = show_source
        self.value_limit = value_limit
        self.memory: deque[tuple[dict[str, Any], str]] = deque(maxlen=max(memory_size, 1))

    # ---- prompt -------------------------------------------------------------------
    def build_messages(self, graphs: list[TraceGraph]) -> Messages:
        """The system and user messages for the given feedback graphs (first one shown in full)."""
        return [{"role": "system", "content": P.SYSTEM},
                {"role": "user", "content": self.render_problem(graphs)}]

    def render_problem(self, graphs: list[TraceGraph]) -> str:
        """The user message: the trace sections, extra examples, memory, rejections."""
        if not graphs:
            raise InputError("no feedback: call output.backward(feedback) before step()")
        g = graphs[0]
        ours = {id(p) for p in self.parameters}
        ops = g.operators
        lim = self.value_limit
        sections: list[tuple[str, str]] = [
            ("Objective", self.objective or P.DEFAULT_OBJECTIVE),
            ("Code", "\n".join(call_line(g, n) for n in ops)),
            ("Operators", self._render_operators(ops)),
        ]
        # every parameter of ours that any example used (the first graph may not use them all)
        used = {id(p) for h in graphs for p in h.parameters}
        params = [p for p in self.parameters if id(p) in used]
        sections.append(("Parameters", "\n".join(
            f"({n.kind}) {self.names[n]} = {format_value(n.value)}" for n in params)))
        # parameters with the same description and constraint share one line
        notes: dict[str, list[str]] = {}
        for n in params:
            note = "; ".join(x for x in (n.description, n.constraint_text()) if x)
            if note:
                notes.setdefault(note, []).append(self.names[n])
        sections.append(("Constraints", "\n".join(
            f"{', '.join(names)}: {note}" for note, names in notes.items())))
        sections.append(("Inputs", "\n".join(
            f"({type_tag(n)}) {g.name_of(n)} = {format_value(n.value, lim)}"
            for n in g.roots if id(n) not in ours)))
        sections.append(("Intermediate", "\n".join(
            f"({type_tag(n)}) {g.name_of(n)} = {format_value(n.value, lim)}"
            for n in ops if n is not g.output)))
        sections.append(("Output", f"({type_tag(g.output)}) {g.name_of(g.output)} = "
                                   f"{format_value(g.output.value, lim)}"))
        feedback = g.feedback if g.score is None else f"{g.feedback} (score {g.score:g})"
        sections.append(("Feedback", feedback))
        if len(graphs) > 1:
            sections.append(("Other examples", "\n".join(
                self._render_example(i, h) for i, h in enumerate(graphs[1:], 2))))
        if self.memory_size > 0 and self.memory:
            sections.append(("History", "\n".join(
                P.MEMORY_ITEM.format(index=i, values=json.dumps(v, ensure_ascii=False), feedback=f)
                for i, (v, f) in enumerate(self.memory, 1))))
        if self.pending_rejections:
            sections.append(("Rejected", P.REJECTED_INTRO + "\n" + self.rejection_text()))
        body = "\n\n".join(P.SECTION.format(title=t, body=b) for t, b in sections if b)
        return body + "\n\n" + P.REPLY_CUE

    def _render_operators(self, ops: list[MessageNode]) -> str:
        seen: dict[str, str] = {}
        for n in ops:
            if n.operator.name in seen:
                continue
            op = n.operator
            if self.show_source and op.source:
                # the source usually holds the docstring already; say it once
                text = op.source.rstrip()
                if op.description and op.description not in op.source:
                    text = f"# {op.name}: {op.description}\n{text}"
            else:
                text = f"{op.name}: {op.description or '(no description)'}"
            seen[n.operator.name] = text
        return "\n".join(seen.values())

    def _render_example(self, index: int, g: TraceGraph) -> str:
        ours = {id(p) for p in self.parameters}
        inputs = ", ".join(f"{g.name_of(n)}={format_value(n.value, self.value_limit)}"
                           for n in g.roots if id(n) not in ours) or "(none)"
        out = g.output
        output = format_value(out.value, self.value_limit)
        if isinstance(out, ExceptionNode):
            output = f"error: {out.error_text}"
        feedback = g.feedback if g.score is None else f"{g.feedback} (score {g.score:g})"
        return P.EXAMPLE.format(index=index, inputs=inputs, output=output, feedback=feedback)

    # ---- step ---------------------------------------------------------------------
    async def _propose(self, sample: int) -> Proposal:
        graphs = self.feedback_graphs()
        messages = self.build_messages(graphs)
        proposal = Proposal(extra={"feedback": "\n".join(g.feedback for g in graphs)})
        text = await self.call(messages, proposal, sample=sample)
        try:
            obj = extract_object(text)
            suggestion = suggestion_of(obj)
        except ReplyError as exc:
            proposal.rejected.append(Rejection("", str(exc)))
            return proposal
        proposal.reasoning = str(obj.get("reasoning", ""))
        self.validate(suggestion, proposal)
        return proposal

    def _commit(self, proposal: Proposal, applied: dict[str, Any]) -> None:
        if self.memory_size > 0:
            # remember the values the feedback was about (before this update)
            before = proposal.extra.get("before") or self.values()
            self.memory.append((before, proposal.extra.get("feedback", "")))

    async def propose(self, *, sample: int = 0) -> Proposal:
        """See :meth:`Optimizer.propose`; also records the values the feedback refers to."""
        before = self.values()
        proposal = await self._propose(sample)
        proposal.extra["before"] = before
        return proposal

    def _extra_state(self) -> dict[str, Any]:
        return {"memory": [[v, f] for v, f in self.memory]}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self.memory.clear()
        for v, f in extra.get("memory", []):
            self.memory.append((v, f))
