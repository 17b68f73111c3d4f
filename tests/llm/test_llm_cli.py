"""``optiforge llm ask`` against the loopback fake server, and its one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from optiforge.cli import main


def ask(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optiforge", "llm", "ask", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_ask_then_identical_ask_is_a_free_cache_hit(fake_server, capsys):
    server = fake_server(reply="Hello from the fake server.")
    args = ["llm", "ask", "--model", "openai/any", "--api-base", server.base_url, "--json", "hi"]
    main(args)
    first = json.loads(capsys.readouterr().out)
    main(args)
    second = json.loads(capsys.readouterr().out)
    assert first["text"] == second["text"] == "Hello from the fake server."
    assert not first["cache_hit"] and first["usage"]["total_tokens"] > 0
    assert second["cache_hit"] and second["cost_usd"] == 0 and second["usage"]["total_tokens"] == 0
    assert first["backend"] == "openai"
    assert len(server.requests) == 1 and server.requests[0]["model"] == "any"


def test_ask_prints_answer_and_stats_line(fake_server):
    server = fake_server(reply="forty-two")
    r = ask("--model", "openai/any", "--api-base", server.base_url, "--temperature", "0", "--max-tokens", "5", "--no-cache", "q?")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "forty-two\n"
    assert "tokens" in r.stderr and "cost $" in r.stderr and "latency" in r.stderr and "cache miss" in r.stderr
    body = server.requests[0]
    assert body["temperature"] == 0 and body["max_tokens"] == 5


def test_model_and_endpoint_from_settings(fake_server):
    server = fake_server(reply="configured")
    r = ask("q", env={"OPTIFORGE_MODEL": "openai/any", "OPTIFORGE_API_BASE": server.base_url})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "configured\n"


def test_api_key_env(fake_server):
    server = fake_server(api_key="sk-cli-secret")
    base = ["--model", "openai/any", "--api-base", server.base_url, "--no-cache"]
    ok = ask(*base, "--api-key-env", "MY_KEY", "q", env={"MY_KEY": "sk-cli-secret"})
    assert ok.returncode == 0, ok.stderr
    bad = ask(*base, "--api-key-env", "MY_KEY", "q", env={"MY_KEY": "sk-wrong-secret"})
    assert bad.returncode == 3
    assert bad.stderr.startswith("error: ") and "rejected the API key" in bad.stderr
    assert bad.stderr.count("\n") == 1 and "sk-wrong-secret" not in bad.stderr
    unset = ask(*base, "--api-key-env", "NOT_SET_ANYWHERE", "q")
    assert unset.returncode == 2 and "NOT_SET_ANYWHERE" in unset.stderr


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["q"], 2, "no model configured"),
        pytest.param(
            ["--model", "nonexistent-model-xyz", "q"], 3, "unknown model 'nonexistent-model-xyz'", marks=pytest.mark.slow
        ),
    ],
)
def test_one_line_errors(args, code, needle):
    r = ask(*args)
    assert r.returncode == code, r.stderr
    assert r.stderr.startswith("error: ") and needle in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_unreachable_server_is_one_line(closed_port):
    url = f"http://127.0.0.1:{closed_port}/v1"
    r = ask("--model", "openai/any", "--api-base", url, "--no-cache", "q", env={"OPTIFORGE_MAX_RETRIES": "1"})
    assert r.returncode == 3
    assert r.stderr.startswith("error: no server answers at " + url)
    assert r.stderr.count("\n") == 1


def test_unknown_model_at_server(fake_server):
    server = fake_server(models=["served-model"])
    r = ask("--model", "openai/other", "--api-base", server.base_url, "q")
    assert r.returncode == 3 and "unknown model 'other'" in r.stderr and r.stderr.count("\n") == 1
