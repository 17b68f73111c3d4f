"""The examples run end to end offline (ScriptedLM), and with --model against a loopback server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "OPENAI_API_KEY": "x"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("optimizer", ["optoprime", "textgrad", "opro", "evoprompt"])
def test_system_prompt_example_offline(optimizer):
    out = run_example("optimize_system_prompt.py", "--optimizer", optimizer, "--steps", "2")
    assert "validation accuracy: 0.00 -> 1.00" in out
    assert "best system prompt: Classify the sentiment" in out


def test_code_example_offline_refuses_unparsable_code_then_passes():
    out = run_example("optimize_code.py")
    assert "refused suggestion for code: code does not parse" in out
    assert "score 1.00  all tests pass" in out
    assert "values[-2] if len(values) > 1 else None" in out


def test_json_config_example_offline():
    out = run_example("optimize_json_config.py")
    assert "refused: JSON does not match the schema: workers" in out
    best = json.loads(out.split("best: ", 1)[1].split(" with ")[0])
    assert best == {"workers": 8, "batch_size": 64, "compression": "lz4"}


def test_json_config_example_with_model_flag_through_loopback_server():
    from optiforge.llm.fakeserver import FakeOpenAIServer

    reply = json.dumps({"candidates": [{"config": {"workers": 8, "batch_size": 128, "compression": "zstd"}}]})
    with FakeOpenAIServer(reply=reply) as server:
        out = run_example("optimize_json_config.py", "--model", "openai/fake", "--api-base",
                          server.base_url, "--steps", "2")
        assert len(server.requests) >= 1
    assert 'step 1: {"workers": 8, "batch_size": 128, "compression": "zstd"}' in out
