"""Turning benchmark files into Problem records, skipping (and counting) items without usable gold."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from optiforge.datasets._exclude import ExcludeArg, as_exclusions, qualify, shipped_exclusions
from optiforge.datasets._locate import how_to_get, locate
from optiforge.datasets._model import GoldStatus, GoldValue, LoadedDataset, Problem, SkippedItem
from optiforge.datasets._read import (
    BadRow,
    Record,
    is_no_solution,
    objective_index,
    parse_number,
    read_records,
)
from optiforge.datasets._registry import DatasetSpec, get_spec
from optiforge.errors import DatasetError

NoSolution = Literal["skip", "keep"]

# OptiBench items whose `results` hold decision values only: the question asks for the
# decision, so there is no objective entry (../shared/data/optibench/SOURCE.md, "Pitfalls").
_OPTIBENCH_DECISION_ONLY = frozenset({33, 42, 49, 164, 364, 387, 493, 545, 583})

# Field layouts tried, in order, when a file's layout is not given (published formats:
# ORLM/OptMATH/IndustryOR `en_question`/`en_answer`; LLMOPT testsets `question`/`answer`;
# MAMO `Question`/`Answer`; ReSocratic `question`/`results`).
_LAYOUTS: tuple[tuple[str, str], ...] = (
    ("en_question", "en_answer"),
    ("question", "results"),
    ("question", "answer"),
    ("Question", "Answer"),
)
_ID_FIELDS = ("id", "index", "ID", "idx")


@dataclass(frozen=True)
class Fields:
    """Which JSON fields hold the text, the answer and the id (None: the item's position)."""

    text: str
    answer: str
    id: str | None = None
    id_base: int = 0


_SPEC_FIELDS: dict[str, Fields] = {
    "results": Fields("question", "results", "index"),
    "en_qa": Fields("en_question", "en_answer", "id"),
    "mamo": Fields("Question", "Answer", "id"),
}


def detect_fields(records: list[Record], path: Path) -> Fields:
    """Guess the layout from the first object: one of the published field pairs."""
    first = next((r for r in records if isinstance(r.data, dict)), None)
    if first is None:
        raise DatasetError(
            f"{path}, line {records[0].line if records else 1}: items must be JSON objects"
        )
    keys = set(first.data)
    for text, answer in _LAYOUTS:
        if text in keys and answer in keys:
            id_field = next((f for f in _ID_FIELDS if f in keys), None)
            return Fields(text, answer, id_field)
    raise DatasetError(
        f"{path}, line {first.line}: cannot tell the layout from fields {sorted(keys)}; "
        "pass text_field= and answer_field= (CLI: --text-field/--answer-field)"
    )


def _gold(
    answer: Any, item_id: str, dataset: str
) -> tuple[tuple[GoldValue, ...], GoldStatus] | str:
    """(gold values, status) or the reason the gold is unusable."""
    if isinstance(answer, dict):
        if not answer:
            return "no usable gold: empty results"
        labels = [str(k) for k in answer]
        values: list[tuple[str, float, str]] = []
        for label, raw in zip(labels, answer.values(), strict=True):
            parsed = parse_number(raw)
            if parsed is None:
                return f"no usable gold: results[{label!r}] = {raw!r} is not a number"
            values.append((label, parsed[0], parsed[1]))
        has_obj = not (
            dataset == "optibench"
            and item_id.rsplit("/", 1)[-1].isdigit()
            and int(item_id.rsplit("/", 1)[-1]) in _OPTIBENCH_DECISION_ONLY
        )
        obj = objective_index(labels, has_objective=has_obj)
        return tuple(
            GoldValue(label=lab, value=v, raw=raw, is_objective=(i == obj))
            for i, (lab, v, raw) in enumerate(values)
        ), "optimal"
    if is_no_solution(answer):
        return (), "no_solution"
    parsed = parse_number(answer)
    if parsed is None:
        return f"no usable gold: {answer!r} is not a number"
    raw = answer.strip() if isinstance(answer, str) else parsed[1]
    return (GoldValue(label="objective", value=parsed[0], raw=raw),), "optimal"


def convert(
    records: list[Record],
    path: Path,
    fields: Fields,
    *,
    dataset: str,
    rule: str,
    no_solution: NoSolution = "skip",
    extra_meta: dict[str, Any] | None = None,
    collect: bool = False,
) -> tuple[list[Problem], list[SkippedItem], list[BadRow]]:
    """Records -> problems; missing fields raise DatasetError naming the line (or, with
    ``collect=True``, are returned as bad rows)."""
    problems: list[Problem] = []
    skipped: list[SkippedItem] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}

    def fail(line: int, msg: str) -> None:
        if not collect:
            raise DatasetError(f"{path}, line {line}: {msg}")
        bad.append(BadRow(line, msg))

    for rec in records:
        data = rec.data
        if not isinstance(data, dict):
            fail(rec.line, f"expected a JSON object, got {type(data).__name__}")
            continue
        missing = [f for f in (fields.text, fields.answer) if f not in data]
        if missing:
            fail(rec.line, f"missing field {missing[0]!r}")
            continue
        text = data[fields.text]
        if not isinstance(text, str) or not text.strip():
            fail(rec.line, f"field {fields.text!r} must be non-empty text")
            continue
        if fields.id is not None and fields.id in data:
            local = str(data[fields.id]).strip()
        else:
            local = str(rec.position + fields.id_base)
        item_id = f"{dataset}/{local}"
        if item_id in seen:
            fail(rec.line, f"duplicate id {local!r} (first on line {seen[item_id]})")
            continue
        seen[item_id] = rec.line
        gold = _gold(data[fields.answer], item_id, dataset)
        if isinstance(gold, str):
            if collect:
                bad.append(BadRow(rec.line, f"{gold} (field {fields.answer!r})"))
            skipped.append(SkippedItem(id=item_id, reason=gold, line=rec.line))
            continue
        values, status = gold
        if status == "no_solution" and no_solution == "skip":
            skipped.append(
                SkippedItem(
                    id=item_id,
                    reason=f"no usable gold: {str(data[fields.answer]).strip()!r}",
                    line=rec.line,
                )
            )
            continue
        meta: dict[str, Any] = {
            "line": rec.line,
            "position": rec.position,
            "source_id": data.get(fields.id) if fields.id else rec.position,
        }
        for key, value in data.items():
            if key not in (fields.text, fields.answer, fields.id) and isinstance(
                value, str | int | float | bool
            ):
                meta.setdefault(key.lower(), value)
        kind = str(meta.get("type", ""))
        if kind.startswith(("linear", "nonlinear")):
            meta["kind"] = kind.split("-", 1)[0]
            meta["table"] = kind.endswith("-table")
        meta.update(extra_meta or {})
        problems.append(
            Problem(
                id=item_id,
                dataset=dataset,
                text=text,
                gold=values,
                gold_status=status,
                rule=rule,
                metadata=meta,
            )
        )
    return problems, skipped, bad


