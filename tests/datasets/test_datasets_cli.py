"""`optiforge datasets list|show|check|fetch` as a user runs them, errors included."""

from __future__ import annotations

import json

import pytest

from optiforge.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["datasets", *args])
    except SystemExit as exc:  # commands may signal a status by raising SystemExit
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_set_with_counts(capsys, shared):
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == {
        "optibench",
        "optmath_bench",
        "nl4opt",
        "nl4opt_e",
        "mamo_easy_lp",
        "mamo_complex_lp",
        "industryor",
        "nlp4lp",
        "complexor",
    }
    assert lines["optibench"].split()[1:4] == ["605", "604", "1"]
    assert lines["nl4opt"].split()[1:4] == ["245", "228", "17"]
    assert "not found" in lines["industryor"]
    code, out, _ = run(capsys, "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert (
        rows["mamo_complex_lp"]["usable"] == 203
        and rows["mamo_complex_lp"]["license"] == "CC BY-SA 4.0"
    )


def test_list_when_nothing_is_found(capsys, no_shared):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "not found — optiforge datasets fetch optibench" in out


def test_list_with_data_dir(capsys, data, tmp_path, no_shared):
    (tmp_path / "industryor").mkdir()
    (tmp_path / "industryor" / "IndustryOR.json").write_text(
        (data / "industryor_style.json").read_text()
    )
    code, out, _ = run(capsys, "--data-dir", str(tmp_path), "list")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("industryor"))
    assert line.split()[1:4] == ["3", "3", "0"] and "--data-dir" in line


def test_show_text_and_json(capsys, shared):
    code, out, _ = run(capsys, "show", "optibench", "--limit", "2")
    assert code == 0 and "optibench/0" in out and "optibench/1" in out and "optibench/2" not in out
    assert (
        "*The maximum profit you can get=3600" in out and "optibench/423" in out
    )  # skipped, with reason
    code, out, _ = run(capsys, "show", "nl4opt", "-n", "3", "--json")
    items = [json.loads(x) for x in out.splitlines()]
    assert [i["id"] for i in items] == ["nl4opt/0", "nl4opt/1", "nl4opt/2"] and items[0][
        "rule"
    ] == "orlm"
    code, out, _ = run(
        capsys, "show", "optibench", "--id", "423", "--no-exclude", "--json", "--rule", "sirl_rel"
    )
    item = json.loads(out)
    assert item["id"] == "optibench/423" and item["rule"] == "sirl_rel"
    assert item["metadata"]["split"] == "test"
    code, _, err = run(capsys, "show", "optibench", "--rule", "bogus")
    assert code == 2 and "unknown answer rule 'bogus'" in err


def test_show_user_path_and_exclude(capsys, data):
    code, out, _ = run(
        capsys, "show", "complexor", "--path", str(data / "complexor"), "--id", "toy_knapsack/0"
    )
    assert code == 0 and "complexor/toy_knapsack/0" in out and "gold: *objective=7" in out
    code, out, _ = run(capsys, "show", "nl4opt", "--path", str(data / "custom_fields.json"))
    assert code == 2  # wrong layout for nl4opt: its field is missing, named with the line


def test_show_errors(capsys, no_shared):
    code, _, err = run(capsys, "show", "nosuchset")
    assert code == 2 and err.startswith("error: unknown data set 'nosuchset'")
    code, _, err = run(capsys, "show", "optibench")
    assert code == 2 and "optiforge datasets fetch optibench" in err and "Traceback" not in err


def test_check_reports_bad_rows_with_lines(capsys, data):
    code, out, err = run(capsys, "check", str(data / "bad_json_line.jsonl"))
    assert code == 2
    assert "bad_json_line.jsonl, line 3: invalid JSON" in out and "1 bad row" in err
    code, out, _ = run(capsys, "check", str(data / "missing_field.jsonl"))
    assert code == 2 and "line 2: missing field 'en_answer'" in out
    code, out, _ = run(
        capsys,
        "check",
        str(data / "custom_fields.json"),
        "--text-field",
        "prompt",
        "--answer-field",
        "target",
        "--id-field",
        "key",
    )
    assert code == 2 and "line 6: no usable gold: 'n/a' is not a number" in out
    code, out, _ = run(capsys, "check", str(data / "industryor_style.json"))
    assert code == 0 and "3 rows" in out and "0 bad" in out
    code, _, err = run(capsys, "check", str(data / "nope.json"))
    assert code == 2 and "no such file" in err


def test_check_shared_files_are_clean(capsys, shared):
    code, out, _ = run(capsys, "check", str(shared / "nl4opt" / "NL4OPT.json"))
    assert code == 0 and "228 with numeric gold, 17 'no solution', 0 bad" in out


def test_fetch_errors(capsys, tmp_path, monkeypatch):
    code, _, err = run(capsys, "fetch", "industryor")
    assert code == 2 and "cannot be fetched" in err
    code, _, err = run(capsys, "fetch", "optibench", "--base-url", "http://127.0.0.1:9")
    assert code == 2 and err.startswith(
        "error: cannot download http://127.0.0.1:9/yangzhch6/ReSocratic/"
    )


@pytest.mark.parametrize(
    "args", [["--help"], ["show", "--help"], ["check", "--help"], ["fetch", "--help"]]
)
def test_help(capsys, args):
    code, out, _ = run(capsys, *args)
    assert code == 0 and "Usage" in out
