"""TextGrad's TGD: one critique ("textual gradient") call per parameter, then one batched update call."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

from optiforge.errors import InputError
from optiforge.graph import (
    ExceptionNode,
    Module,
    Parameter,
    TraceGraph,
    aggregate_feedback,
    format_value,
)
from optiforge.graph._render import call_line
from optiforge.optimizers import _textgrad_prompts as P
from optiforge.optimizers._base import Messages, Optimizer, Proposal, Rejection
from optiforge.optimizers._reply import ReplyError, extract_object, suggestion_of


class TextGrad(Optimizer):
    """Textual gradient descent.

    Per step: one backward call per parameter that received feedback (run
    concurrently) asking for a critique of that parameter given where it was used,
    the output and the feedback; then a single update call that sees each
    parameter's value and critique (the feedback itself is not repeated) and
    returns new values as JSON. So a step makes at most N+1 calls for N parameters.
    ``batch_updates=False`` sends one update call per parameter instead (2N calls,
    TextGrad's original shape; each call sees one parameter and its critique).
    ``momentum`` > 0 shows that many past (value, critique) pairs per parameter in
    the update call.
    """

    name = "textgrad"

    def __init__(
        self,
        parameters: list[Parameter] | Module,
        lm: Any,
        *,
        objective: str | None = None,
        momentum: int = 0,
        batch_updates: bool = True,
        value_limit: int = 600,
        llm_params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parameters, lm, objective=objective, llm_params=llm_params)
        self.momentum = momentum
        self.batch_updates = batch_updates
        self.value_limit = value_limit
        self.past: dict[str, list[tuple[Any, str]]] = defaultdict(list)

    # ---- backward -----------------------------------------------------------------
    def backward_messages(self, param: Parameter, graphs: list[TraceGraph]) -> Messages:
        """The critique request for one parameter over the graphs it took part in."""
        name = self.names[param]
        usage_lines: list[str] = []
        outputs: list[str] = []
        for g in graphs:
            for n in g.operators:
                if any(v is param for v in n.inputs.values()):
                    line = P.USAGE_LINE.format(call=self._call_line(g, n, param), op=n.operator.name,
                                               description=n.operator.description or "no description",
                                               inputs=self._fixed_inputs(g, n))
                    if line not in usage_lines:
                        usage_lines.append(line)
            out = g.output
            text = f"error: {out.error_text}" if isinstance(out, ExceptionNode) else format_value(
                out.value, self.value_limit)
            outputs.append(text)
        output = outputs[0] if len(outputs) == 1 else "\n".join(
            f"[{i}] {o}" for i, o in enumerate(outputs, 1))
        role = param.description or f"a {param.kind} parameter"
        if self.objective:
            role += f". Objective: {self.objective}"
        user = P.BACKWARD_USER.format(
            name=name, kind=param.kind, value=format_value(param.value), role=role,
            usage="\n".join(usage_lines) or "(directly the output)", output=output,
            feedback=aggregate_feedback(graphs))
        return [{"role": "system", "content": P.BACKWARD_SYSTEM}, {"role": "user", "content": user}]

    @staticmethod
    def _call_line(g: TraceGraph, n: Any, param: Parameter) -> str:
        # with many inputs, listing all of them in every critique would make a step cost O(N^2)
        if len(n.inputs) <= 4:
            return call_line(g, n)
        mine = [f"{k}={g.name_of(v)}" for k, v in n.inputs.items() if v is param]
        others = len(n.inputs) - len(mine)
        return f"{g.name_of(n)} = {n.operator.name}({', '.join(mine)}, ... {others} other inputs)"

    def _fixed_inputs(self, g: TraceGraph, n: Any) -> str:
        # the non-trainable inputs (the question, an intermediate result) give the critic context
        shown = [f"{g.name_of(v)}={format_value(v.value, 200)}" for v in n.inputs.values()
                 if not isinstance(v, Parameter)][:4]
        return P.USAGE_INPUTS.format(values=", ".join(shown)) if shown else ""

    # ---- update -------------------------------------------------------------------
    def update_messages(self, critiques: dict[str, str]) -> Messages:
        """The batched update request for all parameters that got a critique."""
        blocks = []
        for name, critique in critiques.items():
            param = self.by_name[name]
            extras = ""
            if param.constraint_text():
                extras += P.CONSTRAINT_LINE.format(text=param.constraint_text())
            past = self.past.get(name, [])[-self.momentum:] if self.momentum > 0 else []
            if past:
                extras += P.MOMENTUM_INTRO + "".join(
                    P.MOMENTUM_ITEM.format(index=i, value=json.dumps(v, ensure_ascii=False), critique=c)
                    for i, (v, c) in enumerate(past, 1)) + P.MOMENTUM_OUTRO
            role = P.UPDATE_ROLE.format(role=param.description) if param.description else ""
            blocks.append(P.UPDATE_PARAMETER.format(
                name=name, kind=param.kind, value=format_value(param.value), role=role,
                critique=critique, extras=extras))
        user = "\n\n".join(blocks)
        if self.objective:
            user = P.UPDATE_OBJECTIVE.format(objective=self.objective) + user
        if self.pending_rejections:
            user += P.REJECTED.format(lines=self.rejection_text())
        return [{"role": "system", "content": P.UPDATE_SYSTEM}, {"role": "user", "content": user}]

    async def _propose(self, sample: int) -> Proposal:
        graphs = self.feedback_graphs()
        if not graphs:
            raise InputError("no feedback: call output.backward(feedback) before step()")
        proposal = Proposal()
        targets = [(p, [g for g in graphs if any(q is p for q in g.parameters)])
                   for p in self.parameters]
        targets = [(p, gs) for p, gs in targets if gs]
        texts = await asyncio.gather(*(
            self.call(self.backward_messages(p, gs), proposal, sample=sample) for p, gs in targets))
        critiques = {self.names[p]: t.strip() for (p, _), t in zip(targets, texts, strict=True)}
        proposal.extra["critiques"] = critiques
        proposal.extra["before"] = {n: self.by_name[n].snapshot() for n in critiques}
        groups = [critiques] if self.batch_updates else [{k: v} for k, v in critiques.items()]
        replies = await asyncio.gather(*(
            self.call(self.update_messages(group), proposal, sample=sample) for group in groups))
        for group, text in zip(groups, replies, strict=True):
            try:
                obj = extract_object(text)
                suggestion = suggestion_of(obj)
            except ReplyError as exc:
                proposal.rejected.append(Rejection("" if self.batch_updates else next(iter(group)),
                                                   str(exc)))
                continue
            if not self.batch_updates:
                for name in [k for k in suggestion if k not in group]:
                    proposal.rejected.append(Rejection(
                        name, "only the parameter under update may be changed in this call",
                        suggestion.pop(name)))
            if obj.get("reasoning"):
                proposal.reasoning += str(obj["reasoning"]) + "\n"
            self.validate(suggestion, proposal)
        return proposal

    def _commit(self, proposal: Proposal, applied: dict[str, Any]) -> None:
        if self.momentum <= 0:
            return
        for name, critique in proposal.extra.get("critiques", {}).items():
            hist = self.past[name]
            hist.append((proposal.extra["before"][name], critique))
            del hist[: -self.momentum]

    def _extra_state(self) -> dict[str, Any]:
        return {"past": {k: [[v, c] for v, c in items] for k, items in self.past.items()}}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self.past = defaultdict(list)
        for k, items in extra.get("past", {}).items():
            self.past[k] = [(v, c) for v, c in items]


#: The TextGrad optimizer is known as TGD (textual gradient descent).
TGD = TextGrad
