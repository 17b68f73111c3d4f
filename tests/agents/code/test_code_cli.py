"""`optiforge code-opt` end to end against a loopback OpenAI-compatible server."""

from __future__ import annotations

import json

import pytest

from optiforge.cli import main
from optiforge.llm.fakeserver import FakeOpenAIServer
from optiforge.sandbox import load_task

PRIMES = load_task("primes_below")
FAST = PRIMES.solutions["bytearray_sieve"]

SLOW_SUM = "import sys\nnums = sys.stdin.read().split()\ntotal = 0\nfor i in range(len(nums)):\n    total = sum(int(x) for x in nums[: i + 1])\nprint(total)\n"
FAST_SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"


def replying(code: str):
    return lambda body: f"Faster:\n```python\n{code}```"


def test_code_opt_on_a_shipped_task(tmp_path, capsys):
    out = tmp_path / "best.py"
    with FakeOpenAIServer(reply=replying(FAST)) as server:
        code = main(["code-opt", "--task", "primes_below", "--model", "openai/local", "--api-base", server.base_url,
                     "--method", "instruction", "--repeats", "1", "--json", "--out", str(out)])
        assert len(server.requests) == 1
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "improved" and result["speedup"] > 2 and result["measure"] == "cpu"
    assert result["metrics"]["opt"] == 1.0 and "percentile" in result["metrics"] and "steps" not in result
    assert out.read_text() == FAST


def test_code_opt_on_a_file_with_a_tests_dir(tmp_path, capsys):
    prog = tmp_path / "total.py"
    prog.write_text(SLOW_SUM)
    tests = tmp_path / "tests"
    (tests / "perf").mkdir(parents=True)
    (tests / "a.in").write_text("1 2 3\n")
    (tests / "a.out").write_text("6\n")
    (tests / "b.in").write_text("5\n")
    (tests / "b.out").write_text("5\n")
    big = list(range(3000))
    (tests / "perf" / "big.in").write_text(" ".join(map(str, big)) + "\n")
    (tests / "perf" / "big.out").write_text(f"{sum(big)}\n")
    with FakeOpenAIServer(reply=replying(FAST_SUM)) as server:
        code = main(["code-opt", str(prog), "--tests", str(tests), "-m", "openai/local", "--api-base", server.base_url,
                     "--rounds", "1", "--repeats", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.out.startswith("improved: speedup") and "metrics:" in captured.out
    assert "1 call(s)" in captured.err


def test_replay_runs_offline(tmp_path, capsys):
    record = tmp_path / "calls.jsonl"
    argv = ["code-opt", "--task", "primes_below", "--method", "instruction", "--repeats", "1", "--no-profile", "--json"]
    with FakeOpenAIServer(reply=replying(FAST)) as server:
        assert main([*argv, "-m", "openai/local", "--api-base", server.base_url, "--record", str(record), "--no-cache"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main([*argv, "--replay", str(record)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["program"] == first["program"] == FAST and again["status"] == "improved"


@pytest.mark.parametrize(("argv", "needle"), [
    (["code-opt", "--task", "no_such_task", "-m", "x"], "unknown task"),
    (["code-opt", "missing.py", "--tests", "t", "-m", "x"], "does not exist"),
    (["code-opt", "-m", "x"], "--task NAME"),
    (["code-opt", "prog.py", "-m", "x"], "--tests DIR"),
    (["code-opt", "prog.py", "--tests", "empty", "-m", "x"], "no tests"),
    (["code-opt", "prog.py", "--tests", "orphan", "-m", "x"], "no matching"),
])
def test_bad_input_is_a_one_line_error(tmp_path, capsys, argv, needle):
    (tmp_path / "prog.py").write_text("print(1)\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "orphan").mkdir()
    (tmp_path / "orphan" / "x.in").write_text("1\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and needle in err and err.count("\n") == 1


def test_function_tests_from_tests_json(tmp_path, capsys):
    prog = tmp_path / "dedup.py"
    prog.write_text("def dedup(xs):\n    out = []\n    for x in xs:\n        if x not in out:\n            out.append(x)\n    return out\n")
    fast = "def dedup(xs):\n    return list(dict.fromkeys(xs))\n"
    tests = tmp_path / "t"
    tests.mkdir()
    # expected values left out: they come from running FILE itself in the sandbox
    (tests / "tests.json").write_text(json.dumps([{"args": [[3, 1, 3, 2, 1]]}, {"args": [list(range(3000)) * 2]}]))
    (tests / "statement.md").write_text("Remove duplicates, keeping the first occurrence.")
    with FakeOpenAIServer(reply=replying(fast)) as server:
        code = main(["code-opt", str(prog), "--tests", str(tests), "--entry-point", "dedup", "-m", "openai/local",
                     "--api-base", server.base_url, "--method", "instruction", "--repeats", "1", "--json", "--steps"])
        prompt = server.requests[0]["messages"][-1]["content"]
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "improved" and result["program"] == fast and result["steps"][0]["status"] == "correct"
    assert "Remove duplicates" in prompt and "`dedup`" in prompt
