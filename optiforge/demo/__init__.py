"""What ``optiforge demo`` runs: ten OptiBench problems and an offline replay model for them.

``responses.json`` holds hand-written stand-ins for model replies — Formulation replies (three
of them flawed first, to show the repair loop) and Pyomo programs for the sandboxed Pyomo
mode; ``replay.jsonl`` is the record file made from them by
``python -m optiforge.demo.make_replay``. Neither is the output of a language model, and
the demo says so on screen and in its report.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
RESPONSES = HERE / "responses.json"
REPLAY = HERE / "replay.jsonl"
REPLAY_MODEL = "optiforge-demo-replay"
"""The model name the replay file records (no such model exists)."""

DATASET = "optibench"
ITEMS = ["2", "3", "5", "7", "8", "9", "11", "12", "15", "16"]
"""OptiBench indices: linear, integer and non-convex nonlinear items, and one (16) whose gold
is beaten by a feasible plan (7 bus + 13 car trips take 33.5 h; the gold says 34.5 h)."""

METHODS = ["formulate", "formulate+pyomo"]
"""Two independent ways to model each problem: where both verify the same objective against
the gold, the report lists the item as a suspect label (#16 here)."""
