"""The formulation agent: understand -> formulate -> solve -> verify -> extract, with repairs.

A LangGraph graph drives one attempt; every failure (reply that does not validate,
infeasible model with its IIS, unbounded model, failed verification, missing or
uncomputable answers) becomes concrete feedback for a bounded number of repair rounds.
Self-consistency runs several attempts as independent samples and votes on the objective.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from typing import Any, TypedDict

from optiforge.agents.formulate import _prompts
from optiforge.agents.formulate._result import FormulateResult, Status
from optiforge.agents.formulate._schema import ModelAnswer
from optiforge.errors import FormulationError, OutputParseError
from optiforge.graph import Module, Parameter, bundle

OBJECTIVE = "objective"


def _needs(*placeholders: str):
    def check(value: str) -> str | None:
        missing = [p for p in placeholders if "{" + p + "}" not in value]
        return f"the template must keep the placeholder(s) {', '.join('{' + p + '}' for p in missing)}" if missing else None

    return check


def fill(template: str, **values: str) -> str:
    """Substitute ``{name}`` placeholders without str.format, so braces in prompts are safe."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


class FormulatePrompts(Module):
    """The agent's prompts as trainable text Parameters (what optimizers improve)."""

    def __init__(self) -> None:
        self.system = Parameter(_prompts.SYSTEM, "text", description="System prompt of the formulation agent.")
        self.formulate = Parameter(
            _prompts.FORMULATE, "text", constraint=_needs("problem", "queried"),
            description="Asks for the five-element model and one answer expression per requested label.",
        )
        self.repair = Parameter(
            _prompts.REPAIR, "text", constraint=_needs("feedback"),
            description="Sent after a failure, with the concrete error as {feedback}.",
        )
        self.understand = Parameter(
            _prompts.UNDERSTAND, "text", constraint=_needs("problem"),
            description="Optional first step: analyse the problem before modelling.",
        )
        self.pyomo = Parameter(
            _prompts.PYOMO, "text", constraint=_needs("problem", "queried"),
            description="Pyomo-code mode: asks for build_model() and answers(m) in a python block.",
        )


class _State(TypedDict, total=False):
    text: str
    queried: list[str]
    sample: int
    messages: list[dict[str, str]]
    round: int
    parsed: ModelAnswer | None
    code: str | None
    result: Any
    verified: bool
    answers: dict[str, float]
    feedback: str | None
    category: str | None
    steps: list[dict[str, Any]]
    usage: dict[str, float]


