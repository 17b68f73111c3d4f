"""optiforge: LLM agents that optimize real things, measured.

The public API is loaded lazily (PEP 562): ``import optiforge`` stays cheap, and
``optiforge.LM`` (for example) imports the LLM layer on first access.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "Settings": "optiforge.config",
    "load_settings": "optiforge.config",
    "LM": "optiforge.llm",
    "ScriptedLM": "optiforge.llm",
    "Completion": "optiforge.llm",
    "formulate": "optiforge.agents.formulate",
    "aformulate": "optiforge.agents.formulate",
    "FormulateAgent": "optiforge.agents.formulate",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'optiforge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
