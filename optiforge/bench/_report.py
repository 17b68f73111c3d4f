"""Reports from the store: accuracy tables with Wilson intervals, cost, failures, status and diffs."""

from __future__ import annotations

import csv
import math
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optiforge.bench._published import published_for
from optiforge.bench._store import CellRow, SpecInfo, Store
from optiforge.bench._suspects import suspect_rows
from optiforge.errors import InputError


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The 95% Wilson score interval for ``k`` successes in ``n`` trials, as fractions."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(slots=True)
class Group:
    """Aggregates of the finished cells of one (spec, dataset, method, model)."""

    dataset: str
    method: str
    model: str
    rule: str | None = None
    spec_hash: str = ""
    n: int = 0
    correct: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)
    not_run: int = 0
    metrics: dict[str, list[float]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Fraction correct under the data set's own rule."""
        return self.correct / self.n if self.n else 0.0

    def ci(self, k: int | None = None) -> tuple[float, float]:
        """Wilson interval of ``k`` (default: correct under the own rule) of ``n``."""
        return wilson(self.correct if k is None else k, self.n)


def aggregate(rows: Iterable[CellRow]) -> list[Group]:
    """Group rows by (spec, dataset, method, model); not-run cells are counted apart, not as wrong.

    Specs stay apart because two specs may hold the same cell (a rerun with more seeds), and
    counting it twice would narrow the intervals for nothing.
    """
    groups: dict[tuple[str, str, str, str], Group] = {}
    for r in rows:
        gk = (r.spec_hash, r.dataset, r.method, r.model)
        g = groups.get(gk)
        if g is None:
            g = groups[gk] = Group(r.dataset, r.method, r.model, r.rule, r.spec_hash)
        if r.status == "not_run":
            g.not_run += 1
            continue
        g.n += 1
        g.correct += int(bool(r.correct))
        for rule, ok in (r.correctness or {}).items():
            g.by_rule[rule] += int(bool(ok))
        g.prompt_tokens += r.prompt_tokens
        g.completion_tokens += r.completion_tokens
        g.cost_usd += r.cost_usd
        g.latency_s += r.latency_s
        if r.status != "answered":
            g.errors[r.error_category or "other"] += 1
        for key, value in ((r.meta or {}).get("metrics") or {}).items():
            if isinstance(value, int | float) and math.isfinite(value):
                g.metrics.setdefault(key, []).append(float(value))
    return sorted(groups.values(), key=lambda g: (g.dataset, g.method, g.model, g.spec_hash))


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _rules(groups: Sequence[Group]) -> list[str]:
    names: set[str] = set()
    for g in groups:
        names.update(g.by_rule)
    return sorted(names)


def accuracy_rows(groups: Sequence[Group]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the accuracy table: own rule with CI, then every rule with CI."""
    rules = _rules(groups)
    head = ["spec", "dataset", "method", "model", "n", "not_run", "rule", "accuracy_%", "ci95_low_%", "ci95_high_%"]
    for r in rules:
        head += [f"{r}_%", f"{r}_ci95_%"]
    out = []
    for g in groups:
        lo, hi = g.ci()
        row = [g.spec_hash[:8], g.dataset, g.method, g.model, str(g.n), str(g.not_run), g.rule or "", _pct(g.accuracy), _pct(lo), _pct(hi)]
        for r in rules:
            k = g.by_rule.get(r, 0)
            rlo, rhi = g.ci(k)
            row += [_pct(k / g.n) if g.n else "", f"{_pct(rlo)}-{_pct(rhi)}" if g.n else ""]
        out.append(row)
    return head, out


def cost_rows(groups: Sequence[Group]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the mean tokens / cost / latency table."""
    head = ["spec", "dataset", "method", "model", "n", "mean_prompt_tokens", "mean_completion_tokens", "mean_cost_usd",
            "total_cost_usd", "mean_latency_s"]
    out = []
    for g in groups:
        n = max(g.n, 1)
        out.append([g.spec_hash[:8], g.dataset, g.method, g.model, str(g.n), f"{g.prompt_tokens / n:.1f}", f"{g.completion_tokens / n:.1f}",
                    f"{g.cost_usd / n:.6f}", f"{g.cost_usd:.6f}", f"{g.latency_s / n:.3f}"])
    return head, out


def metrics_rows(groups: Sequence[Group]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the means of the metrics methods report per cell (``CellOutcome.metrics``)."""
    keys = sorted({k for g in groups for k in g.metrics})
    head = ["spec", "dataset", "method", "model", "n", *keys]
    out = [[g.spec_hash[:8], g.dataset, g.method, g.model, str(g.n),
             *(f"{sum(g.metrics[k]) / len(g.metrics[k]):.4g}" if g.metrics.get(k) else "" for k in keys)]
           for g in groups if g.metrics]
    return head, out


def failure_rows(groups: Sequence[Group]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of failures by category (cells without an answer)."""
    cats = sorted({c for g in groups for c in g.errors})
    head = ["spec", "dataset", "method", "model", "n", *cats, "not_run"]
    out = [[g.spec_hash[:8], g.dataset, g.method, g.model, str(g.n), *(str(g.errors.get(c, 0)) for c in cats), str(g.not_run)] for g in groups]
    return head, out


def published_rows(groups: Sequence[Group], replayed: frozenset[str] = frozenset()) -> tuple[list[str], list[list[str]]]:
    """Published numbers next to ours for the same data sets; ``replayed`` spec hashes are marked."""
    head = ["dataset", "system", "accuracy_%", "source", "note"]
    out: list[list[str]] = []
    for ds in sorted({g.dataset for g in groups}):
        for g in (x for x in groups if x.dataset == ds):
            lo, hi = g.ci()
            out.append([ds, f"ours: {g.method} / {g.model} (spec {g.spec_hash[:8]}, n={g.n})", f"{_pct(g.accuracy)} [{_pct(lo)}, {_pct(hi)}]",
                        "this store", f"rule {g.rule}" + ("; REPLAYED responses, not a live model" if g.spec_hash in replayed else "")])
        out.extend([ds, p.system, f"{p.accuracy:.1f}", p.citation,
                    p.note + ("" if p.number_checked else "; number not re-checked against the paper")]
                   for p in published_for(ds))
    return head, out


def _md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return "_no rows_\n"
    esc = [[c.replace("|", "\\|") for c in r] for r in rows]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in esc]
    return "\n".join(lines) + "\n"


def _write_csv(path: Path, head: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)


def _select_specs(store: Store, spec_hash: str | None) -> list[SpecInfo]:
    specs = [store.spec(spec_hash)] if spec_hash else store.specs()
    if not specs:
        raise InputError(f"{store.path} holds no runs yet (run `optiforge bench run` first)")
    return specs


def write_report(store: Store, out: str | Path, *, spec_hash: str | None = None, plots: bool = True) -> list[Path]:
    """Write report.md, accuracy.csv, cost.csv, failures.csv, published.csv, suspect_labels.csv and PNG plots to ``out``."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create report folder {out}: {exc.strerror or exc}") from None
    specs = _select_specs(store, spec_hash)
    rows = [r for s in specs for r in store.cells(s.spec_hash)]
    groups = aggregate(rows)
    replayed = [s for s in specs if s.replayed]
    tables = {
        "accuracy": accuracy_rows(groups),
        "cost": cost_rows(groups),
        "failures": failure_rows(groups),
        "metrics": metrics_rows(groups),
        "published": published_rows(groups, frozenset(s.spec_hash for s in replayed)),
        "suspect_labels": suspect_rows(specs, rows),
    }
    files: list[Path] = []
    for name, (head, body) in tables.items():
        p = out / f"{name}.csv"
        _write_csv(p, head, body)
        files.append(p)
    pngs: list[Path] = []
    if plots and groups:
        from optiforge.bench._plots import write_plots

        pngs = write_plots(groups, out, replayed=bool(replayed))
    md = ["# optiforge benchmark report", ""]
    md.append(f"Store: `{store.path}`; generated {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}.")
    md.append("")
    if replayed:
        md.append("> **REPLAYED RUN** — the answers below come from recorded model responses replayed offline, "
                  "not from a live model. Specs: " + ", ".join(f"`{s.spec_hash}`" for s in replayed) + ".")
        md.append("")
    md.append("## Specs")
    md.append("")
    for s in specs:
        done = sum(1 for r in rows if r.spec_hash == s.spec_hash and r.finished_ok)
        label = " (replayed)" if s.replayed else ""
        md.append(f"- `{s.spec_hash}`{label} {s.name or ''}: {done}/{s.total_cells} cells finished; "
                  f"methods {', '.join(s.spec.get('methods', []))}; models "
                  f"{', '.join(m.get('model', '?') for m in s.spec.get('models', []))}")
    md.append("")
    md.append("## Accuracy")
    md.append("")
    md.append("Accuracy in percent with 95% Wilson intervals; `rule` is the data set's own answer rule, and every "
              "rule's verdict follows. Cells that could not run (budget) are listed as `not_run`, not counted as wrong.")
    md.append("")
    md.append(_md_table(*tables["accuracy"]))
    md.append("## Cost and latency (means per cell)")
    md.append("")
    md.append(_md_table(*tables["cost"]))
    if tables["metrics"][1]:
        md.append("## Method metrics (means per cell)")
        md.append("")
        md.append("Numbers the methods report per cell, e.g. code-opt's speedup, pie_speedup (incorrect = 1.0), "
                  "percentile and eff; a mean is over the cells that report the metric.")
        md.append("")
        md.append(_md_table(*tables["metrics"]))
    md.append("## Failures by category")
    md.append("")
    md.append(_md_table(*tables["failures"]))
    md.append("## Published numbers")
    md.append("")
    md.append("Published results on the same data sets, for context: papers differ in answer rules, subsets and prompts.")
    md.append("")
    md.append(_md_table(*tables["published"]))
    md.append("## Suspect labels")
    md.append("")
    md.append("Items where at least two independent cells (models, methods or seeds) reached the same solver-verified "
              "objective and the gold disagrees: candidates for a wrong gold answer, to check by hand.")
    md.append("")
    md.append(_md_table(*tables["suspect_labels"]) if tables["suspect_labels"][1] else "None found (needs two or more verified cells per item).\n")
    if pngs:
        md.append("## Plots")
        md.append("")
        md.extend(f"![{p.stem}]({p.name})" for p in pngs)
        md.append("")
    report = out / "report.md"
    report.write_text("\n".join(md))
    return [report, *files, *pngs]


def status_lines(store: Store, spec_hash: str | None = None) -> list[str]:
    """One block per spec: cells done/total, not run, errors by category, cost, last run."""
    specs = _select_specs(store, spec_hash)
    lines = []
    for s in specs:
        rows = store.cells(s.spec_hash)
        done = [r for r in rows if r.finished_ok]
        not_run = sum(1 for r in rows if r.status == "not_run")
        correct = sum(1 for r in done if r.correct)
        errs = Counter(r.error_category or "other" for r in done if r.status != "answered")
        cost = sum(r.cost_usd for r in rows)
        store.live_runs(s.spec_hash)  # marks runs whose process died as killed
        runs = store.runs(s.spec_hash)
        last = runs[-1] if runs else None
        flag = " REPLAYED" if s.replayed else ""
        lines.append(f"{s.spec_hash}{flag} {s.name or ''}".rstrip())
        lines.append(f"  cells {len(done)}/{s.total_cells} done, {not_run} not run, {correct} correct; cost ${cost:.4f}")
        lines.append("  errors " + (", ".join(f"{k} {v}" for k, v in sorted(errs.items())) or "none"))
        if last is not None:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(last["started"]))
            lines.append(f"  last run #{last['run_id']} {when} UTC: {last['status']}" + (f" ({last['message']})" if last["message"] else ""))
    return lines


def _rows_for(ref: str, store: Path) -> tuple[str, list[CellRow]]:
    p = Path(ref)
    if p.exists() and p.is_file():
        with Store(p, readonly=True) as st:
            specs = st.specs()
            if not specs:
                raise InputError(f"{p} holds no runs")
            return f"{p}", [r for s in specs for r in st.cells(s.spec_hash)]
    with Store(store, readonly=True) as st:
        s = st.spec(ref)
        return s.spec_hash, st.cells(s.spec_hash)


def diff_lines(a: str, b: str, *, store: str | Path, rule: str | None = None) -> list[str]:
    """Items whose correctness changed from A to B (spec hashes in ``store``, or store paths).

    Cells are matched on (dataset, item, method, model, seed); a changed item is listed as
    ``+`` (now right) or ``-`` (now wrong), then a summary line.
    """
    name_a, rows_a = _rows_for(a, Path(store))
    name_b, rows_b = _rows_for(b, Path(store))

    def verdict(r: CellRow) -> bool | None:
        if not r.finished_ok:
            return None
        if rule is None:
            return bool(r.correct)
        if r.correctness is None or rule not in r.correctness:
            raise InputError(f"rule {rule!r} is not stored for {r.dataset}/{r.item}")
        return bool(r.correctness[rule])

    def key(r: CellRow) -> tuple[str, str, str, str, int]:
        return (r.dataset, r.item, r.method, r.model, r.seed)

    va = {key(r): verdict(r) for r in rows_a}
    vb = {key(r): verdict(r) for r in rows_b}
    common = [k for k in va if k in vb and va[k] is not None and vb[k] is not None]
    if not common:
        return [f"no cells in common between {name_a} and {name_b} (they must share dataset, item, method, model and seed)"]
    gained = [k for k in common if not va[k] and vb[k]]
    lost = [k for k in common if va[k] and not vb[k]]
    lines = [f"+ {k[0]}/{k[1]}  {k[2]} {k[3]} seed {k[4]}: wrong -> right" for k in sorted(gained)]
    lines += [f"- {k[0]}/{k[1]}  {k[2]} {k[3]} seed {k[4]}: right -> wrong" for k in sorted(lost)]
    acc_a = sum(1 for k in common if va[k])
    acc_b = sum(1 for k in common if vb[k])
    lines.append(f"{len(common)} cells in common: {name_a} {acc_a} correct, {name_b} {acc_b} correct; "
                 f"{len(gained)} gained, {len(lost)} lost")
    return lines


def summary_by_group(rows: Sequence[CellRow]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Accuracy, interval and mean cost per (spec, dataset, method, model), for API users."""
    return {
        (g.spec_hash, g.dataset, g.method, g.model): {"n": g.n, "correct": g.correct, "accuracy": g.accuracy, "ci95": g.ci(),
                                         "mean_cost_usd": g.cost_usd / g.n if g.n else 0.0, "errors": dict(g.errors),
                                         "not_run": g.not_run}
        for g in aggregate(rows)
    }

