"""Regenerate ``replay.jsonl`` from ``responses.json`` by running the demo grid on a ScriptedLM.

Run after changing the formulation agent's prompts: ``python -m optiforge.demo.make_replay``.
Replay keys cover the exact messages, so a prompt change needs a new record file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from optiforge.demo import DATASET, ITEMS, METHODS, REPLAY, REPLAY_MODEL, RESPONSES


def main() -> int:
    from optiforge.bench import build_spec, run_experiment
    from optiforge.datasets import load
    from optiforge.llm import ScriptedLM

    items = {str(r["index"]): r for r in json.loads(RESPONSES.read_text())["items"]}
    problems = list(load(DATASET, ids=ITEMS))
    rules: list = []
    for p in problems:
        item = items[p.id.split("/")[-1]]
        # A Pyomo-mode conversation opens with a prompt asking for build_model(); match it first
        # (repairs included: their last message holds neither the problem nor that prompt).
        rules.append((lambda msgs, t=p.text: len(msgs) > 1 and t in msgs[1]["content"] and "build_model()" in msgs[1]["content"],
                      list(item["pyomo_replies"])))
        rules.append((p.text, list(item["replies"])))
    tmp = Path(tempfile.mkdtemp())
    record = tmp / "replay.jsonl"

    def lm_factory(model, *, ledger, cache, concurrency):
        return ScriptedLM(rules=rules, model=REPLAY_MODEL, ledger=ledger, record=record)

    spec = build_spec({"datasets": [{"name": DATASET, "ids": ITEMS}], "methods": METHODS, "models": [REPLAY_MODEL],
                       "seeds": [0], "store": str(tmp / "store.sqlite"), "concurrency": 1, "cache": False})
    summary = run_experiment(spec, lm_factory=lm_factory)
    lines = sorted(record.read_text().splitlines())  # stable order: diffs stay readable
    REPLAY.write_text("\n".join(lines) + "\n")
    print(f"wrote {REPLAY} ({len(lines)} calls); {summary.correct}/{summary.total} correct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
