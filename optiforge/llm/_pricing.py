"""Per-token prices from litellm's bundled cost map, read as JSON without importing litellm."""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

_COST_FILE = "model_prices_and_context_window_backup.json"


@lru_cache(maxsize=1)
def _cost_map() -> dict[str, Any]:
    try:
        spec = importlib.util.find_spec("litellm")
    except (ImportError, ValueError):
        return {}
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / _COST_FILE
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


@lru_cache(maxsize=256)
def token_prices(model: str) -> tuple[float, float]:
    """(USD per prompt token, USD per completion token); (0, 0) for unknown (local) models."""
    cost_map = _cost_map()
    names = [model]
    if "/" in model:
        names.append(model.split("/", 1)[1])
    for name in names:
        entry = cost_map.get(name)
        if isinstance(entry, dict):
            return float(entry.get("input_cost_per_token") or 0.0), float(entry.get("output_cost_per_token") or 0.0)
    return 0.0, 0.0


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """The price of one call by the cost map; 0 when the model is not in it."""
    p_in, p_out = token_prices(model)
    return prompt_tokens * p_in + completion_tokens * p_out
