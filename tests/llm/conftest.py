"""Fixtures for the LLM layer: loopback fake servers and a port nobody listens on."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from optiforge.llm.fakeserver import FakeOpenAIServer


@pytest.fixture
def fake_server() -> Iterator[Any]:
    """A factory: ``fake_server(**kwargs)`` starts a FakeOpenAIServer stopped after the test."""
    with ExitStack() as stack:

        def start(*args: Any, **kwargs: Any) -> FakeOpenAIServer:
            return stack.enter_context(FakeOpenAIServer(*args, **kwargs))

        yield start


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
