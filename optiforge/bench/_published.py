"""Published accuracies on the same data sets, shown next to ours in reports (with citations).

Each entry is a number a paper reports, with the paper and where in it. They are for
context only: papers differ in answer rules, item subsets and prompts, which the ``note``
says where known. Dataset keys are optiforge's canonical data set names.

The papers' identities (arXiv ids, titles) were checked; the numbers were transcribed from
the papers' main tables (OptMATH's is an image in its README) and are marked
``number_checked=False`` until someone re-reads them against the PDF; reports say so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Published:
    """One published accuracy (percent) for a data set."""

    dataset: str
    system: str
    accuracy: float
    citation: str
    note: str = ""
    number_checked: bool = False
    """True once someone compared the number with the paper's table (not just the citation)."""


_OPTMATH = "Lu et al., OptMATH (ICML 2025), arXiv:2502.11102, main results table"
_RESOCRATIC = "Yang et al., OptiBench Meets ReSocratic (ICLR 2025), arXiv:2407.09887, main results table"

PUBLISHED: tuple[Published, ...] = (
    Published("optibench", "GPT-4o, few-shot (code + solver)", 69.4, _RESOCRATIC, "ReSocratic scorer: every value within 1e-4"),
    Published("nl4opt", "OptMATH-Qwen2.5-32B (fine-tuned, code + solver)", 95.9, _OPTMATH, "ORLM/OptMATH scorer: rounded, relative 5%"),
    Published("mamo_easy_lp", "OptMATH-Qwen2.5-32B (fine-tuned, code + solver)", 89.9, _OPTMATH, "ORLM/OptMATH scorer"),
    Published("mamo_complex_lp", "OptMATH-Qwen2.5-32B (fine-tuned, code + solver)", 54.1, _OPTMATH, "ORLM/OptMATH scorer"),
    Published("optmath_bench", "OptMATH-Qwen2.5-32B (fine-tuned, code + solver)", 34.7, _OPTMATH, "ORLM/OptMATH scorer"),
    Published("industryor", "OptMATH-Qwen2.5-32B (fine-tuned, code + solver)", 31.0, _OPTMATH, "ORLM/OptMATH scorer"),
    Published("optibench", "OptMATH-Qwen2.5-32B (fine-tuned, code + solver)", 66.1, _OPTMATH, "ORLM/OptMATH scorer"),
)
"""The table; add rows here (with the citation) when a paper reports a data set we run."""


def published_for(dataset: str) -> list[Published]:
    """Published numbers for a data set (by canonical name), in table order."""
    return [p for p in PUBLISHED if p.dataset == dataset]
