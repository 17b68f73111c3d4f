"""PNG plots of a report (matplotlib, Agg backend): accuracy, cost vs accuracy, errors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optiforge.bench._report import Group


def _title(text: str, replayed: bool) -> str:
    return text + (" — REPLAYED responses, not a live model" if replayed else "")


def write_plots(groups: Sequence[Group], out: Path, *, replayed: bool = False) -> list[Path]:
    """accuracy.png, cost_vs_accuracy.png and errors.png in ``out``; returns their paths."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    files: list[Path] = []
    several = len({g.spec_hash for g in groups}) > 1
    labels = [f"{g.dataset}\n{g.method}\n{g.model}" + (f"\n{g.spec_hash[:8]}" if several else "") for g in groups]
    acc = [100 * g.accuracy for g in groups]
    lo = [100 * (g.accuracy - g.ci()[0]) for g in groups]
    hi = [100 * (g.ci()[1] - g.accuracy) for g in groups]

    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(groups) + 2), 4.5))
    ax.bar(range(len(groups)), acc, yerr=[lo, hi], capsize=4, color="#4C72B0")
    ax.set_xticks(range(len(groups)), labels, fontsize=7)
    ax.set_ylabel("accuracy (%) with 95% Wilson CI")
    ax.set_ylim(0, 105)
    ax.set_title(_title("Accuracy by data set, method and model", replayed), fontsize=9)
    fig.tight_layout()
    p = out / "accuracy.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    files.append(p)

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    xs, xlabel = spend_axis(groups)
    for g, x, a in zip(groups, xs, acc, strict=True):
        ax.scatter(x, a, s=40)
        ax.annotate(f"{g.method}/{g.model}\n{g.dataset}", (x, a), fontsize=6, xytext=(4, 4), textcoords="offset points")
    ax.set_xlim(0, max(xs, default=0.0) * 1.4 or 1.0)  # room for the labels right of the points
    ax.set_xlabel(xlabel)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title(_title("Cost vs accuracy", replayed), fontsize=9)
    fig.tight_layout()
    p = out / "cost_vs_accuracy.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    files.append(p)

    cats = sorted({c for g in groups for c in g.errors} | ({"not_run"} if any(g.not_run for g in groups) else set()))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(groups) + 2), 4.5))
    bottom = [0.0] * len(groups)
    for c in cats:
        vals = [float(g.not_run if c == "not_run" else g.errors.get(c, 0)) for g in groups]
        ax.bar(range(len(groups)), vals, bottom=bottom, label=c)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_xticks(range(len(groups)), labels, fontsize=7)
    ax.set_ylabel("cells")
    if cats:
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no failures", transform=ax.transAxes, ha="center")
    ax.set_title(_title("Failures by category", replayed), fontsize=9)
    fig.tight_layout()
    p = out / "errors.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    files.append(p)
    return files


def spend_axis(groups: Sequence[Any]) -> tuple[list[float], str]:
    """x values and label of the cost plot: mean USD per cell, or mean tokens when nothing was billed.

    Local and replayed models bill nothing; an all-zero cost axis says nothing, tokens do.
    """
    billed = any(g.cost_usd > 0 for g in groups)
    xs = [((g.cost_usd if billed else g.prompt_tokens + g.completion_tokens) / g.n) if g.n else 0.0 for g in groups]
    return xs, "mean cost per cell (USD, billed)" if billed else "mean tokens per cell (nothing was billed)"
