"""Reading benchmark files: JSON arrays or JSON lines (whatever the extension), with line numbers."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optiforge.errors import DatasetError

# Benchmarks write "no optimal solution" golds in words; ORLM's copies use exactly the first.
NO_SOLUTION_TEXTS = frozenset(
    {
        "no best solution",
        "no best solution.",
        "infeasible",
        "unbounded",
        "no solution",
        "no feasible solution",
    }
)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


@dataclass(frozen=True)
class Record:
    """One parsed item: its 1-based line in the file, its 0-based position, and the JSON value."""

    line: int
    position: int
    data: Any


@dataclass(frozen=True)
class BadRow:
    """A row that could not be parsed, with its 1-based line number."""

    line: int
    message: str


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _array_records(text: str, path: Path) -> tuple[list[Record], list[BadRow]]:
    """Elements of a top-level JSON array with the line each one starts on."""
    decoder = json.JSONDecoder()
    records: list[Record] = []
    i = text.index("[") + 1
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n:
            return records, [BadRow(_line_of(text, n), "unterminated JSON array")]
        if text[i] == "]":
            return records, []
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            return records, [BadRow(_line_of(text, exc.pos), f"invalid JSON: {exc.msg}")]
        records.append(Record(_line_of(text, i), len(records), value))
        i = end


def read_records(path: Path, *, collect: bool = False) -> tuple[list[Record], list[BadRow]]:
    """Parse ``path`` as a JSON array, else as JSON lines.

    With ``collect=False`` the first bad row raises DatasetError naming the file and line;
    with ``collect=True`` bad rows are returned so a checker can report them all.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from None
    stripped = text.lstrip()
    bad: list[BadRow]
    if stripped.startswith("["):
        records, bad = _array_records(text, path)
    else:
        records, bad = [], []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                bad.append(BadRow(lineno, f"invalid JSON: {exc.msg} (column {exc.colno})"))
                if not collect:
                    break
                continue
            records.append(Record(lineno, len(records), value))
    if bad and not collect:
        raise DatasetError(f"{path}, line {bad[0].line}: {bad[0].message}")
    if not records and not bad:
        raise DatasetError(f"{path}: no items (expected a JSON array or one JSON object per line)")
    return records, bad


def parse_number(value: Any) -> tuple[float, str] | None:
    """A finite float and its source text from a JSON number or numeric string, else None.

    Accepts the stored forms seen in the benchmarks: ``" 172666.667"``, ``"-0.0"``, ``"9"``,
    ``"1,160"``; rejects booleans, NaN, infinities and words.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
        return (f, repr(value)) if math.isfinite(f) else None
    if isinstance(value, str):
        s = value.strip()
        if _THOUSANDS.match(s):
            s = s.replace(",", "")
        if not _NUMBER.match(s):
            return None
        f = float(s)
        return (f, s) if math.isfinite(f) else None
    return None


def is_no_solution(value: Any) -> bool:
    """True if a stored answer says the problem has no optimal solution ("No Best Solution")."""
    return isinstance(value, str) and value.strip().lower() in NO_SOLUTION_TEXTS


# Words that mark a results label as the optimized quantity rather than a decision value.
# Checked on OptiBench (605) and NL4OPT-E (289): it finds every objective that is not the
# last key (OptiBench 4, 20, 78, 82, 97, 289, 321, 476, 490; NL4OPT-E 156).
_OBJECTIVE_WORDS = re.compile(
    r"\b(max|min|maximum|minimum|maximal|minimal|maximi[sz]ed?|minimi[sz]ed?|maximi[sz]ing|minimi[sz]ing|"
    r"optimal|objective|total|overall|profit|cost|costs|revenue)\b",
    re.IGNORECASE,
)


def objective_index(labels: list[str], *, has_objective: bool = True) -> int | None:
    """Which of an ordered results dict's labels is the objective (see the module notes).

    The last label if it reads like an objective; else the first label that does; else the
    last label (the convention of every single-answer copy), unless the caller knows the
    item stores decision values only (``has_objective=False``).
    """
    if not labels:
        return None
    marks = [bool(_OBJECTIVE_WORDS.search(label)) for label in labels]
    if marks[-1]:
        return len(labels) - 1
    for i, marked in enumerate(marks):
        if marked:
            return i
    return len(labels) - 1 if has_objective else None
