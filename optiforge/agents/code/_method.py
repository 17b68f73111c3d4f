"""The benchmark runner's ``code-opt`` method: the code-optimization agent on one task per cell.

Spec: ``code-opt[:strategy][+modifier...]`` with strategy ``self-refine`` (default),
``instruction``, ``few-shot``, ``best-of-k``, ``optoprime``, ``textgrad`` or ``opro``, and
modifiers ``rounds<N>``, ``k<N>``, ``fewshot<N>``, ``repeats<N>``, ``instructions`` (time
with callgrind instruction counts instead of CPU time) and ``noprofile``. Settings
(``method_settings: {code-opt: {...}}``): ``measure``, ``repeats``, ``rounds``, ``k``,
``temperature``, ``cpu_s``, ``memory_mb``, ``reference_metrics``.

The cell's ``correct`` is PIE's %OPT criterion (correct and >= 10% faster); its metrics
(speedup, pie_speedup, percentile, eff, eff@k, pass@k, ...) are stored with the row.
Items come from the runner's code data sets (``codeopt-tasks`` and friends).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from optiforge.agents.code._agent import STRATEGIES, CodeOptAgent
from optiforge.errors import ConfigError, InputError

_SETTINGS = ("measure", "repeats", "rounds", "k", "temperature", "cpu_s", "memory_mb", "reference_metrics", "profile")


def _options(spec: Any, settings: dict[str, Any]) -> dict[str, Any]:
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise ConfigError(f"method code-opt: unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(_SETTINGS)}")
    opts: dict[str, Any] = {k: settings[k] for k in ("measure", "repeats", "rounds", "k", "temperature", "reference_metrics", "profile") if k in settings}
    strategy = spec.argument or "self-refine"
    if strategy not in STRATEGIES:
        raise ConfigError(f"method code-opt: unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    opts["strategy"] = strategy
    for mod in spec.modifiers:
        m = re.fullmatch(r"(rounds|k|fewshot|repeats)(\d+)", mod)
        if m:
            opts[{"fewshot": "few_shot"}.get(m.group(1), m.group(1))] = int(m.group(2))
        elif mod == "instructions":
            opts["measure"] = "instructions"
        elif mod == "noprofile":
            opts["profile"] = False
        else:
            raise ConfigError(f"method code-opt does not take modifier {mod!r}; use rounds<N>, k<N>, fewshot<N>, repeats<N>, instructions, noprofile")
    if "cpu_s" in settings or "memory_mb" in settings:
        from optiforge.sandbox import Limits

        opts["limits"] = Limits(cpu_s=float(settings.get("cpu_s", 20)), wall_s=2 * float(settings.get("cpu_s", 20)),
                                memory_mb=int(settings.get("memory_mb", 2048)))
    return opts


class CodeOptMethod:
    """Runs :class:`CodeOptAgent` on a code task and reports its own verdict (%OPT) and metrics."""

    def __init__(self, spec: Any, settings: dict[str, Any]) -> None:
        self.name = spec.text
        self.options = _options(spec, settings)
        CodeOptAgent(None, **self.options)  # validates the options now, not in every cell
        self._files: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}

    def _task(self, problem: Any) -> Any:
        from optiforge.bench._data import load_code_tasks

        meta = problem.metadata or {}
        name = str(meta.get("task", problem.id))
        key = (problem.dataset, meta.get("path"), meta.get("data_dir"))
        if key not in self._files:
            try:
                tasks = load_code_tasks(problem.dataset if problem.dataset.startswith("codeopt-") else "codeopt-tasks", key[1], key[2])
            except ConfigError:
                tasks = []
            self._files[key] = {t.name: t for t in tasks}
        task = self._files[key].get(name)
        if task is None:
            raise InputError(f"code-opt: item {problem.id!r} is not a code task (use --dataset codeopt-tasks)")
        return task

    async def run(self, problem: Any, ctx: Any) -> Any:
        from optiforge.bench import CellOutcome

        task = await asyncio.to_thread(self._task, problem)
        result = await CodeOptAgent(ctx.lm, **self.options).arun(task)
        for step in result.steps:
            ctx.record(step)
        meta = {"strategy": result.strategy, "status": result.status, "measure": result.measure, "rounds": result.rounds,
                "candidates": result.candidates, "program": result.program if result.correct else None}
        metrics = {k: float(v) for k, v in result.metrics.items()}
        opt = bool(result.metrics.get("opt"))
        if result.status == "error":
            return CellOutcome(status="error", error_category="budget" if "budget" in (result.error_message or "") else "other",
                               error_message=result.error_message, meta=meta, metrics=metrics, correct=False)
        if not result.correct:
            last = next((s["summary"] for s in reversed(result.steps) if s.get("step") == "candidate"), "no candidate")
            return CellOutcome(status="no_answer", error_category="verification", error_message=f"no correct candidate; last: {last}",
                               meta=meta, metrics=metrics, correct=False)
        return CellOutcome(answers={"speedup": float(result.speedup or 0.0)}, meta=meta, metrics=metrics, correct=opt)
