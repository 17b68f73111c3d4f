"""Reports from a small hand-built store: the numbers, the files, the replay label."""

from __future__ import annotations

import csv

import pytest

from optiforge.bench import CellRow, Store, cell_key, status_lines, wilson, write_report


def _row(i: int, spec: str, *, status="answered", correct=True, cat=None, cost=0.01, model="m"):
    k = cell_key(spec, "optibench", f"optibench/{i}", "direct", model, 0)
    return CellRow(
        cell_key=k, spec_hash=spec, dataset="optibench", item=f"optibench/{i}", method="direct", model=model, seed=0,
        status=status, rule="abs_tol", correct=None if status == "not_run" else correct,
        correctness=None if status == "not_run" else {"abs_tol": correct, "orlm": True},
        prompt_tokens=100, completion_tokens=20, cost_usd=cost if status != "not_run" else 0.0, latency_s=0.5,
        error_category=cat,
    )


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "hand.sqlite")
    spec = "a" * 16
    rows = [_row(i, spec) for i in range(7)]
    rows += [_row(7, spec, correct=False), _row(8, spec, correct=False)]
    rows += [_row(9, spec, status="error", correct=False, cat="parse")]
    rows += [_row(10, spec, status="not_run", cat="budget"), _row(11, spec, status="not_run", cat="budget")]
    st.save_spec(spec, "hand", {"methods": ["direct"], "models": [{"model": "m"}]}, replayed=True, total_cells=12)
    st.write_cells(rows)
    yield st
    st.close()


def test_wilson_interval_known_values():
    lo, hi = wilson(7, 10)
    assert lo == pytest.approx(0.3968, abs=1e-4) and hi == pytest.approx(0.8922, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(0.7225, abs=1e-4)


def test_report_numbers_files_and_replay_label(store, tmp_path):
    out = tmp_path / "rep"
    files = write_report(store, out)
    names = {f.name for f in files}
    assert {"report.md", "accuracy.csv", "cost.csv", "failures.csv", "published.csv",
            "accuracy.png", "cost_vs_accuracy.png", "errors.png"} <= names
    for f in files:
        assert f.stat().st_size > 0
    for png in ("accuracy.png", "cost_vs_accuracy.png", "errors.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    acc = list(csv.DictReader((out / "accuracy.csv").open()))
    assert len(acc) == 1
    r = acc[0]
    # 10 finished cells (7 right, 2 wrong, 1 parse error); the 2 not-run cells are not counted as wrong
    assert (r["n"], r["not_run"], r["accuracy_%"], r["ci95_low_%"], r["ci95_high_%"]) == ("10", "2", "70.0", "39.7", "89.2")
    assert r["orlm_%"] == "100.0"

    cost = next(iter(csv.DictReader((out / "cost.csv").open())))
    assert cost["mean_cost_usd"] == "0.010000" and cost["total_cost_usd"] == "0.100000"
    assert cost["mean_prompt_tokens"] == "100.0"

    fail = next(iter(csv.DictReader((out / "failures.csv").open())))
    assert fail["parse"] == "1" and fail["not_run"] == "2"

    pub = list(csv.DictReader((out / "published.csv").open()))
    assert any("arXiv:2407.09887" in p["source"] and p["accuracy_%"] == "69.4" for p in pub)
    assert any(p["source"] == "this store" and p["accuracy_%"].startswith("70.0") for p in pub)

    md = (out / "report.md").read_text()
    assert "REPLAYED RUN" in md and "not from a live model" in md
    assert "| aaaaaaaa | optibench | direct | m | 10 | 2 | abs_tol | 70.0 | 39.7 | 89.2 |" in md


def test_status_lines(store):
    lines = status_lines(store)
    assert lines[0].startswith("a" * 16 + " REPLAYED")
    assert "cells 10/12 done, 2 not run, 7 correct; cost $0.1000" in lines[1]
    assert "parse 1" in lines[2]


def test_cost_plot_uses_tokens_when_nothing_was_billed():
    from types import SimpleNamespace

    from optiforge.bench._plots import spend_axis

    free = [SimpleNamespace(cost_usd=0.0, prompt_tokens=300, completion_tokens=100, n=2)]
    assert spend_axis(free) == ([200.0], "mean tokens per cell (nothing was billed)")
    paid = [*free, SimpleNamespace(cost_usd=0.5, prompt_tokens=10, completion_tokens=10, n=5)]
    assert spend_axis(paid) == ([0.0, 0.1], "mean cost per cell (USD, billed)")
