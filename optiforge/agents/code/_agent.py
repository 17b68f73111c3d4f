"""The code-optimization agent: ask a model for a faster program, judge it in the sandbox,
feed the verdict back, keep the best correct candidate.

Strategies: ``instruction`` (one shot), ``few-shot`` (one shot after slow -> fast example
pairs), ``self-refine`` (bounded rounds with execution feedback: failing input, speedup,
profile), ``best-of-k`` (k samples, the fastest correct wins), and any graph optimizer
(``optoprime``, ``textgrad``, ``opro``) over the program as a ``Parameter``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from optiforge.agents.code import _prompts as P
from optiforge.agents.code._evaluate import Evaluation, Evaluator
from optiforge.agents.code._result import CodeOptResult, Status
from optiforge.errors import BudgetExceeded, ConfigError, InputError
from optiforge.llm import MeteredLM

PROMPT_STRATEGIES = ("instruction", "few-shot", "self-refine", "best-of-k")
OPTIMIZER_STRATEGIES = ("optoprime", "textgrad", "tgd", "opro")
STRATEGIES = PROMPT_STRATEGIES + OPTIMIZER_STRATEGIES


def _has_main(value: str) -> str | None:
    """C++ source with a main function."""
    return None if "main" in value else "a C++ program needs a main function"


def _as_task(task: Any) -> Any:
    if isinstance(task, str):
        from optiforge.sandbox import load_task

        return load_task(task)
    for attr in ("name", "language", "kind", "reference", "tests"):
        if not hasattr(task, attr):
            raise InputError(f"a code task needs a {attr!r} (use optiforge.sandbox.load_task or Task(...))")
    if not task.tests:
        raise InputError(f"task {task.name!r} has no tests: a faster program cannot be judged correct without them")
    return task


class CodeOptAgent:
    """Makes one task's program faster with ``lm``; every candidate runs only in the sandbox.

    ``rounds`` bounds self-refine rounds and optimizer steps; ``k`` is the sample count of
    best-of-k; ``measure`` is "cpu" (CPU time, median of ``repeats`` interleaved runs) or
    "instructions" (callgrind counts, load-independent, ~50x slower); ``limits`` are the
    sandbox limits of every run; ``few_shot`` example pairs go into the first prompt (2 for
    the ``few-shot`` strategy unless given); ``profile`` adds hot spots to the feedback;
    ``reference_metrics`` also times the task's reference solutions for the percentile and
    ENAMEL eff metrics. ``temperature`` defaults to 0, or 0.7 for best-of-k.
    """

    def __init__(self, lm: Any, *, strategy: str = "self-refine", rounds: int = 3, k: int = 4, measure: str = "cpu",
                 repeats: int | None = None, limits: Any = None, few_shot: int | None = None, profile: bool = True,
                 reference_metrics: bool = True, temperature: float | None = None, isolation: str | None = None) -> None:
        if strategy not in STRATEGIES:
            raise ConfigError(f"unknown code-opt strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
        if rounds < 1 or k < 1:
            raise ConfigError("rounds and k must be >= 1")
        if measure not in ("cpu", "instructions"):
            raise ConfigError(f"unknown measure {measure!r}; use cpu or instructions")
        self.lm = lm
        self.strategy = strategy
        self.rounds = rounds
        self.k = k
        self.measure = measure
        self.repeats = repeats if repeats is not None else (1 if measure == "instructions" else 5)
        self.limits = limits
        self.few_shot = few_shot if few_shot is not None else (2 if strategy == "few-shot" else 0)
        self.profile = profile
        self.reference_metrics = reference_metrics
        self.temperature = temperature if temperature is not None else (0.7 if strategy == "best-of-k" else None)
        self.isolation = isolation

    def run(self, task: Any) -> CodeOptResult:
        """Synchronous :meth:`arun`."""
        from optiforge.llm import run_sync

        return run_sync(self.arun(task))  # type: ignore[no-any-return]

    async def arun(self, task: Any) -> CodeOptResult:
        """Optimize ``task`` (a sandbox ``Task`` or a shipped task's name)."""
        task = _as_task(task)
        meter = MeteredLM(self.lm)
        ev = Evaluator(task, measure=self.measure, repeats=self.repeats, limits=self.limits, profile=self.profile, isolation=self.isolation)
        run = _Run(self, task, meter, ev)
        error: str | None = None
        try:
            if self.strategy in OPTIMIZER_STRATEGIES:
                await run.optimizer()
            elif self.strategy == "best-of-k":
                await run.best_of_k()
            else:
                await run.refine(self.rounds if self.strategy == "self-refine" else 1)
        except BudgetExceeded as exc:
            error = f"budget spent: {exc}"
        return await run.result(error)


class _Run:
    """The state of one agent run: candidates so far and the best correct one."""

    def __init__(self, agent: CodeOptAgent, task: Any, meter: MeteredLM, ev: Evaluator) -> None:
        self.agent, self.task, self.lm, self.ev = agent, task, meter, ev
        self.samples: list[Evaluation] = []
        self.steps: list[dict[str, Any]] = []
        self.rounds = 0
        self.fence = P.fence(task.language)

    @property
    def best(self) -> Evaluation | None:
        good = [s for s in self.samples if s.correct and s.speedup is not None]
        return max(good, key=lambda s: s.speedup or 0.0) if good else None

    async def ask(self, messages: list[dict[str, str]], sample: int = 0) -> str:
        params: dict[str, Any] = {}
        if self.agent.temperature is not None:
            params["temperature"] = self.agent.temperature
        comp = await self.lm.complete(messages, sample=sample, **params)
        return str(comp.text)

    async def judge(self, program: str | None, round_: int, *, reply: str = "") -> Evaluation:
        if program is None:
            e = Evaluation("", "wrong", P.NO_CODE.format(fence=self.fence), measure=self.agent.measure, failure_reason="no code block in the reply")
        else:
            e = await self.ev.aevaluate(program)
        self.samples.append(e)
        self.steps.append({"step": "candidate", "round": round_, "status": e.status, "speedup": e.speedup, "measure": e.measure,
                           "summary": e.summary(), "feedback": e.feedback()[:4000], "program": program, "reply": reply[:8000]})
        return e

    async def first_message(self) -> str:
        prof = await asyncio.to_thread(self.ev.profile, self.task.reference) if self.agent.profile else ""
        return P.task_message(self.task, self.task.reference, profile=prof, few_shot=self.agent.few_shot)

    async def refine(self, rounds: int) -> None:
        system = {"role": "system", "content": P.SYSTEM.format(fence=self.fence)}
        first = {"role": "user", "content": await self.first_message()}
        history: list[dict[str, str]] = []
        for r in range(1, rounds + 1):
            self.rounds = r
            reply = await self.ask([system, first, *history[-4:]])
            e = await self.judge(P.extract_code(reply, self.task.language), r, reply=reply)
            if r == rounds:
                break
            best = self.best
            best_line = P.BEST.format(speedup=best.speedup) if best is not None and best.speedup is not None else ""
            text = P.NO_CODE.format(fence=self.fence) if not e.program else P.REFINE.format(feedback=e.feedback(), best=best_line, fence=self.fence)
            history += [{"role": "assistant", "content": reply}, {"role": "user", "content": text}]

    async def best_of_k(self) -> None:
        system = {"role": "system", "content": P.SYSTEM.format(fence=self.fence)}
        first = {"role": "user", "content": await self.first_message()}
        self.rounds = 1
        replies = await asyncio.gather(*(self.ask([system, first], sample=i) for i in range(self.agent.k)))
        # Judged one after another: overlapping timed runs would disturb each other's CPU time.
        for i, reply in enumerate(replies):
            await self.judge(P.extract_code(reply, self.task.language), 1, reply=reply)
            self.steps[-1]["sample"] = i

    async def optimizer(self) -> None:
        from optiforge.graph import CodeSpec, Parameter, bundle
        from optiforge.optimizers import create

        task = self.task
        constraint: Any = None
        kind = "code"
        if task.language != "python":
            # A C++ program is text to the graph: the code kind checks Python syntax.
            kind, constraint = "text", _has_main
        elif task.kind == "function" and task.entry_point:
            constraint = CodeSpec(task.entry_point)
        program = Parameter(task.reference, kind, name="program", constraint=constraint,  # type: ignore[arg-type]
                            description=f"The complete {task.language} program for task {task.name}. {P.IO.get(task.kind, '').format(entry_point=task.entry_point)}")
        objective = P.OBJECTIVE.format(name=task.name, statement=task.statement.strip())
        opt = create(self.agent.strategy, [program], self.lm, objective=objective)
        ev = self.ev

        async def run_in_sandbox(source: str) -> str:
            """Check the program against the task's tests and time it against the original, in the sandbox."""
            return (await ev.aevaluate(source)).summary()

        traced: Any = bundle(name="run_in_sandbox")(run_in_sandbox)
        seen = {task.reference}
        for step in range(1, self.agent.rounds + 1):
            self.rounds = step
            out = await traced(program)
            current = await ev.aevaluate(program.value)
            out.backward(current.feedback(), score=(current.speedup or 0.0) if current.correct else 0.0)
            proposal = await opt.step()
            self.steps.append({"step": "optimizer", "round": step, "optimizer": self.agent.strategy, "calls": proposal.calls,
                               "updated": sorted(proposal.updates), "rejected": [r.reason for r in proposal.rejected]})
            if program.value not in seen:
                seen.add(program.value)
                await self.judge(program.value, step, reply=(proposal.responses[-1] if proposal.responses else ""))

    async def result(self, error: str | None) -> CodeOptResult:
        best = self.best
        metrics: dict[str, float] = {}
        if self.agent.reference_metrics or not self.task.solutions:
            metrics = await asyncio.to_thread(self.ev.metrics, best, self.samples, k=self.agent.k if self.agent.strategy == "best-of-k" else None)
        else:
            saved = self.task.solutions
            self.task.solutions = {}
            try:
                metrics = await asyncio.to_thread(self.ev.metrics, best, self.samples)
            finally:
                self.task.solutions = saved
        status: Status
        if best is not None:
            status = "improved" if metrics.get("opt") else "correct"
        else:
            status = "error" if error and not self.samples else "no_correct"
        note = next((s.note for s in self.samples if s.correct and s.note), "")
        return CodeOptResult(
            task=self.task.name, language=self.task.language, strategy=self.agent.strategy, status=status,
            program=best.program if best is not None else self.task.reference, original=self.task.reference,
            correct=best is not None, speedup=best.speedup if best is not None else None,
            measure=best.measure if best is not None else self.agent.measure, measure_note=note, metrics=metrics,
            rounds=self.rounds, candidates=len(self.samples), llm_calls=self.lm.calls, prompt_tokens=self.lm.prompt_tokens,
            completion_tokens=self.lm.completion_tokens, cost_usd=self.lm.cost_usd, error_message=error, steps=self.steps)
