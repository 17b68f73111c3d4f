"""Improve the formulation agent's prompts on training problems with a graph optimizer.

``train_prompts`` runs the agent traced (its prompts are Parameters), scores each answer
with the benchmark's own rule, feeds the verdict back, and lets OptoPrime / TextGrad / OPRO /
EvoPrompt propose new prompts; the Trainer keeps the best prompts and checkpoints every step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optiforge.agents.formulate._agent import OBJECTIVE, FormulateAgent, FormulatePrompts


def feedback_for(problem: Any, value: Any) -> tuple[float, str]:
    """(score, text) for one traced run: 1.0 when the benchmark's rule accepts the answers."""
    from optiforge.datasets import check

    if not isinstance(value, dict):
        return 0.0, f"The run failed: {value}"
    answers = value.get("answers") or {}
    expected = ", ".join(f"{g.label} = {g.value:g}" for g in problem.gold)
    if value.get("status") != "answered":
        return 0.0, f"No answer for problem {problem.id} ({value.get('status')}): {value.get('error')}. Expected: {expected}."
    verdict = check(problem.rule, answers, list(problem.gold))
    got = ", ".join(f"{k} = {v:g}" for k, v in answers.items() if k != OBJECTIVE)
    if verdict.correct:
        return 1.0, f"Correct on problem {problem.id}: {got}."
    return 0.0, f"Wrong on problem {problem.id}: got {got}; expected {expected}."


async def train_prompts(
    lm: Any,
    train: list[Any],
    *,
    optimizer: str = "optoprime",
    val: list[Any] | None = None,
    steps: int = 3,
    batch_size: int = 4,
    checkpoint: str | Path | None = None,
    agent_options: dict[str, Any] | None = None,
) -> tuple[FormulatePrompts, Any]:
    """Optimize the agent's prompts on ``train`` problems; returns (best prompts, TrainResult)."""
    from optiforge.optimizers import Trainer, create

    prompts = FormulatePrompts()
    options = dict(agent_options or {})
    options.pop("samples", None)  # training scores single samples
    probe = FormulateAgent(lm, prompts=prompts, **options)
    opt = create(optimizer, probe.trainable, lm,
                 objective="Maximise the share of problems whose answers the benchmark accepts.")

    async def forward(problem: Any) -> Any:
        agent = FormulateAgent(lm, prompts=prompts, **options)
        return await agent.aforward(problem.text, queried=[g.label for g in problem.gold] or None)

    trainer = Trainer(opt, forward, feedback_for, train, val=val, batch_size=batch_size, max_steps=steps,
                      checkpoint=checkpoint)
    result = await trainer.run()
    return prompts, result
