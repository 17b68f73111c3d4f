"""What the model returns: a Formulation plus how to read each requested quantity off the solution."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from optiforge.solvers.formulation import Formulation


class AnswerDef(BaseModel):
    """How to compute one requested quantity from the solved model."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="The requested quantity's label, exactly as given.")
    expression: str = Field(description="'objective', or an expression over variables and parameters, e.g. \"x['small']\".")


class ModelAnswer(BaseModel):
    """The model's reply: brief reasoning, the formulation, and one answer per requested label."""

    model_config = ConfigDict(extra="forbid")

    reasoning: str = Field(default="", description="Brief notes on variables, objective and constraints.")
    formulation: Formulation
    answers: list[AnswerDef] = Field(min_length=1)
