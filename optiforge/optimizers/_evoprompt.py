"""EvoPrompt: GA and DE over a population of parameter settings, with the model as variation operator."""

from __future__ import annotations

import json
import random
from typing import Any, Literal

from optiforge.errors import ConfigError
from optiforge.graph import Module, Parameter, mean_score
from optiforge.optimizers import _evoprompt_prompts as P
from optiforge.optimizers._base import Messages, Optimizer, Proposal, Rejection
from optiforge.optimizers._reply import ReplyError, extract_object, suggestion_of


class EvoPrompt(Optimizer):
    """EvoPrompt (Guo et al.) in ask/tell form: each step scores the current candidate, then sets the next.

    The population starts as the current values plus ``initial`` settings (or
    model-written paraphrases of the current values, up to ``population_size``).
    ``variant="ga"``: parents chosen by roulette wheel on score; the model crosses
    them over and mutates the child; after ``population_size`` children the best
    ``population_size`` of parents and children survive (one generation).
    ``variant="de"``: for each member in turn the model mutates the parts where two
    random donors differ, merges them into the best member and crosses the result
    with the member; the child replaces the member if it scores at least as well.
    At most one model call per step. Needs scored feedback.
    """

    name = "evoprompt"
    supports_beam = False

    def __init__(
        self,
        parameters: list[Parameter] | Module,
        lm: Any,
        *,
        variant: Literal["ga", "de"] = "ga",
        population_size: int = 4,
        initial: list[dict[str, Any]] | None = None,
        objective: str | None = None,
        seed: int = 0,
        llm_params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(parameters, lm, objective=objective, llm_params=llm_params)
        if variant not in ("ga", "de"):
            raise ConfigError(f"EvoPrompt variant must be 'ga' or 'de', not {variant!r}")
        if population_size < 2 or (variant == "de" and population_size < 3):
            raise ConfigError("EvoPrompt needs a population of at least 2 (3 for DE)")
        self.variant = variant
        self.population_size = population_size
        self.rng = random.Random(seed)
        # members: {"values": {...}, "score": float | None}
        self.population: list[dict[str, Any]] = [{"values": self.values(), "score": None}]
        for values in (initial or [])[: population_size - 1]:
            sub = Proposal()
            self.validate(values, sub)
            if sub.rejected:
                raise ConfigError("invalid initial EvoPrompt member: "
                                  + "; ".join(r.line() for r in sub.rejected))
            self.population.append({"values": {**self.values(), **sub.updates}, "score": None})
        self.children: list[dict[str, Any]] = []  # GA: scored children of this generation
        self.generation = 0
        self.de_index = 0
        # what the current parameter values are: ("member", i) or ("child", target index or -1)
        self.current: list[Any] = ["member", 0]

    # ---- helpers ------------------------------------------------------------------
    def _param_lines(self) -> str:
        lines = []
        for p in self.parameters:
            notes = "; ".join(x for x in (p.description, p.constraint_text()) if x)
            lines.append(P.PARAMETER_LINE.format(kind=p.kind, name=self.names[p],
                                                 notes=f": {notes}" if notes else ""))
        return "\n".join(lines)

    @staticmethod
    def _js(values: dict[str, Any]) -> str:
        return json.dumps(values, ensure_ascii=False)

    def _messages(self, template: str, **fields: Any) -> Messages:
        user = template.format(objective=self.objective or P.DEFAULT_OBJECTIVE,
                               parameters=self._param_lines(), **fields)
        if self.pending_rejections:
            user += P.REJECTED.format(lines=self.rejection_text())
        return [{"role": "system", "content": P.SYSTEM}, {"role": "user", "content": user}]

    def _roulette(self, members: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
        scores = [m["score"] for m in members]
        low = min(scores)
        weights = [s - low + 1e-6 for s in scores]
        return rng.choices(members, weights=weights, k=1)[0]

    def best(self) -> dict[str, Any]:
        """The best scored member so far (or the first member while none is scored)."""
        scored = [m for m in self.population if m["score"] is not None]
        return max(scored, key=lambda m: m["score"]) if scored else self.population[0]

    # ---- the step -----------------------------------------------------------------
    async def _propose(self, sample: int) -> Proposal:
        graphs = self.feedback_graphs()
        score = mean_score(graphs)
        if score is None:
            raise ConfigError("EvoPrompt needs scored feedback: call output.backward(text, score=...)")
        # plan on copies: nothing changes until apply()
        population = json.loads(json.dumps(self.population))
        children = json.loads(json.dumps(self.children))
        rng = random.Random()
        rng.setstate(self.rng.getstate())
        generation, de_index = self.generation, self.de_index
        kind, idx = self.current
        values_now = self.values()
        if kind == "member":
            population[idx]["score"] = score
        elif self.variant == "ga":
            children.append({"values": values_now, "score": score})
            if len(children) >= self.population_size:
                merged = population + children
                merged.sort(key=lambda m: m["score"], reverse=True)
                population, children, generation = merged[: self.population_size], [], generation + 1
        else:
            if score >= population[idx]["score"]:
                population[idx] = {"values": values_now, "score": score}
            de_index = (idx + 1) % len(population)
            if de_index == 0:
                generation += 1

        proposal = Proposal()
        plan: dict[str, Any] = {"population": population, "children": children,
                                "generation": generation, "de_index": de_index}
        unscored = [i for i, m in enumerate(population) if m["score"] is None]
        if unscored:
            plan["current"] = ["member", unscored[0]]
            proposal.updates = dict(population[unscored[0]]["values"])
        elif len(population) < self.population_size:
            seed = population[0]["values"]
            messages = self._messages(P.PARAPHRASE, seed=self._js(seed))
            child = await self._ask(messages, proposal, sample)
            if child is not None:
                population.append({"values": {**seed, **child}, "score": None})
                plan["current"] = ["member", len(population) - 1]
                proposal.updates = {**seed, **child}
        elif self.variant == "ga":
            p1 = self._roulette(population, rng)
            p2 = self._roulette([m for m in population if m is not p1] or population, rng)
            messages = self._messages(P.GA, parent1=self._js(p1["values"]), score1=f"{p1['score']:g}",
                                      parent2=self._js(p2["values"]), score2=f"{p2['score']:g}")
            child = await self._ask(messages, proposal, sample)
            if child is not None:
                plan["current"] = ["child", -1]
                proposal.updates = {**p1["values"], **child}
        else:
            target = population[de_index]
            others = [m for j, m in enumerate(population) if j != de_index]
            d1, d2 = rng.sample(others, 2)
            best = max(population, key=lambda m: m["score"])
            messages = self._messages(P.DE, donor1=self._js(d1["values"]), donor2=self._js(d2["values"]),
                                      best=self._js(best["values"]), best_score=f"{best['score']:g}",
                                      current=self._js(target["values"]),
                                      current_score=f"{target['score']:g}")
            child = await self._ask(messages, proposal, sample)
            if child is not None:
                plan["current"] = ["child", de_index]
                proposal.updates = {**target["values"], **child}
        if "current" not in plan:
            # the model's child was refused: re-evaluate the best member, so the loop keeps going
            b = max(range(len(population)), key=lambda i: population[i]["score"] or float("-inf"))
            population[b]["score"] = None
            plan["current"] = ["member", b]
            proposal.updates = dict(population[b]["values"])
        plan["rng"] = _encode_rng(rng.getstate())
        proposal.extra["plan"] = plan
        return proposal

    async def _ask(self, messages: Messages, proposal: Proposal, sample: int) -> dict[str, Any] | None:
        text = await self.call(messages, proposal, sample=sample)
        try:
            suggestion = suggestion_of(extract_object(text))
        except ReplyError as exc:
            proposal.rejected.append(Rejection("", str(exc)))
            return None
        sub = Proposal()
        self.validate(suggestion, sub)
        if sub.rejected:
            proposal.rejected.extend(sub.rejected)
            return None
        return sub.updates

    def _commit(self, proposal: Proposal, applied: dict[str, Any]) -> None:
        plan = proposal.extra["plan"]
        self.population = plan["population"]
        self.children = plan["children"]
        self.generation = plan["generation"]
        self.de_index = plan["de_index"]
        self.current = plan["current"]
        self.rng.setstate(_decode_rng(plan["rng"]))

    def _extra_state(self) -> dict[str, Any]:
        return {"population": self.population, "children": self.children,
                "generation": self.generation, "de_index": self.de_index,
                "current": self.current, "rng": _encode_rng(self.rng.getstate())}

    def _load_extra_state(self, extra: dict[str, Any]) -> None:
        self.population = extra["population"]
        self.children = extra["children"]
        self.generation = extra["generation"]
        self.de_index = extra["de_index"]
        self.current = list(extra["current"])
        self.rng.setstate(_decode_rng(extra["rng"]))


def _encode_rng(state: tuple[Any, ...]) -> list[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def _decode_rng(data: list[Any]) -> tuple[Any, ...]:
    return (data[0], tuple(data[1]), data[2])
