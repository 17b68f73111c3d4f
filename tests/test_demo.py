"""`optiforge demo`: the whole pipeline, replayed offline and against a loopback live model."""

from __future__ import annotations

import json

import pytest

from optiforge.cli import main
from optiforge.datasets import find

needs_optibench = pytest.mark.skipif(find("optibench") is None, reason="OptiBench data not available (optiforge datasets fetch optibench)")


@needs_optibench
def test_demo_replays_offline_and_writes_report_and_plots(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "REPLAY" in err and "not a live model" in err
    assert "formulate: 9/10 correct" in err  # item 16's gold is beaten by a feasible plan
    assert "formulate+pyomo: 7/10 correct" in err  # also: 3 and 8 are nonlinear, refused in Pyomo mode
    assert "suspect labels" in err and "optibench/16" in err
    report = (out / "report" / "report.md").read_text()
    assert "REPLAYED RUN" in report
    assert "| optibench | formulate | optiforge-demo-replay | 10 | 0 | abs_tol | 90.0 |" in report
    assert "| optibench | formulate+pyomo | optiforge-demo-replay | 10 | 0 | abs_tol | 70.0 |" in report
    assert "| optibench/16 | 34.5 | 33.5 | 2 |" in report
    assert "| this store | rule abs_tol; REPLAYED responses, not a live model |" in report  # next to published numbers
    for png in ("accuracy.png", "cost_vs_accuracy.png", "errors.png"):
        assert (out / "report" / png).stat().st_size > 5_000
    # A second run resumes: every cell is already in the store.
    assert main(["demo", "--out", str(out)]) == 0
    again = capsys.readouterr().err
    assert "formulate: 9/10 correct" in again and "20 cells were already in the store" in again


def test_demo_replay_matches_the_current_prompts():
    """Replay keys cover the exact messages: a prompt change needs `python -m optiforge.demo.make_replay`."""
    from optiforge.agents.formulate import _prompts
    from optiforge.demo import REPLAY

    lines = [json.loads(line) for line in REPLAY.read_text().splitlines()]
    # Formulation mode: 10 problems + 3 flawed first replies; Pyomo mode: 10 + 2 x 2 repairs (3, 8)
    assert len(lines) == 27
    from optiforge.agents.formulate import ModelAnswer
    from optiforge.llm._jsonutil import request_key
    from optiforge.llm._structured import schema_json

    heads = (_prompts.FORMULATE.split("{problem}")[0], _prompts.PYOMO.split("{problem}")[0])
    schema = schema_json(ModelAnswer)
    for rec in lines:
        # The key covers the schema too: a Formulation schema change also needs a new replay.
        used = schema if rec["schema"] else None
        assert request_key(rec["model"], rec["messages"], rec["params"], used, rec["sample"]) == rec["key"], \
            "the ModelAnswer/Formulation schema changed: run `python -m optiforge.demo.make_replay`"
        assert rec["model"] == "optiforge-demo-replay"
        assert rec["messages"][0]["content"].startswith(_prompts.SYSTEM), "system prompt changed: regenerate the replay"
        assert rec["messages"][1]["content"].startswith(heads), "a modelling prompt changed: regenerate the replay"


@needs_optibench
def test_demo_with_a_live_model_on_loopback(tmp_path, capsys):
    from optiforge.demo import RESPONSES
    from optiforge.llm.fakeserver import FakeOpenAIServer

    items = json.loads(RESPONSES.read_text())["items"]
    from optiforge.datasets import load

    texts = {p.id.split("/")[-1]: p.text for p in load("optibench", ids=[str(i["index"]) for i in items])}
    finals = {texts[str(i["index"])]: i for i in items}

    def reply(body: dict) -> str:
        opening = body["messages"][1]["content"]
        item = next(it for text, it in finals.items() if text in opening)
        return item["pyomo_replies" if "build_model()" in opening else "replies"][-1]

    with FakeOpenAIServer(reply=reply) as server:
        code = main(["demo", "--out", str(tmp_path / "live"), "--model", "openai/local-test", "--api-base", server.base_url])
        # Formulation mode: one call per problem (final replies need no repair); Pyomo mode:
        # one per problem, plus two repair rounds for each of the two nonlinear items.
        assert len(server.requests) == 10 + 10 + 4
    err = capsys.readouterr().err
    assert code == 0
    assert "REPLAY" not in err and "(live)" in err
    assert "formulate: 9/10 correct" in err and "formulate+pyomo: 7/10 correct" in err
