"""Fixtures for sandbox tests."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def marker() -> str:
    """A unique string a hostile program carries in its argv and file names."""
    return "ofmark" + uuid.uuid4().hex[:12]

