"""`optiforge bench run|status|report|diff` against a loopback OpenAI-compatible server, and spec errors."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from optiforge.bench import load_spec
from optiforge.cli import main
from optiforge.errors import ConfigError


def _run_args(server, mini_path, store, *extra):
    return ["bench", "run", "--dataset", str(mini_path), "--method", "direct", "--model", "fake",
            "--api-base", server.base_url, "--store", str(store), "--limit", "6", "--plain", *extra]


def test_run_status_report_diff(tmp_path, fake_server, mini_path, capsys):
    store = tmp_path / "r.sqlite"
    assert main(_run_args(fake_server, mini_path, store, "-j", "3")) == 0
    out = capsys.readouterr().out
    assert "6/6 cells done" in out
    assert fake_server.count == 6
    # resume: nothing left to do, no request reaches the server
    assert main(_run_args(fake_server, mini_path, store)) == 0
    assert fake_server.count == 6
    # a second spec (two seeds) in the same store, for diff
    assert main(_run_args(fake_server, mini_path, store, "--seeds", "2")) == 0
    assert main(["bench", "status", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "cells 6/6 done" in out and "cells 12/12 done" in out and "3 correct" in out

    assert main(["bench", "report", "--store", str(store), "--out", str(tmp_path / "rep")]) == 0
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "## Accuracy" in report and "REPLAYED" not in report
    for name in ("accuracy.png", "cost_vs_accuracy.png", "errors.png", "accuracy.csv"):
        assert (tmp_path / "rep" / name).stat().st_size > 0
    acc = list(csv.DictReader((tmp_path / "rep" / "accuracy.csv").open()))
    # two specs share the seed-0 cells; each is reported on its own, nothing counted twice
    assert sorted((r["n"], r["accuracy_%"]) for r in acc) == [("12", "50.0"), ("6", "50.0")]

    hashes = [r[0] for r in sqlite3.connect(store).execute("SELECT spec_hash FROM specs ORDER BY created")]
    assert main(["bench", "diff", hashes[0], hashes[1], "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "6 cells in common" in out and "0 gained, 0 lost" in out


def test_diff_between_stores_lists_changed_items(tmp_path, fake_server, mini_path, capsys):
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    assert main(_run_args(fake_server, mini_path, a)) == 0
    assert main(_run_args(fake_server, mini_path, b, "--no-cache")) == 0
    con = sqlite3.connect(b)
    con.execute("UPDATE cells SET correct = 1 - correct WHERE item = 'mini/m3'")
    con.commit()
    con.close()
    capsys.readouterr()
    assert main(["bench", "diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "+ mini/mini/m3" in out and "1 gained, 0 lost" in out


def test_budget_exit_code_and_message(tmp_path, fake_server, mini_path, capsys):
    store = tmp_path / "b.sqlite"
    code = main(_run_args(fake_server, mini_path, store, "-j", "1", "--budget-tokens", "400"))
    last = capsys.readouterr().err.strip().splitlines()[-1]  # progress lines come first, on stderr
    assert code == 4
    assert last.startswith("error: token budget spent") and "cells not run" in last
    rows = sqlite3.connect(store).execute("SELECT status, COUNT(*) FROM cells GROUP BY status").fetchall()
    counts = dict(rows)
    assert counts.get("not_run", 0) > 0 and counts.get("answered", 0) + counts.get("not_run", 0) == 6


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("datasets: [mini]\nmethods: [direct]\nmodels: [m]\nconcurency: 3\n", "unknown key 'concurency'"),
        ("datasets: [mini]\nmethods: [direct]\n", "missing key 'models'"),
        ("datasets: [{name: mini, limt: 3}]\nmethods: [direct]\nmodels: [m]\n", "unknown key 'datasets.0.limt'"),
        ("datasets: [mini\nmethods: [direct]\n", "bad YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
        ("datasets: [mini]\nmethods: ['bad method!']\nmodels: [m]\n", "bad method spec"),
        ("datasets: [mini]\nmethods: [direct]\nmodels: [m]\nseeds: [1, 1]\n", "a seed is listed twice"),
    ],
)
def test_bad_spec_files_give_one_line_errors(tmp_path, yaml_text, message):
    p = tmp_path / "spec.yaml"
    p.write_text(yaml_text)
    with pytest.raises(ConfigError, match=message):
        load_spec(p)


def test_cli_errors_are_one_line(tmp_path, capsys):
    p = tmp_path / "spec.yaml"
    p.write_text("datasets: [nosuchset]\nmethods: [direct]\nmodels: [m]\n")
    cases = [
        (["bench", "run", "--spec", str(p)], "unknown dataset 'nosuchset'"),
        (["bench", "run", "--dataset", "optibench", "--method", "nosuch", "--model", "m"], "unknown method 'nosuch'"),
        (["bench", "run", "--dataset", "optibench", "--method", "direct"], "no model"),
        (["bench", "run", "--spec", str(tmp_path / "missing.yaml")], "cannot read spec file"),
        (["bench", "status", "--store", str(tmp_path / "none.sqlite")], "no result store"),
        (["bench", "report", "--store", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "o")], "no result store"),
    ]
    for argv, message in cases:
        code = main(argv)
        err = capsys.readouterr().err
        assert code != 0, argv
        assert message in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, err


def test_yaml_spec_runs(tmp_path, fake_server, mini_path, capsys):
    p = tmp_path / "spec.yaml"
    p.write_text(
        f"name: yaml-run\ndatasets:\n  - {{name: mini, path: {mini_path}, limit: 4}}\nmethods: [direct]\n"
        f"models:\n  - {{model: fake, api_base: '{fake_server.base_url}'}}\nseeds: [0, 1]\n"
        f"store: {tmp_path / 'y.sqlite'}\n"
    )
    assert main(["bench", "run", "--spec", str(p), "-q"]) == 0
    assert "8/8 cells done" in capsys.readouterr().out
    assert fake_server.count == 8


def test_record_then_replay_is_labelled_replayed(tmp_path, fake_server, mini_path, capsys):
    rec = tmp_path / "rec.jsonl"
    live = tmp_path / "live.yaml"
    common = f"datasets:\n  - {{name: mini, path: {mini_path}, limit: 5}}\nmethods: [direct]\nstore: {tmp_path / 'r.sqlite'}\n"
    live.write_text(common + f"models:\n  - {{model: fake, api_base: '{fake_server.base_url}', record: {rec}}}\n")
    assert main(["bench", "run", "--spec", str(live), "-q"]) == 0
    assert fake_server.count == 5 and rec.stat().st_size > 0
    replay = tmp_path / "replay.yaml"
    replay.write_text(common + f"models:\n  - {{model: fake, replay: {rec}}}\n")
    assert main(["bench", "run", "--spec", str(replay), "-q"]) == 0
    out = capsys.readouterr().out
    assert "REPLAYED" in out and fake_server.count == 5
    assert main(["bench", "status", "--store", str(tmp_path / "r.sqlite")]) == 0
    status = capsys.readouterr().out
    assert status.count("REPLAYED") == 1 and status.count("cells 5/5 done, 0 not run, 2 correct") == 2
    con = sqlite3.connect(tmp_path / "r.sqlite")
    assert sorted(r[0] for r in con.execute("SELECT replayed FROM runs")) == [0, 1]
    con.close()
    assert main(["bench", "report", "--store", str(tmp_path / "r.sqlite"), "--out", str(tmp_path / "rep"), "--no-plots"]) == 0
    assert "REPLAYED RUN" in (tmp_path / "rep" / "report.md").read_text()
