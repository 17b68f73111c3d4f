"""The shipped task set and the PIE / EvalPerf loaders."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from optiforge import sandbox
from optiforge.errors import DatasetError, InputError
from optiforge.sandbox import FunctionTest, Limits, StdioTest

LIM = Limits(cpu_s=20, wall_s=60)


def test_shipped_tasks_load():
    tasks = sandbox.load_tasks()
    assert len(sandbox.load_tasks("python")) >= 10
    assert len(sandbox.load_tasks("cpp")) >= 5
    for task in tasks:
        assert task.statement.strip() and task.reference.strip()
        assert len(task.solutions) >= 1 and task.tests and task.perf_tests
        if task.kind == "function":
            assert task.entry_point and all(isinstance(t, FunctionTest) and t.has_expected for t in task.tests)
        else:
            assert all(isinstance(t, StdioTest) for t in task.tests)
    assert sandbox.load_task("max_subarray").entry_point == "max_subarray"
    with pytest.raises(InputError, match="known tasks"):
        sandbox.load_task("no_such_task")


@pytest.mark.slow
def test_every_shipped_program_passes_its_tests():
    if shutil.which("g++") is None:
        pytest.skip("g++ not installed")

    async def main():
        sem = asyncio.Semaphore(4)

        async def one(task, label, src):
            async with sem:
                result = await sandbox.acheck(src, task.tests, language=task.language, entry_point=task.entry_point, limits=LIM)
                return task.name, label, result

        jobs = [one(t, label, src) for t in sandbox.load_tasks() for label, src in {"reference": t.reference, **t.solutions}.items()]
        return await asyncio.gather(*jobs)

    for name, label, result in asyncio.run(main()):
        assert result.correct, f"{name}/{label}: {result.feedback()}"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["max_subarray", "primes_below", "cpp_inversions"])
def test_fast_solutions_beat_the_slow_reference(name):
    if shutil.which("g++") is None and name.startswith("cpp"):
        pytest.skip("g++ not installed")
    task = sandbox.load_task(name)
    fastest = list(task.solutions.values())[-1]
    result = sandbox.time(fastest, task.reference, language=task.language, tests=task.workload, entry_point=task.entry_point, repeats=3, limits=LIM)
    assert result.failed is None, result.note
    assert result.speedup > 1.5, result


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_load_pie_with_test_directory(tmp_path):
    _write_jsonl(tmp_path / "test.jsonl", [
        {"problem_id": "p00001", "src_id": "s1", "tgt_id": "s2", "src_code": "n = int(input())\nprint(sum(range(n + 1)))\n",
         "tgt_code": "n = int(input())\nprint(n * (n + 1) // 2)\n", "src_agg_runtime": 0.5, "tgt_agg_runtime": 0.1, "tests": [0, 2]},
        {"problem_id": "p00002", "src_code": "#include <cstdio>\nint main(){int a; scanf(\"%d\", &a); printf(\"%d\\n\", a);}\n",
         "tgt_code": "#include <cstdio>\nint main(){int a; scanf(\"%d\", &a); printf(\"%d\\n\", a);}\n",
         "test_cases": [{"input": "5\n", "output": "5\n"}]},
    ])
    tdir = tmp_path / "tests" / "p00001"
    tdir.mkdir(parents=True)
    for i, n in enumerate([3, 4, 10]):
        (tdir / f"input.{i}.txt").write_text(f"{n}\n")
        (tdir / f"output.{i}.txt").write_text(f"{n * (n + 1) // 2}\n")
    tasks = sandbox.load_pie(tmp_path / "test.jsonl", tests_dir=tmp_path / "tests")
    assert [t.language for t in tasks] == ["python", "cpp"]
    first = tasks[0]
    assert first.name == "pie/p00001/s1" and first.kind == "stdio"
    assert [t.input for t in first.tests] == ["3\n", "10\n"]
    assert "target" in first.solutions
    assert sandbox.check(first.solutions["target"], first.tests, limits=LIM).correct
    assert tasks[1].tests == [StdioTest("5\n", "5\n")]


def test_load_pie_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"src_code": "print(1)"}\nnot json\n')
    with pytest.raises(DatasetError, match=r"bad.jsonl:2"):
        sandbox.load_pie(bad)
    with pytest.raises(DatasetError, match="not found"):
        sandbox.load_pie(tmp_path / "missing.jsonl")


def test_load_evalperf(tmp_path):
    slow = "def add_all(xs):\n    total = 0\n    for x in xs:\n        total = total + x\n    return total\n"
    fast = "def add_all(xs):\n    return sum(xs)\n"
    _write_jsonl(tmp_path / "evalperf.jsonl", [
        {"task_id": "Demo/0", "entry_point": "add_all", "prompt": "def add_all(xs):\n    \"\"\"Sum.\"\"\"\n",
         "reference": [fast, slow], "scores": [90.0, 10.0], "pe_input": json.dumps([[[1, 2, 3]], [list(range(100))]])},
    ])
    [task] = sandbox.load_evalperf(tmp_path / "evalperf.jsonl")
    assert task.name == "Demo/0" and task.kind == "function" and task.entry_point == "add_all"
    assert task.reference == slow and task.scores == {"ref0": 90.0, "ref1": 10.0}
    assert len(task.tests) == 2 and not task.tests[0].has_expected
    result = sandbox.check(fast, task.tests, entry_point="add_all", reference=task.reference, limits=LIM)
    assert result.correct
    wrong = sandbox.check("def add_all(xs):\n    return len(xs)", task.tests, entry_point="add_all", reference=task.reference, limits=LIM)
    assert not wrong.correct and wrong.failure.expected == "6"


def test_load_evalperf_rejects_malformed_rows(tmp_path):
    path = tmp_path / "e.jsonl"
    _write_jsonl(path, [{"task_id": "x", "entry_point": "f", "reference": ["def f(): pass"], "pe_input": "[1, 2]"}])
    with pytest.raises(DatasetError, match="argument lists"):
        sandbox.load_evalperf(path)