def _norm_label(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", label.lower()).strip()


def _add_usage(usage: dict[str, float], spent: Any, calls: int = 1) -> dict[str, float]:
    """Totals plus one Completion's (or a failed parse's) tokens, cost and calls."""
    return {
        "prompt_tokens": usage.get("prompt_tokens", 0) + spent.usage.prompt_tokens,
        "completion_tokens": usage.get("completion_tokens", 0) + spent.usage.completion_tokens,
        "cost_usd": usage.get("cost_usd", 0.0) + spent.cost_usd,
        "calls": usage.get("calls", 0) + calls,
    }


class FormulateAgent:
    """Word problem -> verified optimal answer(s), through a bounded repair loop.

    ``lm`` is any :class:`optiforge.llm.LM` (ScriptedLM/ReplayLM offline). ``max_rounds``
    bounds formulate attempts per sample; ``samples`` > 1 turns on self-consistency
    (independent samples, majority vote on the objective); ``mode="pyomo"`` asks for Pyomo
    code instead of a Formulation and runs it only inside the sandbox; ``understand`` adds an analysis
    call before modelling; ``few_shot`` prepends that many worked examples; ``temperature``
    defaults to 0 for one sample and 0.7 for several. ``prompts`` are trainable. ``seed``
    picks which samples are drawn (each seed its own, reproducible through the cache).
    """

    def __init__(
        self,
        lm: Any,
        *,
        max_rounds: int = 3,
        samples: int = 1,
        temperature: float | None = None,
        understand: bool = False,
        few_shot: int = 0,
        time_limit: float = 60.0,
        prompts: FormulatePrompts | None = None,
        seed: int = 0,
        mode: str = "formulation",
    ) -> None:
        if max_rounds < 1 or samples < 1:
            raise ValueError("max_rounds and samples must be at least 1")
        if mode not in ("formulation", "pyomo"):
            raise ValueError(f"unknown mode {mode!r}; use 'formulation' or 'pyomo'")
        self.mode = mode
        self.lm = lm
        self.max_rounds = max_rounds
        self.samples = samples
        self.temperature = temperature if temperature is not None else (0.0 if samples == 1 else 0.7)
        self.understand = understand
        self.few_shot = few_shot
        self.time_limit = time_limit
        self.prompts = prompts or FormulatePrompts()
        # Seeds select disjoint sample indices, so repeated runs draw fresh (cached) samples.
        self.seed = seed
        self._graph: Any = None

    # -- public API ---------------------------------------------------------------------

    async def arun(self, text: str, *, queried: list[str] | None = None) -> FormulateResult:
        """Solve one word problem; ``queried`` lists the labels to answer (default: objective)."""
        labels = list(queried) if queried else [OBJECTIVE]
        t0 = time.perf_counter()
        first = self.seed * self.samples
        runs = await asyncio.gather(*(self._attempt(text, labels, first + i) for i in range(self.samples)))
        result = _vote(runs) if self.samples > 1 else runs[0]
        result.steps.append({"step": "done", "status": result.status, "seconds": round(time.perf_counter() - t0, 4)})
        return result

    def run(self, text: str, *, queried: list[str] | None = None) -> FormulateResult:
        """Synchronous :meth:`arun` for scripts and notebooks."""
        from optiforge.llm import run_sync

        return run_sync(self.arun(text, queried=queried))

    async def aforward(self, text: Any, *, queried: list[str] | None = None) -> Any:
        """Traced run: returns a graph node whose parents are the prompt Parameters.

        Optimizers call ``node.backward(feedback)`` on it to improve the prompts.
        """
        agent = self

        @bundle(name="formulate_and_solve", description="Formulate the problem with the prompts (system; the modelling "
                "template with {problem}/{queried}; the repair template with {feedback}), solve, verify, repair; return the answers.")
        async def formulate_and_solve(system: Any, template: Any, repair: Any, problem: Any) -> dict[str, Any]:
            res = await agent.arun(problem, queried=queried)
            return {"status": res.status, "answers": res.answers, "error": res.error_message}

        p = self.prompts
        return await formulate_and_solve(p.system, self.template, p.repair, text)

    @property
    def template(self) -> Parameter:
        """The modelling prompt this agent's mode uses."""
        return self.prompts.pyomo if self.mode == "pyomo" else self.prompts.formulate

    @property
    def trainable(self) -> list[Parameter]:
        """The prompts a run depends on (what an optimizer may change)."""
        p = self.prompts
        return [p.system, self.template, p.repair] + ([p.understand] if self.understand else [])

    # -- one sample: the LangGraph graph --------------------------------------------------

    def _compiled(self) -> Any:
        if self._graph is None:
            self._graph = self._build_graph()
        return self._graph

    def _build_graph(self) -> Any:
        from langgraph.graph import END, START, StateGraph

        g = StateGraph(_State)
        g.add_node("understand", self._understand)
        g.add_node("formulate", self._formulate)
        g.add_node("solve", self._solve)
        g.add_node("verify", self._verify)
        g.add_node("extract", self._extract)
        g.add_node("repair", self._repair)
        g.add_conditional_edges(START, lambda s: "understand" if self.understand else "formulate", ["understand", "formulate"])
        g.add_edge("understand", "formulate")
        for node, nxt in (("formulate", "solve"), ("solve", "verify"), ("verify", "extract"), ("extract", END)):
            g.add_conditional_edges(node, self._router(nxt), [nxt, "repair", END])
        g.add_edge("repair", "formulate")
        return g.compile()

    def _router(self, nxt: str):
        from langgraph.graph import END

        def route(state: _State) -> str:
            if not state.get("feedback"):
                return nxt
            return "repair" if state["round"] + 1 < self.max_rounds else END

        return route

    async def _attempt(self, text: str, queried: list[str], sample: int) -> FormulateResult:
        p = self.prompts
        extra = ""
        if self.few_shot:
            from optiforge.agents.formulate._examples import few_shot_block

            extra = few_shot_block(self.few_shot)
        first = fill(self.template.value, problem=text.strip(), queried="\n".join(f"- {q}" for q in queried), extra=extra)
        state: _State = {
            "text": text, "queried": queried, "sample": sample, "round": 0, "feedback": None, "category": None,
            "messages": [{"role": "system", "content": p.system.value}, {"role": "user", "content": first}],
            "parsed": None, "code": None, "result": None, "verified": False, "answers": {}, "steps": [], "usage": {},
        }
        final = await self._compiled().ainvoke(state, {"recursion_limit": 8 * self.max_rounds + 8})
        return _to_result(final)

    # -- nodes ----------------------------------------------------------------------------

    def _params(self, state: _State) -> dict[str, Any]:
        return {"temperature": self.temperature, "sample": state["sample"]}

    async def _understand(self, state: _State) -> dict[str, Any]:
        prompt = fill(self.prompts.understand.value, problem=state["text"].strip())
        msgs = [{"role": "system", "content": self.prompts.system.value}, {"role": "user", "content": prompt}]
        comp = await self.lm.complete(msgs, **self._params(state))
        # The analysis becomes part of the conversation the formulation call sees.
        messages = [*msgs, {"role": "assistant", "content": comp.text}, state["messages"][-1]]
        step = {"step": "understand", "round": state["round"], "response": comp.text, "cache_hit": comp.cache_hit}
        return {"messages": messages, "usage": _add_usage(state["usage"], comp), "steps": [*state["steps"], step]}

    async def _formulate(self, state: _State) -> dict[str, Any]:
        step: dict[str, Any] = {"step": "formulate", "round": state["round"], "request": state["messages"][-1]["content"]}
        if self.mode == "pyomo":
            return await self._write_code(state, step)
        try:
            comp = await self.lm.complete(state["messages"], schema=ModelAnswer, **self._params(state))
        except OutputParseError as exc:
            step.update(error=str(exc), response=exc.raw)
            feedback = f"Your reply could not be used: {exc}"
            messages = [*state["messages"], {"role": "assistant", "content": exc.raw or "(empty reply)"}]
            usage = dict(state["usage"])
            if exc.usage is not None:
                usage = _add_usage(usage, exc, calls=exc.calls)
            return {"parsed": None, "feedback": feedback, "category": "parse", "messages": messages,
                    "usage": usage, "steps": [*state["steps"], step]}
        parsed = comp.parsed
        assert isinstance(parsed, ModelAnswer)
        step.update(response=comp.text, cache_hit=comp.cache_hit, attempts=comp.attempts,
                    formulation=parsed.formulation.model_dump(mode="json", by_alias=True))
        messages = [*state["messages"], {"role": "assistant", "content": comp.text}]
        return {"parsed": parsed, "feedback": None, "category": None, "messages": messages,
                "usage": _add_usage(state["usage"], comp, calls=comp.attempts), "steps": [*state["steps"], step]}

    async def _write_code(self, state: _State, step: dict[str, Any]) -> dict[str, Any]:
        from optiforge.agents.formulate._pyomo_code import extract_code

        comp = await self.lm.complete(state["messages"], **self._params(state))
        messages = [*state["messages"], {"role": "assistant", "content": comp.text}]
        usage = _add_usage(state["usage"], comp)
        code = extract_code(comp.text)
        step.update(response=comp.text, cache_hit=comp.cache_hit, code=code)
        if code is None:
            return {"code": None, "feedback": "Your reply has no ```python block defining build_model() and answers(m).",
                    "category": "parse", "messages": messages, "usage": usage, "steps": [*state["steps"], step]}
        return {"code": code, "feedback": None, "category": None, "messages": messages, "usage": usage,
                "steps": [*state["steps"], step]}

    async def _run_code(self, state: _State) -> dict[str, Any]:
        from optiforge.agents.formulate._pyomo_code import run_code

        assert state["code"] is not None
        res = await run_code(state["code"], time_limit=self.time_limit)
        step = {"step": "solve", "round": state["round"], "status": res.status, "objective": res.objective,
                "solver": "highs (pyomo, sandboxed)", "message": res.message, "stderr": res.stderr[-2000:]}
        if res.status == "infeasible":
            return self._fail(state, step, "The Pyomo model is infeasible. Check each constraint against the text (directions, units, numbers).", "infeasible", result=res)
        if res.status == "unbounded":
            return self._fail(state, step, "The Pyomo model is unbounded: a constraint or bound from the text is missing.", "unbounded", result=res)
        if res.status != "optimal":
            return self._fail(state, step, f"Running your code failed: {res.message}", "code", result=res)
        return {"result": res, "feedback": None, "steps": [*state["steps"], step]}

    async def _solve(self, state: _State) -> dict[str, Any]:
        from optiforge.solvers._solve import solve

        if self.mode == "pyomo":
            return await self._run_code(state)
        parsed = state["parsed"]
        assert parsed is not None
        try:
            # Solving is CPU-bound: keep the event loop free for other cells' LLM calls.
            res = await asyncio.to_thread(solve, parsed.formulation, time_limit=self.time_limit)
        except FormulationError as exc:
            return self._fail(state, {"step": "solve", "error": str(exc)}, f"The model could not be built: {exc}", "validation")
        step = {"step": "solve", "round": state["round"], "status": res.status, "objective": res.objective,
                "solver": res.solver, "model_class": res.model_class, "time_s": res.solve_time_s + res.build_time_s,
                "log": res.log[-4000:]}
        if res.status == "infeasible":
            iis = f" An irreducible infeasible subset of constraints: {', '.join(res.iis)}." if res.iis else ""
            return self._fail(state, step, f"The model is infeasible.{iis} Check those constraints against the text (directions, units, numbers).", "infeasible", result=res)
        if res.status == "unbounded":
            vars_ = f" Variables along an unbounded direction: {', '.join(res.unbounded_vars)}." if res.unbounded_vars else ""
            return self._fail(state, step, f"The model is unbounded.{vars_} A constraint or bound from the text is missing.", "unbounded", result=res)
        if not res.ok:
            return self._fail(state, step, f"The solver failed ({res.status}): {res.message}", "solver", result=res)
        return {"result": res, "feedback": None, "steps": [*state["steps"], step]}

    async def _verify(self, state: _State) -> dict[str, Any]:
        from optiforge.solvers._verify import verify

        if self.mode == "pyomo":
            res = state["result"]
            ok = res.max_violation <= 1e-6
            step = {"step": "verify", "round": state["round"], "ok": ok, "max_violation": res.max_violation, "where": res.violated}
            if not ok:
                return self._fail(state, step, f"The solution violates {res.violated} by {res.max_violation:.3g} (relative) when re-checked.", "verification", result=res)
            return {"verified": True, "feedback": None, "steps": [*state["steps"], step]}
        parsed, res = state["parsed"], state["result"]
        assert parsed is not None and res is not None
        report = await asyncio.to_thread(verify, parsed.formulation, res)
        step = {"step": "verify", "round": state["round"], "ok": report.ok, "message": report.message,
                "max_violation": report.max_violation}
        if not report.ok:
            return self._fail(state, step, f"The solution does not satisfy the model when re-checked: {report.message}", "verification", result=res)
        return {"verified": True, "feedback": None, "steps": [*state["steps"], step]}

    async def _extract(self, state: _State) -> dict[str, Any]:
        from optiforge.solvers._verify import evaluate

        res = state["result"]
        assert res is not None
        if self.mode == "pyomo":
            # The harness already computed answers(m); missing or non-finite ones are None.
            reported = res.answers
            by_norm = {_norm_label(k): v for k, v in reported.items()}

            def lookup(label: str) -> float | str:
                value = reported.get(label, by_norm.get(_norm_label(label)))
                if value is None and label == OBJECTIVE:
                    value = res.objective
                return f"answers(m) gave no finite value for {label!r}" if value is None else float(value)
        else:
            parsed = state["parsed"]
            assert parsed is not None
            by_label = {a.label: a for a in parsed.answers}
            by_norm_def = {_norm_label(a.label): a for a in parsed.answers}

            def lookup(label: str) -> float | str:
                ans = by_label.get(label) or by_norm_def.get(_norm_label(label))
                if ans is None:
                    if label == OBJECTIVE and res.objective is not None:
                        return float(res.objective)  # "the objective" needs no answer expression
                    return f"no answer expression for the requested label {label!r}"
                expr = ans.expression.strip()
                try:
                    value = float(res.objective) if expr == OBJECTIVE else evaluate(parsed.formulation, expr, res)
                except FormulationError as exc:
                    return f"answer {label!r}: {exc}"
                return value if math.isfinite(value) else f"answer {label!r} evaluates to {value}"

        answers: dict[str, float] = {}
        problems: list[str] = []
        for label in state["queried"]:
            got = lookup(label)  # a number, or why there is none
            if isinstance(got, str):
                problems.append(got)
            else:
                answers[label] = got
        if res.objective is not None:
            answers.setdefault(OBJECTIVE, float(res.objective))
        step = {"step": "extract", "round": state["round"], "answers": answers, "problems": problems}
        if problems:
            return self._fail(state, step, "The requested answers could not be read off the solution: " + "; ".join(problems), "answer", result=res)
        return {"answers": answers, "feedback": None, "steps": [*state["steps"], step]}

    async def _repair(self, state: _State) -> dict[str, Any]:
        msg = fill(self.prompts.repair.value, feedback=state["feedback"] or "")
        step = {"step": "repair", "round": state["round"], "category": state["category"], "feedback": state["feedback"]}
        return {"messages": [*state["messages"], {"role": "user", "content": msg}], "round": state["round"] + 1,
                "feedback": None, "parsed": None, "code": None, "result": None, "verified": False, "answers": {},
                "steps": [*state["steps"], step]}

    @staticmethod
    def _fail(state: _State, step: dict[str, Any], feedback: str, category: str, result: Any = None) -> dict[str, Any]:
        step = {**step, "round": state["round"], "feedback": feedback, "category": category}
        return {"feedback": feedback, "category": category, "result": result, "verified": False,
                "steps": [*state["steps"], step]}


def _to_result(state: dict[str, Any]) -> FormulateResult:
    usage = state.get("usage", {})
    res = state.get("result")
    parsed = state.get("parsed")
    common = dict(
        rounds=state.get("round", 0) + 1,
        formulation=parsed.formulation.model_dump(mode="json", by_alias=True) if parsed is not None else None,
        code=state.get("code"),
        solver="highs (pyomo, sandboxed)" if state.get("code") else getattr(res, "solver", None),
        solve_status=getattr(res, "status", None),
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        completion_tokens=int(usage.get("completion_tokens", 0)),
        cost_usd=float(usage.get("cost_usd", 0.0)),
        llm_calls=int(usage.get("calls", 0)),
        steps=state.get("steps", []),
    )
    if state.get("feedback"):
        category = state.get("category")
        status: Status = "infeasible" if category == "infeasible" else "no_answer"
        return FormulateResult(status=status, error_category=category, error_message=state["feedback"], **common)
    return FormulateResult(
        status="answered", answers=state.get("answers", {}), objective=getattr(res, "objective", None),
        verified=bool(state.get("verified")), **common,
    )


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _vote(runs: list[FormulateResult]) -> FormulateResult:
    """Majority vote on the objective among answered samples (ties: earliest sample wins)."""
    groups: list[list[FormulateResult]] = []
    for r in runs:
        if r.status != "answered" or r.objective is None:
            continue
        for g in groups:
            if _same(g[0].objective or 0.0, r.objective):
                g.append(r)
                break
        else:
            groups.append([r])
    if groups:
        best = max(groups, key=len)  # max keeps the first of equal-sized groups
        chosen = best[0].model_copy()
        chosen.votes = len(best)
    else:
        infeasible = [r for r in runs if r.status == "infeasible"]
        chosen = (infeasible[0] if len(infeasible) * 2 > len(runs) else runs[0]).model_copy()
        chosen.votes = len(infeasible) if chosen.status == "infeasible" else 0
    chosen.samples = len(runs)
    chosen.prompt_tokens = sum(r.prompt_tokens for r in runs)
    chosen.completion_tokens = sum(r.completion_tokens for r in runs)
    chosen.cost_usd = sum(r.cost_usd for r in runs)
    chosen.llm_calls = sum(r.llm_calls for r in runs)
    chosen.steps = [{**s, "sample": i} for i, r in enumerate(runs) for s in r.steps]
    return chosen
