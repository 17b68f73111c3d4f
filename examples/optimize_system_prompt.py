"""Optimize a classifier's system prompt over a small labelled set.

The workflow is one traced LLM call: ``classify(system_prompt, text)``. The Trainer
runs minibatches, turns wrong labels into feedback, lets the optimizer rewrite the
prompt, and keeps the prompt that scores best on the validation split.

    python examples/optimize_system_prompt.py                       # offline (ScriptedLM)
    python examples/optimize_system_prompt.py --model openai/gpt-4o-mini
    python examples/optimize_system_prompt.py --model openai/qwen --api-base http://localhost:8000/v1
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import add_model_flags, make_optimizer, real_lm, scripted_optimizer

from optiforge.graph import Parameter, bundle
from optiforge.optimizers import Trainer

DATA = [
    ("The battery lasts all day and charging is quick.", "positive"),
    ("It broke after two days; support never answered.", "negative"),
    ("Exactly as described, would buy again.", "positive"),
    ("The screen flickers and the speaker crackles.", "negative"),
    ("Setup took a minute and it just works.", "positive"),
    ("Refund took six weeks. Avoid.", "negative"),
    ("Lovely colours and a sturdy build.", "positive"),
    ("Arrived scratched and missing the cable.", "negative"),
]
LABELS = ("positive", "negative")
BETTER_PROMPT = "Classify the sentiment of the review. Reply with exactly one word: positive or negative."


def offline_task_model():
    """A stand-in for the task model: it only keeps to one-word labels when told to."""
    from optiforge.llm import ScriptedLM

    def reply(messages):
        system, review = messages[0]["content"], messages[1]["content"]
        label = "negative" if any(w in review.lower() for w in ("broke", "flicker", "refund", "scratched")) else "positive"
        return label if "one word" in system else f"I think the review sounds {label} overall."

    return ScriptedLM(rules=[(lambda m: True, reply)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_flags(ap, "optoprime")
    ap.add_argument("--checkpoint", help="checkpoint file: a killed run resumes from it")
    args = ap.parse_args(argv)

    if args.model:
        task_lm = optimizer_lm = real_lm(args)
    else:
        task_lm = offline_task_model()
        optimizer_lm = scripted_optimizer(lambda prompt, i: {"system_prompt": BETTER_PROMPT})

    system_prompt = Parameter(
        "You are a helpful assistant. Tell me what you think about the review.",
        name="system_prompt", description="system prompt of the sentiment classifier",
        constraint=lambda v: "must not be empty" if not v.strip() else None)

    @bundle
    async def classify(system_prompt: str, review: str) -> str:
        """Ask the task model for the sentiment label of a review, under the system prompt."""
        reply = await task_lm.complete([{"role": "system", "content": system_prompt},
                                        {"role": "user", "content": review}])
        return reply.text.strip()

    def feedback(example, output):
        _, label = example
        answer = str(output).strip().lower().rstrip(".")
        if answer == label:
            return 1.0, "correct"
        if answer in LABELS:
            return 0.0, f"wrong label: expected {label}, got {answer}"
        return 0.0, f"expected exactly the label '{label}', got a sentence: {output!r}"

    optimizer = make_optimizer(args.optimizer, [system_prompt], optimizer_lm,
                               "Maximise exact-match accuracy of the label.")
    trainer = Trainer(optimizer, lambda ex: classify(system_prompt, ex[0]), feedback,
                      DATA[:4], val=DATA[4:], batch_size=2, max_steps=args.steps,
                      patience=2, checkpoint=args.checkpoint)
    before = trainer.evaluate_sync(DATA[4:])
    result = trainer.run_sync()
    print(f"validation accuracy: {before:.2f} -> {result.best_score:.2f} after {result.steps} step(s)")
    print(f"best system prompt: {system_prompt.value}")
    rejected = [e for e in optimizer.events if e.kind == "rejected"]
    print(f"optimizer events: {len(optimizer.events)} ({len(rejected)} with rejected suggestions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
