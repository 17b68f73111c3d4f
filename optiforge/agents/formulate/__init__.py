"""The formulation agent: optimization word problem -> verified optimal answer.

``FormulateAgent(lm).run(text)`` formulates a five-element model through the LLM layer's
structured output, solves it (HiGHS, or SCIP for nonlinear models), re-checks the solution
independently, reads the requested quantities off it, and repairs from concrete errors.
"""

from __future__ import annotations

from typing import Any

from optiforge.agents.formulate._agent import FormulateAgent, FormulatePrompts
from optiforge.agents.formulate._method import FormulateMethod, make_method
from optiforge.agents.formulate._result import FormulateResult
from optiforge.agents.formulate._schema import AnswerDef, ModelAnswer

__all__ = ["AnswerDef", "FormulateAgent", "FormulateMethod", "FormulatePrompts", "FormulateResult", "ModelAnswer", "aformulate", "formulate", "make_method"]


async def aformulate(text: str, *, lm: Any, queried: list[str] | None = None, **options: Any) -> FormulateResult:
    """Solve one word problem with ``lm``; options are :class:`FormulateAgent`'s."""
    return await FormulateAgent(lm, **options).arun(text, queried=queried)


def formulate(text: str, *, lm: Any, queried: list[str] | None = None, **options: Any) -> FormulateResult:
    """Synchronous :func:`aformulate`."""
    return FormulateAgent(lm, **options).run(text, queried=queried)
