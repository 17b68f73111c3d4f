"""Fixtures for the datasets tests: where the repo's small files and the shared benchmarks live."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "datasets"


def _shared_dir() -> Path | None:
    from optiforge.datasets._locate import shared_data_dirs

    for d in shared_data_dirs():
        if (d / "optibench" / "OptiBench.json").is_file():
            return d
    return None


@pytest.fixture
def data() -> Path:
    """tests/data/datasets."""
    return DATA


@pytest.fixture
def shared() -> Path:
    """The shared benchmark folder; skips the test when it is absent."""
    d = _shared_dir()
    if d is None:
        pytest.skip("shared/data benchmarks not present")
    return d


@pytest.fixture
def no_shared(monkeypatch):
    """Hide ../shared/data so lookup tests see only the folders they create."""
    monkeypatch.setattr("optiforge.datasets._locate.shared_data_dirs", lambda: [])
