"""Shared fixtures: every test gets its own optiforge home, so caches and stores never leak."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "optiforge-home"
    monkeypatch.setenv("OPTIFORGE_HOME", str(home))
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    for var in [v for v in os.environ if v.startswith("OPTIFORGE_") and v != "OPTIFORGE_HOME"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    from optiforge.config import get_settings

    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