def _complexor_dir(path: Path, rule: str) -> tuple[list[Problem], list[SkippedItem]]:
    """Chain-of-Experts layout: one folder per problem, ``description.txt`` + ``sample.json``
    (a list of ``{"input": {...}, "output": [value]}``); each sample is one item."""
    problems: list[Problem] = []
    skipped: list[SkippedItem] = []
    for folder in sorted(p for p in path.iterdir() if (p / "description.txt").is_file()):
        desc = (folder / "description.txt").read_text(encoding="utf-8").strip()
        sample_path = folder / "sample.json"
        if not sample_path.is_file():
            skipped.append(
                SkippedItem(id=f"complexor/{folder.name}", reason="no usable gold: no sample.json")
            )
            continue
        try:
            samples = json.loads(sample_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"{sample_path}, line {exc.lineno}: invalid JSON: {exc.msg}"
            ) from None
        if not isinstance(samples, list):
            raise DatasetError(f"{sample_path}: expected a JSON array of samples")
        for k, sample in enumerate(samples):
            item_id = f"complexor/{folder.name}/{k}"
            if not isinstance(sample, dict) or "input" not in sample or "output" not in sample:
                raise DatasetError(f"{sample_path}: sample {k} needs 'input' and 'output'")
            out = sample["output"]
            out = out[0] if isinstance(out, list) and len(out) == 1 else out
            gold = _gold(out, item_id, "complexor")
            if isinstance(gold, str):
                skipped.append(SkippedItem(id=item_id, reason=gold))
                continue
            text = f"{desc}\n\nInput data (JSON):\n{json.dumps(sample['input'], indent=1)}"
            problems.append(
                Problem(
                    id=item_id,
                    dataset="complexor",
                    text=text,
                    gold=gold[0],
                    gold_status=gold[1],
                    rule=rule,
                    metadata={"problem": folder.name, "sample": k},
                )
            )
    if not problems and not skipped:
        raise DatasetError(
            f"{path}: no ComplexOR problem folders (expected <problem>/description.txt)"
        )
    return problems, skipped


def _select(
    problems: list[Problem],
    skipped: list[SkippedItem],
    dataset: str,
    *,
    ids: Iterable[str] | None,
    exclusions: dict[str, str],
    limit: int | None,
) -> tuple[list[Problem], list[SkippedItem]]:
    ex = qualify(exclusions, dataset)
    kept: list[Problem] = []
    for p in problems:
        if p.id in ex:
            skipped.append(
                SkippedItem(id=p.id, reason=f"excluded: {ex[p.id]}", line=p.metadata.get("line"))
            )
        else:
            kept.append(p)
    if ids is not None:
        wanted = set(qualify({str(i): "" for i in ids}, dataset))
        kept = [p for p in kept if p.id in wanted]
    if limit is not None:
        if limit < 0:
            raise DatasetError(f"limit must be >= 0, got {limit}")
        kept = kept[:limit]
    return kept, skipped


