"""Optimize a JSON configuration against a scoring function.

The config is a ``json`` Parameter validated by a pydantic model (types, ranges,
allowed values): a suggestion outside them is refused with the validation error
fed back. The score is a made-up but non-trivial throughput model of a batch
service; OPRO (default) sees the scored history and proposes better configs.

    python examples/optimize_json_config.py                      # offline (ScriptedLM)
    python examples/optimize_json_config.py --model openai/gpt-4o-mini --steps 8
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import add_model_flags, make_optimizer, real_lm, scripted_optimizer

from optiforge.graph import ExceptionNode, Parameter, bundle


class ServiceConfig(BaseModel):
    """Settings of a batch-processing service."""

    workers: int = Field(ge=1, le=64)
    batch_size: int = Field(ge=1, le=4096)
    compression: Literal["none", "lz4", "zstd"]


@bundle
def throughput(config: dict) -> float:
    """Items per second of the service under this config (8 cores; memory caps workers x batch)."""
    w, b, c = config["workers"], config["batch_size"], config["compression"]
    cpu = min(w, 8) / (1 + 0.15 * max(0, w - 8))  # oversubscription costs context switches
    batching = math.log2(b + 1) / (1 + b / 512)  # big batches amortise, huge ones thrash
    io = {"none": 0.7, "lz4": 1.0, "zstd": 0.9}[c]
    if w * b > 8192:
        raise MemoryError(f"workers x batch_size = {w * b} exceeds the 8192-item memory budget")
    return round(100 * cpu * batching * io, 1)


def offline_proposal(prompt: str, index: int) -> dict | str:
    """A tiny scripted search for the offline run: first one out-of-range config, then local moves."""
    if index == 0:
        return {"config": {"workers": 128, "batch_size": 64, "compression": "lz4"}}
    found = [json.loads(m) for m in re.findall(r'values: (\{"config".*\})', prompt)]
    best = found[-1]["config"] if found else {"workers": 2, "batch_size": 16, "compression": "none"}
    moves = [{"compression": "lz4"}, {"workers": min(64, best["workers"] * 2)},
             {"batch_size": min(4096, best["batch_size"] * 2)}]
    return {"config": {**best, **moves[index % len(moves)]}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_flags(ap, "opro")
    ap.set_defaults(steps=8)
    args = ap.parse_args(argv)
    lm = real_lm(args) if args.model else scripted_optimizer(offline_proposal)
    config = Parameter({"workers": 2, "batch_size": 16, "compression": "none"}, "json", name="config",
                       description="service configuration", constraint=ServiceConfig)
    optimizer = make_optimizer(args.optimizer, [config], lm,
                               "Maximise throughput (items per second) of the batch service.")
    best = (float("-inf"), config.snapshot())
    for step in range(args.steps + 1):
        out = throughput(config)
        if isinstance(out, ExceptionNode):
            score, text = 0.0, f"{out.error_text}: the config crashed the service"
        else:
            score, text = float(out.value), f"throughput {out.value} items/s"
        best = max(best, (score, config.snapshot()), key=lambda t: t[0])
        print(f"step {step}: {json.dumps(config.value)} -> {text}")
        if step == args.steps:
            break
        optimizer.zero_feedback()
        out.backward(text, score=score)
        proposal = optimizer.step_sync()
        for r in proposal.rejected:
            print(f"  refused: {r.reason}")
    print(f"best: {json.dumps(best[1])} with {best[0]} items/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
