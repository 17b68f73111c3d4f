"""The benchmark runner's ``formulate`` method: the formulation agent on one Problem per cell.

Spec modifiers: ``selfcons<K>`` (K samples, majority vote), ``rounds<K>`` (repair bound),
``understand`` (analysis call first), ``fewshot<K>`` (K worked examples), ``pyomo`` (the
model writes Pyomo code, run only inside the sandbox), and an optimizer — ``optoprime``,
``textgrad``/``tgd``, ``opro``, ``evoprompt`` — which first improves the prompts on a training
split with that model, then answers every cell with the trained prompts.

Method settings (``method_settings: {formulate: {...}}`` in a spec): ``time_limit``,
``temperature``, ``prompts`` (a file saved by ``FormulatePrompts.save`` to use as is), and for
training ``train_dataset`` (a data set name or a .json/.jsonl file; default: the cell's data
set), ``train_split`` (``train`` by default — evaluate on ``split: test`` so the two do not
overlap — or ``all``), ``train_limit`` (8),
``train_steps`` (3), ``batch_size`` (4).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from optiforge.agents.formulate._agent import OBJECTIVE, FormulateAgent, FormulatePrompts
from optiforge.errors import ConfigError

OPTIMIZER_MODIFIERS = ("optoprime", "textgrad", "tgd", "opro", "evoprompt")

# Agent failure kinds -> the runner's error categories.
_CATEGORY = {"parse": "parse", "validation": "validation", "infeasible": "infeasible", "unbounded": "unbounded",
             "solver": "solver", "verification": "verification", "answer": "answer", "code": "sandbox"}


def _options(spec: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for mod in spec.modifiers:
        m = re.fullmatch(r"(selfcons|rounds|fewshot)(\d+)", mod)
        if m:
            key = {"selfcons": "samples", "rounds": "max_rounds", "fewshot": "few_shot"}[m.group(1)]
            opts[key] = int(m.group(2))
        elif mod == "understand":
            opts["understand"] = True
        elif mod == "pyomo":
            opts["mode"] = "pyomo"
        elif mod in OPTIMIZER_MODIFIERS:
            if "optimizer" in opts:
                raise ConfigError(f"method formulate takes one optimizer modifier, got {opts['optimizer']!r} and {mod!r}")
            opts["optimizer"] = mod
        else:
            raise ConfigError(f"method formulate does not take modifier {mod!r}; use selfcons<K>, rounds<K>, fewshot<K>, understand, pyomo, or an optimizer ({', '.join(OPTIMIZER_MODIFIERS)})")
    if spec.argument:
        raise ConfigError(f"method formulate takes no argument (got {spec.argument!r})")
    return opts


class FormulateMethod:
    """Runs :class:`FormulateAgent` on a benchmark Problem and reports the queried values."""

    TRAIN_KEYS = ("train_dataset", "train_split", "train_fraction", "train_limit", "train_steps", "batch_size")

    def __init__(self, spec: Any, settings: dict[str, Any]) -> None:
        self.name = spec.text
        opts = _options(spec)
        self.optimizer: str | None = opts.pop("optimizer", None)
        self.options = {**opts, **{k: v for k, v in settings.items() if k in ("time_limit", "temperature")}}
        self.train_settings = {k: settings[k] for k in self.TRAIN_KEYS if k in settings}
        unknown = set(settings) - {"time_limit", "temperature", "prompts", *self.TRAIN_KEYS}
        if unknown:
            raise ConfigError(f"method formulate: unknown setting(s) {', '.join(sorted(unknown))}")
        self.fixed_prompts = Path(settings["prompts"]) if settings.get("prompts") else None
        if self.fixed_prompts is not None and not self.fixed_prompts.is_file():
            raise ConfigError(f"method formulate: prompts file {self.fixed_prompts} does not exist")
        self._trained: dict[str, FormulatePrompts] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def _prompts(self, problem: Any, ctx: Any) -> FormulatePrompts | None:
        if self.fixed_prompts is not None:
            prompts = FormulatePrompts()
            prompts.load(self.fixed_prompts)
            return prompts
        if self.optimizer is None:
            return None
        model = str(getattr(ctx.lm, "model", "model"))
        lock = self._locks.setdefault(model, asyncio.Lock())
        async with lock:  # the first cell of each model trains; the others wait and reuse
            if model not in self._trained:
                self._trained[model] = await self._train(problem, ctx, model)
        return self._trained[model]

    async def _train(self, problem: Any, ctx: Any, model: str) -> FormulatePrompts:
        from optiforge.agents.formulate._train import train_prompts
        from optiforge.bench._data import load_problems
        from optiforge.bench._spec import DatasetSpec
        from optiforge.config import get_settings

        ts = self.train_settings
        name = str(ts.get("train_dataset", problem.dataset))
        path = Path(name) if name.endswith((".json", ".jsonl")) else None
        split = ts.get("train_split", "train")
        ds = DatasetSpec(name=path.stem if path else name, path=path, split=None if split == "all" else split,
                         train_fraction=float(ts.get("train_fraction", 0.5)), limit=int(ts.get("train_limit", 8)))
        _, train, _ = await asyncio.to_thread(load_problems, ds)
        key = json.dumps([self.name, model, [p.id for p in train], self.options, ts], sort_keys=True, default=str)
        folder = get_settings().home / "trained"
        folder.mkdir(parents=True, exist_ok=True)
        stem = hashlib.sha256(key.encode()).hexdigest()[:16]
        done = folder / f"{stem}.prompts.json"
        prompts = FormulatePrompts()
        if done.is_file():  # trained before (e.g. a resumed run): reuse
            prompts.load(done)
            return prompts
        prompts, result = await train_prompts(
            ctx.lm, train, optimizer=self.optimizer or "optoprime", steps=int(ts.get("train_steps", 3)),
            batch_size=int(ts.get("batch_size", 4)), checkpoint=folder / f"{stem}.ckpt.json", agent_options=self.options)
        prompts.save(done)
        ctx.record({"step": "train", "optimizer": self.optimizer, "train_items": [p.id for p in train],
                    "best_score": result.best_score, "steps": result.steps, "stop_reason": result.stop_reason,
                    "prompts_file": str(done)})
        return prompts

    async def run(self, problem: Any, ctx: Any) -> Any:
        from optiforge.bench import CellOutcome

        queried = [g.label for g in problem.gold] or [OBJECTIVE]
        prompts = await self._prompts(problem, ctx)
        agent = FormulateAgent(ctx.lm, seed=ctx.seed, prompts=prompts, **self.options)
        result = await agent.arun(problem.text, queried=queried)
        for step in result.steps:
            ctx.record(step)
        meta = {"rounds": result.rounds, "verified": result.verified, "solver": result.solver,
                "llm_calls": result.llm_calls, "votes": result.votes, "samples": result.samples,
                "formulation": result.formulation, "trained_with": self.optimizer}
        if result.status == "answered":
            return CellOutcome(answers=result.answers, meta=meta)
        if result.status == "infeasible":
            # The agent concluded the problem has no optimal solution; some golds say exactly that.
            return CellOutcome(answers=None, no_solution=True, error_category="infeasible", error_message=result.error_message, meta=meta)
        return CellOutcome(status="no_answer", error_category=_CATEGORY.get(result.error_category or "", "other"),
                           error_message=result.error_message, meta=meta)


def make_method(spec: Any, settings: dict[str, Any]) -> FormulateMethod:
    """Factory registered with the benchmark runner under ``formulate``."""
    return FormulateMethod(spec, settings)
