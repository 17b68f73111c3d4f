"""OPRO: a meta-prompt listing scored candidates (sorted) asks the model for better ones."""

from __future__ import annotations

import json
from typing import Any

from optiforge.errors import ConfigError
from optiforge.graph import Module, Parameter, mean_score
from optiforge.optimizers import _opro_prompts as P
from optiforge.optimizers._base import Messages, Optimizer, Proposal, Rejection
from optiforge.optimizers._reply import ReplyError, extract_object


class OPRO(Optimizer):
    """Optimization by PROmpting (Yang et al.).

    Each step scores the current values (mean ``score`` of the feedback graphs),
    adds them to the history, and sets the next candidate. Candidates come from one
    model call that shows the ``max_history`` best scored candidates sorted worst to
    best and asks for ``candidates_per_call`` new ones; they are tried one per step
    before the model is asked again. Needs scored feedback:
    ``output.backward(text, score=...)``.
    """

    name = "opro"
    supports_beam = False

    def __init__(
        self,
        parameters: list[Parameter] | Module,
        lm: Any,
        *,
        objective: str | None = None,
        max_history: int = 20,
        candidates_per_call: int = 1,
        show_feedback: bool = False,
        llm_params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parameters, lm, objective=objective, llm_params=llm_params)
        self.max_history = max_history
        self.candidates_per_call = candidates_per_call
        self.show_feedback = show_feedback
        self.history: list[dict[str, Any]] = []  # {"values", "score", "feedback"}
        self.queue: list[dict[str, Any]] = []

    def current_entry(self) -> dict[str, Any]:
        """The current values with the score of the collected feedback."""
        graphs = self.feedback_graphs()
        score = mean_score(graphs)
        if score is None:
            raise ConfigError("OPRO needs scored feedback: call output.backward(text, score=...)")
        feedback = " | ".join(dict.fromkeys(g.feedback for g in graphs))
        return {"values": self.values(), "score": score, "feedback": feedback}

    def ranked(self, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Distinct candidates (best score kept), the best ``max_history``, sorted worst to best."""
        best: dict[str, dict[str, Any]] = {}
        for entry in history:
            key = json.dumps(entry["values"], sort_keys=True)
            if key not in best or entry["score"] > best[key]["score"]:
                best[key] = entry
        ordered = sorted(best.values(), key=lambda e: e["score"])
        return ordered[-self.max_history:] if self.max_history > 0 else ordered

    def build_messages(self, history: list[dict[str, Any]]) -> Messages:
        """The meta-prompt over ``history``."""
        params = []
        for p in self.parameters:
            notes = "; ".join(x for x in (p.description, p.constraint_text()) if x)
            params.append(P.PARAMETER_LINE.format(kind=p.kind, name=self.names[p],
                                                  notes=f": {notes}" if notes else ""))
        items = []
        for e in self.ranked(history):
            fb = f"\nfeedback: {e['feedback']}" if self.show_feedback and e.get("feedback") else ""
            items.append(P.HISTORY_ITEM.format(values=json.dumps(e["values"], ensure_ascii=False),
                                               score=f"{e['score']:g}", feedback=fb))
        user = P.META.format(objective=self.objective or P.DEFAULT_OBJECTIVE,
                             parameters="\n".join(params), history="\n\n".join(items),
                             count=self.candidates_per_call)
        if self.pending_rejections:
            user += P.REJECTED.format(lines=self.rejection_text())
        return [{"role": "system", "content": P.SYSTEM}, {"role": "user", "content": user}]

    async def _propose(self, sample: int) -> Proposal:
        entry = self.current_entry()
        proposal = Proposal(extra={"entry": entry})
        if self.queue:
            proposal.updates = dict(self.queue[0])
            proposal.extra["from_queue"] = True
            return proposal
        text = await self.call(self.build_messages([*self.history, entry]), proposal, sample=sample)
        try:
            obj = extract_object(text)
            cands = obj.get("candidates")
            if cands is None and isinstance(obj.get("suggestion"), dict):
                cands = [obj["suggestion"]]
            if not isinstance(cands, list) or not all(isinstance(c, dict) for c in cands):
                raise ReplyError('"candidates" must be a list of JSON objects')
        except ReplyError as exc:
            proposal.rejected.append(Rejection("", str(exc)))
            return proposal
        valid: list[dict[str, Any]] = []
        for cand in cands:
            sub = Proposal()
            self.validate(cand, sub)
            proposal.rejected.extend(sub.rejected)
            if sub.updates and not sub.rejected:
                valid.append(sub.updates)
        if valid:
            proposal.updates = valid[0]
        proposal.extra["queue"] = valid[1:]
        return proposal

    def _commit(self, proposal: Proposal, applied: dict[str, Any]) -> None:
        self.history.append(proposal.extra["entry"])
        if proposal.extra.get("from_queue"):
            self.queue.pop(0)
        else:
            self.queue = list(proposal.extra.get("queue", []))

    def best(self) -> dict[str, Any] | None:
        """The best scored history entry so far."""
        return max(self.history, key=lambda e: e["score"], default=None)

    def _extra_state(self) -> dict[str, Any]:
        return {"history": self.history, "queue": self.queue}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self.history = list(extra.get("history", []))
        self.queue = list(extra.get("queue", []))