def load_file(
    path: str | Path,
    *,
    text_field: str | None = None,
    answer_field: str | None = None,
    id_field: str | None = None,
    dataset: str | None = None,
    rule: str = "rel_1e4",
    no_solution: NoSolution = "skip",
    limit: int | None = None,
    ids: Iterable[str] | None = None,
    exclude: ExcludeArg = None,
) -> LoadedDataset:
    """Load any JSON array / JSONL file of word problems with a field mapping.

    Unset fields are detected from the published layouts (``en_question``/``en_answer``,
    ``question``/``answer``, ``question``/``results``, ``Question``/``Answer``). The answer may
    be a number, a numeric string, ``"No Best Solution"`` or a dict of labelled values.
    """
    from optiforge.datasets.rules import get_rule

    get_rule(rule)
    p = Path(path).expanduser()
    name = dataset or p.stem.lower().replace("-", "_").replace(" ", "_")
    records, _ = read_records(p)
    if text_field is None or answer_field is None:
        guess = detect_fields(records, p)
        fields = Fields(
            text_field or guess.text, answer_field or guess.answer, id_field or guess.id
        )
    else:
        fields = Fields(text_field, answer_field, id_field)
    problems, skipped, _ = convert(
        records, p, fields, dataset=name, rule=rule, no_solution=no_solution
    )
    file_items = len(problems) + len(skipped)
    problems, skipped = _select(
        problems, skipped, name, ids=ids, exclusions=as_exclusions(exclude), limit=limit
    )
    return LoadedDataset(
        name=name,
        source=str(p),
        problems=tuple(problems),
        skipped=tuple(skipped),
        rule=rule,
        file_items=file_items,
    )


def load_spec_path(
    spec: DatasetSpec, path: Path, *, rule: str, no_solution: NoSolution
) -> tuple[list[Problem], list[SkippedItem]]:
    """All items of ``spec`` at ``path`` (no exclusions or filters applied)."""
    if spec.loader == "complexor" and path.is_dir():
        return _complexor_dir(path, rule)
    records, _ = read_records(path)
    fields = _SPEC_FIELDS.get(spec.loader) or detect_fields(records, path)
    problems, skipped, _ = convert(
        records,
        path,
        fields,
        dataset=spec.name,
        rule=rule,
        no_solution=no_solution,
        extra_meta={"split": "test"},
    )
    return problems, skipped


def load(
    name: str,
    *,
    data_dir: str | Path | None = None,
    path: str | Path | None = None,
    limit: int | None = None,
    ids: Iterable[str] | None = None,
    exclude: ExcludeArg = None,
    shipped_exclude: bool = True,
    rule: str | None = None,
    no_solution: NoSolution = "skip",
) -> LoadedDataset:
    """Load benchmark ``name`` (see :func:`list_datasets`).

    Files are looked up in ``data_dir``, ``OPTIFORGE_DATA_DIR``, the download cache, then
    ``../shared/data``; ``path`` names the file (or ComplexOR folder) directly. Items without
    usable gold and excluded items are listed in ``skipped`` with reasons: the shipped
    exclusion list (unless ``shipped_exclude=False``) plus ``exclude`` (a file, mapping of
    id -> reason, or ids). ``no_solution="keep"`` keeps "No Best Solution" golds as items
    whose correct answer is "infeasible". ``ids`` and ``limit`` select a subset.
    """
    from optiforge.datasets.rules import get_rule

    spec = get_spec(name)
    use_rule = rule or spec.default_rule
    get_rule(use_rule)
    if path is not None:
        found = Path(path).expanduser()
        if not found.exists():
            raise DatasetError(f"{found}: no such file or folder")
    else:
        hit = locate(spec, data_dir)
        if hit is None:
            raise DatasetError(f"data set {spec.name!r} not found; {how_to_get(spec)}")
        found = hit[0]
    problems, skipped = load_spec_path(spec, found, rule=use_rule, no_solution=no_solution)
    file_items = len(problems) + len(skipped)
    exclusions = dict(shipped_exclusions(spec.name)) if shipped_exclude else {}
    exclusions.update(qualify(as_exclusions(exclude), spec.name))
    problems, skipped = _select(
        problems, skipped, spec.name, ids=ids, exclusions=exclusions, limit=limit
    )
    return LoadedDataset(
        name=spec.name,
        source=str(found),
        problems=tuple(problems),
        skipped=tuple(skipped),
        rule=use_rule,
        license=spec.license,
        file_items=file_items,
    )
