"""Code-speed tasks: the set shipped with optiforge, and loaders for PIE and EvalPerf files.

A task is a problem statement, a slow reference program, tests that define correctness
(stdin/stdout pairs or function calls), a heavier performance workload, and a few
solutions of different speed. Shipped tasks live in ``optiforge/sandbox/tasks/<name>/``.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from optiforge.errors import DatasetError, InputError
from optiforge.sandbox._check import FunctionTest, StdioTest
from optiforge.sandbox._types import Language


@dataclass
class Task:
    """One program-optimization task.

    ``kind`` is "stdio" (the program reads stdin, writes stdout) or "function" (Python,
    ``entry_point`` is called with each test's arguments). ``tests`` decide correctness;
    ``perf_tests`` are the heavier workload to time on. ``solutions`` maps a label to
    source; ``scores`` (EvalPerf) maps the same labels to published efficiency scores.
    """

    name: str
    language: Language
    kind: str
    statement: str
    reference: str
    tests: list[Any]
    perf_tests: list[Any] = field(default_factory=list)
    solutions: dict[str, str] = field(default_factory=dict)
    entry_point: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    source: str = "builtin"

    @property
    def workload(self) -> list[Any]:
        """The tests to time on: ``perf_tests`` if any, else ``tests``."""
        return self.perf_tests or self.tests


def _tests_from(items: list[dict[str, Any]], kind: str, where: str) -> list[Any]:
    out: list[Any] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise DatasetError(f"{where}: test {i} is not an object")
        if kind == "stdio":
            out.append(StdioTest(str(item.get("input", "")), str(item.get("output", ""))))
        else:
            kwargs = {"expected": item["expected"]} if "expected" in item else {}
            out.append(FunctionTest(list(item.get("args", [])), dict(item.get("kwargs", {})), **kwargs))
    return out


def _tasks_root() -> Any:
    return resources.files("optiforge.sandbox") / "tasks"


def _read_json(entry: Any, where: str) -> Any:
    try:
        data = entry.read_bytes()
        if entry.name.endswith(".gz"):
            data = gzip.decompress(data)
        return json.loads(data)
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{where}: cannot read {entry.name}: {exc}") from None


def _load_dir(folder: Any) -> Task:
    where = f"task {folder.name}"
    meta = _read_json(folder / "task.json", where)
    kind = meta["kind"]
    perf: list[Any] = []
    for name in ("perf.json.gz", "perf.json"):
        if (folder / name).is_file():
            perf = _tests_from(_read_json(folder / name, where), kind, where)
            break
    return Task(
        name=meta["name"],
        language=meta["language"],
        kind=kind,
        statement=(folder / "statement.md").read_text(encoding="utf-8"),
        reference=(folder / meta["reference"]).read_text(encoding="utf-8"),
        tests=_tests_from(_read_json(folder / "tests.json", where), kind, where),
        perf_tests=perf,
        solutions={label: (folder / fname).read_text(encoding="utf-8") for label, fname in meta.get("solutions", {}).items()},
        entry_point=meta.get("entry_point"),
        source="builtin",
    )


def task_names() -> list[str]:
    """Names of the shipped tasks."""
    root = _tasks_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "task.json").is_file())


def load_tasks(language: Language | None = None) -> list[Task]:
    """All shipped tasks (optionally only one language), sorted by name."""
    tasks = [_load_dir(_tasks_root() / name) for name in task_names()]
    return [t for t in tasks if language is None or t.language == language]


def load_task(name: str) -> Task:
    """One shipped task by name; InputError naming the known tasks if there is none."""
    names = task_names()
    if name not in names:
        raise InputError(f"unknown task {name!r}; known tasks: {', '.join(names)}")
    return _load_dir(_tasks_root() / name)


def _jsonl(path: str | os.PathLike[str]) -> list[tuple[int, dict[str, Any]]]:
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"{p}: file not found")
    opener = gzip.open if p.suffix == ".gz" else open
    rows = []
    with opener(p, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise DatasetError(f"{p}:{lineno}: not valid JSON ({exc.args[0]})") from None
            if not isinstance(row, dict):
                raise DatasetError(f"{p}:{lineno}: expected a JSON object")
            rows.append((lineno, row))
    return rows


def _guess_language(code: str) -> Language:
    return "cpp" if "#include" in code or "int main" in code else "python"


def _pie_tests(row: dict[str, Any], tests_dir: Path | None) -> list[StdioTest]:
    inline = row.get("test_cases")
    if isinstance(inline, list):
        return [StdioTest(str(t.get("input", "")), str(t.get("output", ""))) for t in inline if isinstance(t, dict)]
    if tests_dir is None:
        return []
    folder = tests_dir / str(row.get("problem_id", ""))
    if not folder.is_dir():
        return []
    wanted = row.get("tests")
    indices = sorted(int(i) for i in wanted) if isinstance(wanted, list) and wanted else sorted(
        int(p.name.split(".")[1]) for p in folder.glob("input.*.txt") if p.name.split(".")[1].isdigit()
    )
    tests = []
    for i in indices:
        inp, out = folder / f"input.{i}.txt", folder / f"output.{i}.txt"
        if inp.is_file() and out.is_file():
            tests.append(StdioTest(inp.read_text(errors="replace"), out.read_text(errors="replace")))
    return tests


def load_pie(path: str | os.PathLike[str], *, tests_dir: str | os.PathLike[str] | None = None, limit: int | None = None) -> list[Task]:
    """Tasks from a PIE-format JSONL file (LearningOpt/pie splits).

    Each row's ``src_code`` is the slow program and ``tgt_code`` the faster one (the
    older pie-perf rows' ``input``/``target`` are read too); ``problem_id`` names the
    CodeNet problem. Test cases come from ``tests_dir/<problem_id>/input.N.txt`` and
    ``output.N.txt`` (the indices in the row's ``tests`` field, else all), or from an
    inline ``test_cases`` list of {input, output} objects.
    """
    rows = _jsonl(path)
    tdir = Path(tests_dir) if tests_dir is not None else None
    if tdir is not None and not tdir.is_dir():
        raise DatasetError(f"{tdir}: test-case directory not found")
    tasks = []
    for lineno, row in rows[:limit] if limit else rows:
        slow = row.get("src_code", row.get("input"))
        fast = row.get("tgt_code", row.get("target"))
        if not isinstance(slow, str) or not slow.strip():
            raise DatasetError(f"{path}:{lineno}: no src_code (the slow program)")
        pid = str(row.get("problem_id", f"line{lineno}"))
        lang = row.get("language")
        language: Language = "cpp" if isinstance(lang, str) and lang.lower() in ("cpp", "c++") else "python" if isinstance(lang, str) and lang.lower().startswith("py") else _guess_language(slow)
        solutions = {"target": fast} if isinstance(fast, str) and fast.strip() else {}
        if isinstance(row.get("fastest_code"), str):
            solutions["fastest"] = row["fastest_code"]
        tasks.append(Task(
            name=f"pie/{pid}/{row.get('src_id', lineno)}",
            language=language,
            kind="stdio",
            statement=str(row.get("problem_description", row.get("description", ""))) or f"CodeNet problem {pid}",
            reference=slow,
            tests=_pie_tests(row, tdir),
            solutions=solutions,
            source=str(path),
        ))
    return tasks


def load_evalperf(path: str | os.PathLike[str], *, limit: int | None = None) -> list[Task]:
    """Tasks from an EvalPerf-format JSONL file (evalplus/evalperf).

    Rows carry ``task_id``, ``entry_point``, ``prompt``, ``reference`` (solutions) with
    ``scores`` (their published efficiency scores, higher is faster) and ``pe_input``
    (a JSON list of argument lists: the performance-exercising inputs). The slowest
    reference becomes the task's reference; expected values come from running it.
    """
    tasks = []
    rows = _jsonl(path)
    for lineno, row in rows[:limit] if limit else rows:
        for key in ("task_id", "entry_point", "reference", "pe_input"):
            if key not in row:
                raise DatasetError(f"{path}:{lineno}: missing field {key!r}")
        refs = row["reference"]
        if isinstance(refs, str):
            refs = [refs]
        scores = row.get("scores") or [0.0] * len(refs)
        if not refs or len(scores) != len(refs):
            raise DatasetError(f"{path}:{lineno}: 'reference' and 'scores' must be non-empty lists of equal length")
        pe = row["pe_input"]
        if isinstance(pe, str):
            try:
                pe = json.loads(pe)
            except ValueError:
                raise DatasetError(f"{path}:{lineno}: pe_input is not valid JSON") from None
        if not isinstance(pe, list) or not all(isinstance(a, list) for a in pe):
            raise DatasetError(f"{path}:{lineno}: pe_input must be a list of argument lists")
        labels = [f"ref{i}" for i in range(len(refs))]
        slowest = min(range(len(refs)), key=lambda i: float(scores[i]))
        tests = [FunctionTest(list(args)) for args in pe]
        tasks.append(Task(
            name=str(row["task_id"]),
            language="python",
            kind="function",
            statement=str(row.get("prompt", "")),
            reference=refs[slowest],
            tests=tests,
            perf_tests=tests,
            solutions=dict(zip(labels, refs, strict=True)),
            entry_point=str(row["entry_point"]),
            scores={label: float(s) for label, s in zip(labels, scores, strict=True)},
            source=str(path),
        ))
    return tasks
