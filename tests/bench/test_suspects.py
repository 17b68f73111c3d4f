"""The report's suspect-label list: verified answers that agree with each other but not with the gold."""

from __future__ import annotations

import json
from pathlib import Path

from optiforge.bench import Store, build_spec, run_experiment, write_report
from optiforge.llm import ScriptedLM

DATA = Path(__file__).parent.parent / "data" / "formulate"
ITEMS = {i["index"]: i for i in json.loads((DATA / "optibench10.json").read_text())}


def test_two_models_agreeing_against_the_gold_flag_the_item(tmp_path):
    # OptiBench #16's gold (34.5 h) is beaten by a feasible plan (33.5 h); #12's gold is right.
    rules = [(ITEMS[i]["question"], json.dumps(ITEMS[i]["response"])) for i in (12, 16)]

    def factory(model, *, ledger, cache, concurrency):
        return ScriptedLM(rules=rules, ledger=ledger, model=model.model)

    spec = build_spec({
        "datasets": [{"name": "two", "path": str(DATA / "two_items.json"), "rule": "abs_tol"}],
        "methods": ["formulate"], "models": ["model-a", "model-b"], "store": str(tmp_path / "s.sqlite"),
    })
    summary = run_experiment(spec, lm_factory=factory)
    assert summary.total == 4 and summary.correct == 2
    with Store(tmp_path / "s.sqlite") as store:
        write_report(store, tmp_path / "report", plots=False)
    csv = (tmp_path / "report" / "suspect_labels.csv").read_text().splitlines()
    assert len(csv) == 2  # header + item 16 only
    assert csv[1].startswith("two/16,34.5,33.5,2,")
    md = (tmp_path / "report" / "report.md").read_text()
    assert "## Suspect labels" in md and "| two/16 | 34.5 | 33.5 | 2 |" in md


def test_a_single_cell_is_not_evidence(tmp_path):
    rules = [(ITEMS[16]["question"], json.dumps(ITEMS[16]["response"]))]
    spec = build_spec({
        "datasets": [{"name": "two", "path": str(DATA / "two_items.json"), "ids": ["16"]}],
        "methods": ["formulate"], "models": ["model-a"], "store": str(tmp_path / "s.sqlite"),
    })
    run_experiment(spec, lm_factory=lambda model, **kw: ScriptedLM(rules=rules, ledger=kw["ledger"], model=model.model))
    with Store(tmp_path / "s.sqlite") as store:
        write_report(store, tmp_path / "report", plots=False)
    assert len((tmp_path / "report" / "suspect_labels.csv").read_text().splitlines()) == 1
