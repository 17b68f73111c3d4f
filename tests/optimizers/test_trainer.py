"""Trainer: minibatches, validation selection, early stopping, beam search, resume after a crash."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from optiforge.errors import BudgetExceeded
from optiforge.graph import Parameter, bundle
from optiforge.llm import ScriptedLM
from optiforge.optimizers import OptoPrime, Trainer

TRAIN = [{"q": f"q{i}", "word": w} for i, w in enumerate(["alpha", "beta", "gamma", "delta", "eps", "zeta"])]
VAL = [{"q": "v1", "word": "alpha"}, {"q": "v2", "word": "beta"}]


@bundle
def respond(prompt, question):
    """Answer the question following the prompt."""
    return f"{prompt} :: {question}"


class Crash(RuntimeError):
    """Stands in for the process dying mid-step."""


def forward_with(prompt):
    return lambda ex: respond(prompt, ex["q"])


def feedback(ex, output):
    ok = ex["word"] in output
    return (1.0 if ok else 0.0), ("correct" if ok else f"the answer must mention {ex['word']}")


def current_value(messages) -> str:
    return re.search(r"\(text\) prompt = (.*)", messages[1]["content"]).group(1)


def deterministic_reply(messages):
    """A new value that depends only on the prompt, so reruns ask and answer identically."""
    digest = hashlib.sha256(messages[1]["content"].encode()).hexdigest()[:4]
    words = re.findall(r"must mention (\w+)", messages[1]["content"])
    new = current_value(messages) + " " + (words[0] if words else digest)
    return json.dumps({"reasoning": digest, "suggestion": {"prompt": new}})


def make(checkpoint=None, max_steps=None, kill_after=None, **kw):
    prompt = Parameter("Answer:", name="prompt")
    lm = ScriptedLM(rules=[(lambda m: True, deterministic_reply)])
    opt = OptoPrime([prompt], lm, memory_size=2)
    forward = forward_with(prompt)
    if kill_after is not None:
        calls = {"n": 0}
        plain = forward

        def forward(ex):
            calls["n"] += 1
            if calls["n"] > kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return plain(ex)

    trainer = Trainer(opt, forward, feedback, TRAIN, val=VAL, batch_size=2,
                      epochs=2, max_steps=max_steps, checkpoint=checkpoint, seed=3, **kw)
    return prompt, lm, trainer


def test_minibatch_loop_selects_best_on_validation(tmp_path):
    prompt, lm, trainer = make()
    result = trainer.run_sync()
    assert result.steps == 6  # 6 examples / batch 2 * 2 epochs
    assert len(lm.calls) == 6
    assert result.best_score == 1.0
    assert "alpha" in result.best_values["prompt"] and "beta" in result.best_values["prompt"]
    assert prompt.value == result.best_values["prompt"]
    assert all(r["calls"] == 1 for r in result.history)


def test_resume_after_crash_gives_same_next_step(tmp_path):
    prompt_full, lm_full, full = make(tmp_path / "full.json", max_steps=3)
    full_result = full.run_sync()

    crashing_prompt = Parameter("Answer:", name="prompt")
    calls = {"n": 0}

    def crash_on_third_step(ex):
        calls["n"] += 1
        # initial validation (2) + 2 steps x (batch 2 + validation 2) + step 3's batch (2):
        # the process dies after step 3's model call, before its checkpoint
        if calls["n"] > 2 + 2 * 4 + 2:
            raise Crash
        return respond(crashing_prompt, ex["q"])

    lm_a = ScriptedLM(rules=[(lambda m: True, deterministic_reply)])
    a = Trainer(OptoPrime([crashing_prompt], lm_a, memory_size=2), crash_on_third_step, feedback,
                TRAIN, val=VAL, batch_size=2, epochs=2, max_steps=3,
                checkpoint=tmp_path / "ck.json", seed=3)
    with pytest.raises(Crash):
        a.run_sync()
    assert json.loads((tmp_path / "ck.json").read_text())["trainer"]["step"] == 2

    prompt_b, lm_b, b = make(tmp_path / "ck.json", max_steps=3)
    result = b.run_sync()
    assert result.steps == 3
    assert len(lm_b.calls) == 1
    assert lm_b.calls[0] == lm_full.calls[2]
    assert prompt_b.value == prompt_full.value
    assert result.history == full_result.history
    assert lm_a.calls == lm_full.calls  # the killed run had got as far as step 3's call


def test_early_stopping_with_patience():
    prompt = Parameter("Answer:", name="prompt")
    lm = ScriptedLM(rules=[(lambda m: True, json.dumps({"suggestion": {}}))])
    trainer = Trainer(OptoPrime([prompt], lm), forward_with(prompt), feedback, TRAIN, val=VAL,
                      batch_size=1, patience=2)
    result = trainer.run_sync()
    assert result.stopped_early and result.steps == 2


def test_beam_search_keeps_best_candidate():
    prompt = Parameter("Answer:", name="prompt")

    replies = iter([json.dumps({"suggestion": {"prompt": "worse"}}),
                    json.dumps({"suggestion": {"prompt": "Answer: alpha beta"}}),
                    json.dumps({"suggestion": {"prompt": "Answer: alpha"}})])
    lm = ScriptedLM(rules=[(lambda m: True, lambda m: next(replies))])
    trainer = Trainer(OptoPrime([prompt], lm), forward_with(prompt), feedback, TRAIN[:2],
                      val=VAL, batch_size=2, beam_width=3)
    result = trainer.run_sync()
    assert len(lm.calls) == 3
    assert result.history[0]["calls"] == 3
    assert prompt.value == "Answer: alpha beta" and result.best_score == 1.0


def test_exception_outputs_feed_their_error_back():
    prompt = Parameter("Answer:", name="prompt")

    @bundle
    def fragile(p, question):
        """Fails on one question."""
        if question == "q1":
            raise ValueError("cannot parse the model output")
        return f"{p} {question}"

    lm = ScriptedLM(rules=[(lambda m: True, json.dumps({"suggestion": {}}))])
    trainer = Trainer(OptoPrime([prompt], lm), lambda ex: fragile(prompt, ex["q"]),
                      lambda ex, out: (0.0, "scored"), TRAIN[:2], batch_size=2)
    trainer.run_sync()
    user = lm.calls[0][1]["content"]
    assert "ValueError: cannot parse the model output\nscored" in user


KILLED_RUN = """
import sys
sys.path.insert(0, sys.argv[1])
from test_trainer import make
# dies (SIGKILL) during step 3's validation, after its model call, before its checkpoint
_, lm, trainer = make(sys.argv[2], max_steps=3, kill_after=2 + 2 * 4 + 2)
trainer.run_sync()
"""


def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path):
    prompt_full, lm_full, full = make(tmp_path / "full.json", max_steps=3)
    full_result = full.run_sync()
    ck = tmp_path / "killed.json"
    proc = subprocess.run([sys.executable, "-c", KILLED_RUN, str(Path(__file__).parent), str(ck)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert json.loads(ck.read_text())["trainer"]["step"] == 2
    prompt, lm, resumed = make(ck, max_steps=3)
    result = resumed.run_sync()
    assert lm.calls == lm_full.calls[2:]
    assert prompt.value == prompt_full.value
    assert result.history == full_result.history


def test_spent_budget_ends_the_run_cleanly(tmp_path):
    prompt = Parameter("Answer:", name="prompt")
    lm = ScriptedLM([json.dumps({"suggestion": {"prompt": "Answer: alpha beta"}}),
                     BudgetExceeded("budget of $0.01 spent")])
    trainer = Trainer(OptoPrime([prompt], lm), forward_with(prompt), feedback, TRAIN, val=VAL,
                      batch_size=2, checkpoint=tmp_path / "ck.json")
    result = trainer.run_sync()
    assert result.stop_reason == "budget" and result.steps == 1
    assert prompt.value == "Answer: alpha beta" and result.best_score == 1.0
    assert json.loads((tmp_path / "ck.json").read_text())["trainer"]["step"] == 1


def test_beam_keeps_width_states_across_steps(tmp_path):
    prompt = Parameter("Answer:", name="prompt")
    queue = ["Answer: alpha", "worse",  # step 1, from the start state
             "Answer: alpha beta", "x",  # step 2, from the best member ("Answer: alpha")
             "y", "z"]  # step 2, from the second member ("Answer:")
    lm = ScriptedLM(rules=[(lambda m: True,
                            lambda m: json.dumps({"suggestion": {"prompt": queue.pop(0)}}))])
    trainer = Trainer(OptoPrime([prompt], lm, memory_size=1), forward_with(prompt), feedback,
                      TRAIN[:4], val=VAL, batch_size=2, beam_width=2, checkpoint=tmp_path / "ck.json")
    result = trainer.run_sync()
    assert [r["calls"] for r in result.history] == [2, 4]
    beam = json.loads((tmp_path / "ck.json").read_text())["trainer"]["beam"]
    assert [(m["state"]["values"]["prompt"], m["score"]) for m in beam] == [
        ("Answer: alpha beta", 1.0), ("Answer: alpha", 0.5)]
    assert prompt.value == "Answer: alpha beta" and result.best_score == 1.0
    # each member carries its own memory: the child remembers its parent's step, the start state nothing
    assert '#History\n1. values: {"prompt": "Answer:"}' in lm.calls[2][1]["content"]
    assert "#History" not in lm.calls[4][1]["content"]
