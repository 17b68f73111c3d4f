"""The Optimizer base: propose updates, apply them under constraints, emit events, save state."""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from optiforge.errors import ConfigError, InputError
from optiforge.graph import (
    ConstraintError,
    Module,
    Parameter,
    TraceGraph,
    unique_parameter_names,
)

Messages = list[dict[str, Any]]


@dataclass
class Rejection:
    """A suggested value that was refused, and why (fed back to the model on the next step)."""

    parameter: str
    reason: str
    value: Any = None

    def line(self) -> str:
        """One line for prompts."""
        return f"- {self.parameter}: {self.reason}" if self.parameter else f"- {self.reason}"


@dataclass
class Proposal:
    """What one optimizer step suggests; nothing has changed until :meth:`Optimizer.apply`."""

    updates: dict[str, Any] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    reasoning: str = ""
    prompts: list[Messages] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class OptimizerEvent:
    """One thing that happened during a step: ``prompt``, ``response``, ``update``, ``rejected``, ``step``."""

    kind: str
    optimizer: str
    step: int
    data: dict[str, Any]
    time: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


Subscriber = Callable[[OptimizerEvent], None]


class Optimizer(ABC):
    """Base of all optimizers over graph :class:`Parameter` s.

    Subclasses implement :meth:`_propose` (usually one or more LLM calls) and may
    override :meth:`_commit` and the ``_extra_state`` pair. :meth:`step` =
    :meth:`propose` + :meth:`apply`. Invalid suggestions (unparsable replies,
    unknown names, constraint violations) become :class:`Rejection` s: they are
    reported in events, shown to the model on the next step, and never change a
    parameter.
    """

    name = "optimizer"
    #: whether several proposals may be drawn from the same state (used by beam search)
    supports_beam = True

    def __init__(
        self,
        parameters: Iterable[Parameter] | Module,
        lm: Any,
        *,
        objective: str | None = None,
        llm_params: dict[str, Any] | None = None,
    ) -> None:
        params = parameters.parameters() if isinstance(parameters, Module) else list(parameters)
        params = [p for p in params if isinstance(p, Parameter) and p.trainable]
        if not params:
            raise ConfigError(f"{type(self).__name__} needs at least one trainable Parameter")
        self.parameters: list[Parameter] = params
        self.names: dict[Parameter, str] = unique_parameter_names(params)
        self.by_name: dict[str, Parameter] = {v: k for k, v in self.names.items()}
        self.lm = lm
        self.objective = objective
        self.llm_params = dict(llm_params or {})
        self.step_count = 0
        self.pending_rejections: list[Rejection] = []
        self.events: list[OptimizerEvent] = []
        self._subscribers: list[Subscriber] = []

    # ---- events -------------------------------------------------------------------
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback(event)`` for every future event; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def emit(self, kind: str, **data: Any) -> None:
        """Record an event and hand it to subscribers (a failing subscriber does not stop the step)."""
        event = OptimizerEvent(kind, self.name, self.step_count, data)
        self.events.append(event)
        for cb in list(self._subscribers):
            try:
                cb(event)
            except Exception as exc:  # a UI bug must not kill an optimization run
                self.events.append(OptimizerEvent("subscriber_error", self.name, self.step_count,
                                                  {"error": f"{type(exc).__name__}: {exc}"}))

    # ---- feedback -----------------------------------------------------------------
    def zero_feedback(self) -> None:
        """Forget feedback collected by earlier ``backward`` calls."""
        for p in self.parameters:
            p.feedback.clear()

    def feedback_graphs(self) -> list[TraceGraph]:
        """The distinct graphs that reached our parameters, renamed with our parameter names."""
        seen: set[int] = set()
        graphs = []
        for p in self.parameters:
            for g in p.feedback:
                if id(g) not in seen:
                    seen.add(id(g))
                    graphs.append(g.renamed(self.names))
        return graphs

    def values(self) -> dict[str, Any]:
        """Current parameter values by name (copies)."""
        return {self.names[p]: p.snapshot() for p in self.parameters}

    def set_values(self, values: dict[str, Any]) -> None:
        """Assign values by name, all checked before any is set."""
        unknown = sorted(set(values) - set(self.by_name))
        if unknown:
            raise InputError(f"unknown parameter(s): {', '.join(unknown)}")
        checked = {k: self.by_name[k].check(v) for k, v in values.items()}
        for k, v in checked.items():
            self.by_name[k].set(v)

    # ---- the step -----------------------------------------------------------------
    async def propose(self, *, sample: int = 0) -> Proposal:
        """Ask the model for new values without applying them; ``sample`` > 0 draws an alternative."""
        return await self._propose(sample)

    @abstractmethod
    async def _propose(self, sample: int) -> Proposal:
        """Build prompts from the current state and feedback, call the model, validate the result."""

    def apply(self, proposal: Proposal) -> dict[str, Any]:
        """Apply a proposal's accepted updates; remember its rejections for the next prompt.

        Clears the collected feedback afterwards (as :meth:`zero_feedback`).
        """
        applied: dict[str, Any] = {}
        for pname, value in proposal.updates.items():
            param = self.by_name[pname]
            try:
                param.set(value)
            except ConstraintError as exc:  # validated already; re-checked because values may be edited
                proposal.rejected.append(Rejection(pname, str(exc), value))
                continue
            applied[pname] = param.snapshot()
        self._commit(proposal, applied)
        self.pending_rejections = list(proposal.rejected)
        if applied:
            self.emit("update", values=applied, reasoning=proposal.reasoning)
        if proposal.rejected:
            self.emit("rejected", rejections=[asdict(r) for r in proposal.rejected])
        self.emit("step", calls=proposal.calls, prompt_tokens=proposal.prompt_tokens,
                  completion_tokens=proposal.completion_tokens, cost_usd=proposal.cost_usd,
                  updated=sorted(applied), rejected=len(proposal.rejected))
        self.step_count += 1
        # the feedback has been used; stale graphs must not leak into the next step
        self.zero_feedback()
        return applied

    def _commit(self, proposal: Proposal, applied: dict[str, Any]) -> None:
        """Hook: update optimizer memory after a proposal was applied."""
        return None

    async def step(self) -> Proposal:
        """Propose and apply one update; returns the proposal (with what was rejected)."""
        proposal = await self.propose()
        self.apply(proposal)
        return proposal

    def step_sync(self) -> Proposal:
        """:meth:`step` for code that is not already inside an event loop."""
        return asyncio.run(self.step())

    # ---- validation and model calls (shared by subclasses) ---------------------------
    def validate(self, suggestion: dict[str, Any], proposal: Proposal) -> None:
        """Sort a name->value suggestion into accepted updates and rejections on ``proposal``."""
        self.emit("parsed", suggestion=suggestion)
        for pname, value in suggestion.items():
            param = self.by_name.get(pname)
            if param is None:
                proposal.rejected.append(Rejection(
                    pname, f"unknown parameter name (valid names: {', '.join(self.by_name)})", value))
                continue
            try:
                proposal.updates[pname] = param.check(value)
            except ConstraintError as exc:
                proposal.rejected.append(Rejection(pname, str(exc), value))

    async def call(self, messages: Messages, proposal: Proposal, *, sample: int = 0) -> str:
        """One model call; records prompt/response events and usage on ``proposal``."""
        self.emit("prompt", messages=messages, sample=sample)
        params = dict(self.llm_params)
        if sample:
            params["sample"] = sample
        completion = await self.lm.complete(messages, **params)
        text = completion.text
        proposal.prompts.append(messages)
        proposal.responses.append(text)
        proposal.calls += 1
        usage = getattr(completion, "usage", None)
        if usage is not None:
            proposal.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            proposal.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        proposal.cost_usd += float(getattr(completion, "cost_usd", 0.0) or 0.0)
        self.emit("response", text=text, cache_hit=bool(getattr(completion, "cache_hit", False)))
        return text

    def rejection_text(self) -> str:
        """The previous step's rejections as prompt lines, or empty."""
        return "\n".join(r.line() for r in self.pending_rejections)

    # ---- state ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """JSON-ready state: step count, parameter values, pending rejections, optimizer memory."""
        return {
            "optimizer": self.name,
            "step": self.step_count,
            "values": self.values(),
            "pending_rejections": [asdict(r) for r in self.pending_rejections],
            "extra": self._extra_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (values are constraint-checked)."""
        if state.get("optimizer") != self.name:
            raise InputError(f"state is for optimizer {state.get('optimizer')!r}, not {self.name!r}")
        self.set_values(state.get("values", {}))
        self.step_count = int(state.get("step", 0))
        self.pending_rejections = [Rejection(**r) for r in state.get("pending_rejections", [])]
        self._load_extra_state(state.get("extra") or {})

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        return None
