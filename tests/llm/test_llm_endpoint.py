"""check_endpoint (used by ``optiforge doctor``) and the standalone fake server."""

from __future__ import annotations

import subprocess
import sys

import pytest

from optiforge.llm import LM, check_endpoint


def test_server_that_serves_the_model(fake_server):
    server = fake_server(models=["m1", "m2"])
    status = check_endpoint("openai/m1", server.base_url)
    assert status.ok and "m1" in status.detail and status.latency_s is not None
    missing = check_endpoint("m9", server.base_url)
    assert not missing.ok and "does not serve 'm9'" in missing.detail and "m1" in missing.detail


def test_bad_key_and_closed_port(fake_server, closed_port):
    server = fake_server(api_key="sk-x")
    status = check_endpoint("m", server.base_url, api_key="sk-wrong")
    assert not status.ok and "API key" in status.detail and "sk-wrong" not in status.detail
    assert check_endpoint("fake-model", server.base_url, api_key="sk-x").ok
    down = check_endpoint("m", f"http://127.0.0.1:{closed_port}/v1", timeout_s=2)
    assert not down.ok and "no server answers" in down.detail


def test_nothing_configured():
    status = check_endpoint()
    assert not status.ok and "OPTIFORGE_MODEL" in status.detail


@pytest.mark.slow  # imports litellm (seconds)
def test_hosted_model_reports_missing_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    status = check_endpoint("openai/gpt-4o-mini")
    assert not status.ok and "OPENAI_API_KEY" in status.detail
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    status = check_endpoint("openai/gpt-4o-mini")
    assert status.ok and "sk-test" not in status.detail


def test_standalone_fake_server_process():
    proc = subprocess.Popen(
        [sys.executable, "-m", "optiforge.llm.fakeserver", "--port", "0", "--reply", "standalone"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        base_url = line.strip().rsplit(" ", 1)[-1]
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        assert check_endpoint(None, base_url).ok
        assert LM("openai/x", api_base=base_url, cache=False).complete_sync("q").text == "standalone"
    finally:
        proc.terminate()
        proc.wait(10)


def test_fake_server_answers_n_choices_with_usage_and_id(fake_server):
    import json
    import urllib.request

    server = fake_server(reply=lambda body: f"reply to {body['messages'][-1]['content']}")
    req = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps({"model": "m", "messages": [{"role": "user", "content": "hey"}], "n": 3}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        data = json.loads(resp.read())
    assert [c["message"]["content"] for c in data["choices"]] == ["reply to hey"] * 3
    assert [c["index"] for c in data["choices"]] == [0, 1, 2]
    assert data["id"].startswith("chatcmpl-") and data["usage"]["total_tokens"] > 0
    assert server.requests[0]["n"] == 3


def test_retry_after_header_forms():
    from optiforge.llm._http import _retry_after

    assert _retry_after("2") == 2.0
    assert _retry_after("0.5") == 0.5
    assert _retry_after(None) is None and _retry_after("soon") is None
    assert 0 <= _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
