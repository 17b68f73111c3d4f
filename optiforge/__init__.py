"""optiforge: LLM agents that optimize real things, measured.

The public API is loaded lazily (PEP 562): ``import optiforge`` stays cheap, and
``optiforge.LM`` (for example) imports the LLM layer on first access.
"""

from __future__ import annotations

from optiforge._lazy import lazy_attributes

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Settings": "optiforge.config",
    "load_settings": "optiforge.config",
    "LM": "optiforge.llm",
    "ScriptedLM": "optiforge.llm",
    "ReplayLM": "optiforge.llm",
    "Completion": "optiforge.llm",
    "Parameter": "optiforge.graph",
    "Module": "optiforge.graph",
    "bundle": "optiforge.graph",
    "node": "optiforge.graph",
    "OptoPrime": "optiforge.optimizers",
    "TextGrad": "optiforge.optimizers",
    "OPRO": "optiforge.optimizers",
    "EvoPrompt": "optiforge.optimizers",
    "Trainer": "optiforge.optimizers",
    "Formulation": "optiforge.solvers",
    "solve": "optiforge.solvers",
    "verify": "optiforge.solvers",
    "formulate": "optiforge.agents.formulate",
    "aformulate": "optiforge.agents.formulate",
    "FormulateAgent": "optiforge.agents.formulate",
    "CodeOptAgent": "optiforge.agents.code",
    "run_experiment": "optiforge.bench",
}

__all__ = ["__version__", *sorted(_LAZY)]

__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals())
