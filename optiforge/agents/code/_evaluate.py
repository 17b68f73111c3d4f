"""Judge one candidate program: correctness, speed against the reference and a profile,
all measured inside the sandbox, turned into the feedback text the model reads."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from optiforge.agents.code import _metrics as M

_REF_CACHE: dict[str, dict[str, float]] = {}
_REF_LOCK = threading.Lock()
# CPU-time runs of concurrent cells (the benchmark runner) would slow each other down:
# timed runs in this process take turns. Instruction counts do not depend on load.
_TIMING_LOCK = threading.Lock()


def _timing_turn(measure: str) -> Any:
    return _TIMING_LOCK if measure == "cpu" else contextlib.nullcontext()


@dataclass
class Evaluation:
    """What the sandbox said about one candidate.

    ``status`` is "correct", "wrong" (a test failed, including crashes and limits) or
    "timing_failed" (correct on the tests, but a timed run failed). ``speedup`` is the
    reference's median cost over the candidate's, in ``measure`` units, interleaved.
    """

    program: str
    status: str
    check: str
    speedup: float | None = None
    measure: str = "cpu"
    candidate_cost: float | None = None
    reference_cost: float | None = None
    note: str = ""
    profile: str = ""
    failure_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        """Passed every test and ran cleanly while timed."""
        return self.status == "correct"

    def summary(self) -> str:
        """One line: verdict and speedup."""
        if not self.correct:
            return f"{self.status}: {self.failure_reason or self.check.splitlines()[0]}"
        unit = "CPU seconds" if self.measure == "cpu" else "instructions"
        return f"correct; speedup {self.speedup:.3f}x vs the reference ({self.measure}: {unit})"

    def feedback(self) -> str:
        """The text shown to the model: failures with input/expected/got, or speed and hot spots."""
        if self.status == "wrong":
            return f"The program is INCORRECT.\n{self.check}"
        if self.status == "timing_failed":
            return f"The program passed the tests but failed while being timed on the larger workload: {self.note}"
        unit = "CPU time (user+sys)" if self.measure == "cpu" else "executed instructions (callgrind)"
        cost = ""
        if self.candidate_cost is not None and self.reference_cost is not None:
            fmt = "{:.4f} s" if self.measure == "cpu" else "{:,.0f}"
            cost = f" (candidate {fmt.format(self.candidate_cost)}, reference {fmt.format(self.reference_cost)})"
        text = f"The program is correct ({self.check}). Speedup over the original: {self.speedup:.3f}x measured by {unit}{cost}."
        if self.note:
            text += f"\nNote: {self.note}"
        if self.profile:
            text += f"\nProfile of the hot spots:\n{self.profile}"
        return text


def _trim_callgrind(text: str, top: int) -> str:
    """The program's own hot functions from callgrind_annotate: the dynamic loader's start-up
    and the list of unreadable sources are noise on the small input C++ is profiled on."""
    rows = [line.strip() for line in text.splitlines()
            if "%)" in line and "ld-linux" not in line and "/elf/" not in line and "PROGRAM TOTALS" not in line]
    total = next((line.strip() for line in text.splitlines() if "PROGRAM TOTALS" in line), "")
    return "\n".join([total, *rows[:top]]).strip()


class Evaluator:
    """Checks and times candidates of one task in the sandbox (and caches per program).

    Correctness uses the task's tests plus its performance workload (so a program cannot
    be fast by being wrong on large inputs); speed is ``sandbox.time`` of candidate and
    reference interleaved, ``repeats`` times, in ``measure`` ("cpu" or "instructions").
    CPU-time measurements of all evaluators in a process take turns (a lock), so concurrent
    benchmark cells do not slow each other's timed runs; checks still run concurrently.
    """

    def __init__(self, task: Any, *, measure: str = "cpu", repeats: int = 3, limits: Any = None, profile: bool = True,
                 profile_top: int = 12, isolation: str | None = None) -> None:
        from optiforge.sandbox import Limits

        self.task = task
        self.measure = measure
        self.repeats = repeats
        self.limits = limits or Limits(cpu_s=20, wall_s=40, memory_mb=2048)
        self.with_profile = profile
        self.profile_top = profile_top
        self.isolation = isolation
        self._cache: dict[str, Evaluation] = {}
        self._lock = threading.Lock()

    def _common(self) -> dict[str, Any]:
        return {"language": self.task.language, "entry_point": self.task.entry_point, "limits": self.limits, "isolation": self.isolation}

    def check_tests(self) -> list[Any]:
        """Tests that decide correctness: the task's tests, then its performance workload."""
        return [*self.task.tests, *[t for t in self.task.perf_tests if t not in self.task.tests]]

    def evaluate(self, program: str, *, profile: bool | None = None) -> Evaluation:
        """Check, time and (if correct and asked) profile ``program``; cached by source."""
        key = hashlib.sha256(program.encode()).hexdigest()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        ev = self._evaluate(program, self.with_profile if profile is None else profile)
        with self._lock:
            self._cache[key] = ev
        return ev

    async def aevaluate(self, program: str, *, profile: bool | None = None) -> Evaluation:
        """:meth:`evaluate` in a worker thread."""
        return await asyncio.to_thread(functools.partial(self.evaluate, program, profile=profile))

    def _evaluate(self, program: str, with_profile: bool) -> Evaluation:
        from optiforge.sandbox import check, time

        common = self._common()
        checked = check(program, self.check_tests(), reference=self.task.reference if self.task.kind == "function" else None, **common)
        if not checked.correct:
            reason = checked.failure.reason if checked.failure else "failed"
            return Evaluation(program, "wrong", checked.feedback(), measure=self.measure, failure_reason=reason)
        with _timing_turn(self.measure):
            timing = time(program, self.task.reference, tests=self.task.workload, repeats=self.repeats, measure=self.measure, **common)  # type: ignore[arg-type]
        if timing.failed is not None or timing.speedup is None:
            why = timing.failed.summary() if timing.failed is not None else "no measurement"
            return Evaluation(program, "timing_failed", checked.feedback(), measure=timing.measure, note=f"{timing.note} {why}".strip(), failure_reason=why)
        prof = self.profile(program) if with_profile else ""
        return Evaluation(program, "correct", checked.feedback(), timing.speedup, timing.measure, timing.candidate.median,
                          timing.reference.median if timing.reference else None, timing.note, prof)

    def profile(self, program: str) -> str:
        """A hot-spot summary of one run (Python: cProfile on the workload; C++: callgrind on the
        last small test, since callgrind runs ~50x slower)."""
        from optiforge.sandbox import StdioTest, profile

        common = self._common()
        common.pop("entry_point")
        try:
            if self.task.kind == "function":
                return profile(program, tests=self.task.workload, entry_point=self.task.entry_point, top=self.profile_top, **common)
            if self.task.language == "python":
                tests = self.task.workload
            else:
                small = [t for t in self.task.tests if isinstance(t, StdioTest)]
                tests = [max(small, key=lambda t: len(t.input))] if small else []
            stdin = tests[0].input if tests and isinstance(tests[0], StdioTest) else None
            text = profile(program, stdin=stdin, top=self.profile_top, **common)
            return text if self.task.language == "python" else _trim_callgrind(text, self.profile_top)
        except Exception as exc:  # a profile is a hint; its failure must not fail the candidate
            return f"(no profile: {type(exc).__name__}: {exc})"

    def reference_speedups(self) -> dict[str, float]:
        """Speedup of each shipped reference solution over the slow reference (the reference is 1.0).

        Measured once per task, measure and repeats, and cached for the process: every
        solution is timed interleaved with the slow reference, like candidates are.
        """
        from optiforge.sandbox import time

        key = hashlib.sha256(repr((self.task.name, self.task.reference, sorted(self.task.solutions.items()), self.measure, self.repeats)).encode()).hexdigest()
        with _REF_LOCK:
            if key in _REF_CACHE:
                return dict(_REF_CACHE[key])
        out = {"reference": 1.0}
        for label, source in self.task.solutions.items():
            with _timing_turn(self.measure):
                t = time(source, self.task.reference, tests=self.task.workload, repeats=self.repeats, measure=self.measure, **self._common())  # type: ignore[arg-type]
            if t.speedup is not None:
                out[label] = t.speedup
        with _REF_LOCK:
            _REF_CACHE[key] = out
        return dict(out)

    def metrics(self, best: Evaluation | None, samples: list[Evaluation], *, k: int | None = None) -> dict[str, float]:
        """The papers' metrics for this task: PIE opt/speedup, percentile, ENAMEL eff and eff@k, pass@k."""
        correct = best is not None and best.correct
        speedup = best.speedup if correct and best is not None else None
        out: dict[str, float] = {
            "opt": float(M.is_opt(correct, speedup)),
            "pie_speedup": M.pie_speedup(correct, speedup),
            "correct": float(correct),
            "candidates": float(len(samples)),
            "candidates_correct_pct": M.correctness_rate([s.correct for s in samples]),
        }
        if speedup is not None:
            out["speedup"] = speedup
        refs = self.reference_speedups() if self.task.solutions else {"reference": 1.0}
        expert = max(refs.values())
        out["percentile"] = M.percentile(speedup, list(refs.values()), correct=correct)
        out["eff"] = M.eff(speedup, expert, correct=correct)
        out["expert_speedup"] = expert
        if samples:
            effs = [M.eff(s.speedup, expert, correct=s.correct) for s in samples]
            n, c = len(samples), sum(s.correct for s in samples)
            for kk in sorted({1, k or 1, n}):
                if kk <= n:
                    out[f"eff@{kk}"] = M.eff_at_k(effs, kk)
                    out[f"pass@{kk}"] = M.pass_at_k(n, c, kk)
        return out
