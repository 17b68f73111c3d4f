"""Regenerate ``replay.jsonl`` from ``responses.json`` by running the demo grid on a ScriptedLM.

Run after changing the formulation agent's prompts: ``python -m optiforge.demo.make_replay``.
Replay keys cover the exact messages, so a prompt change needs a new record file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from optiforge.demo import DATASET, ITEMS, METHOD, REPLAY, REPLAY_MODEL, RESPONSES


def main() -> int:
    from optiforge.bench import build_spec, run_experiment
    from optiforge.datasets import load
    from optiforge.llm import ScriptedLM

    replies = {str(r["index"]): r["replies"] for r in json.loads(RESPONSES.read_text())["items"]}
    problems = list(load(DATASET, ids=ITEMS))
    rules = [(p.text, list(replies[p.id.split("/")[-1]])) for p in problems]
    tmp = Path(tempfile.mkdtemp())
    record = tmp / "replay.jsonl"

    def lm_factory(model, *, ledger, cache, concurrency):
        return ScriptedLM(rules=rules, model=REPLAY_MODEL, ledger=ledger, record=record)

    spec = build_spec({"datasets": [{"name": DATASET, "ids": ITEMS}], "methods": [METHOD], "models": [REPLAY_MODEL],
                       "seeds": [0], "store": str(tmp / "store.sqlite"), "concurrency": 1, "cache": False})
    summary = run_experiment(spec, lm_factory=lm_factory)
    lines = sorted(record.read_text().splitlines())  # stable order: diffs stay readable
    REPLAY.write_text("\n".join(lines) + "\n")
    print(f"wrote {REPLAY} ({len(lines)} calls); {summary.correct}/{summary.total} correct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
