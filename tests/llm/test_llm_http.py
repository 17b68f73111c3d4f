"""The direct backend against the loopback fake server: retries, fail-fast errors, faults."""

from __future__ import annotations

import asyncio
import time

import pytest

from optiforge.errors import (
    AuthenticationError,
    BadRequestError,
    RetriesExhausted,
    ServerUnreachable,
)
from optiforge.llm import LM
from optiforge.llm.fakeserver import Fault


def make(server_or_url, **kw):
    url = server_or_url if isinstance(server_or_url, str) else server_or_url.base_url
    kw.setdefault("cache", False)
    kw.setdefault("retry_base_s", 0.01)
    return LM("openai/m", api_base=url, **kw)


def test_plain_call_strips_openai_prefix_and_reports_usage(fake_server):
    server = fake_server(reply="hi there")
    c = make(server).complete_sync("hello", temperature=0.2, max_tokens=5)
    assert c.text == "hi there" and c.finish_reason == "stop"
    assert c.response_id.startswith("chatcmpl-fake")
    assert c.usage.completion_tokens > 0 and c.usage.total_tokens == c.usage.prompt_tokens + c.usage.completion_tokens
    body = server.requests[0]
    assert body["model"] == "m" and body["temperature"] == 0.2 and body["max_tokens"] == 5


def test_429_retried_honouring_retry_after(fake_server):
    server = fake_server(faults=[Fault(status=429, retry_after=0.4)], reply="ok")
    start = time.monotonic()
    c = make(server).complete_sync("q")
    assert c.text == "ok"
    assert time.monotonic() - start >= 0.4
    assert server.count == 2


def test_500_and_malformed_bodies_are_retried(fake_server):
    server = fake_server(faults=[500, 503, "malformed"], reply="fine")
    assert make(server).complete_sync("q").text == "fine"
    assert server.count == 4


def test_timeouts_are_retried_then_reported(fake_server):
    server = fake_server(faults=["hang"], hang_s=3.0, reply="late but fine")
    c = make(server, timeout_s=0.3).complete_sync("q")
    assert c.text == "late but fine" and server.count == 2

    always = fake_server(rule=lambda body, i: "hang", hang_s=3.0)
    with pytest.raises(RetriesExhausted, match=r"2 tries over .*timeout"):
        make(always, timeout_s=0.2, max_retries=1).complete_sync("q")


def test_persistent_429_gives_up_with_count_time_and_status(fake_server):
    server = fake_server(rule=lambda body, i: Fault(status=429, retry_after=0.05))
    start = time.monotonic()
    with pytest.raises(RetriesExhausted) as info:
        make(server, max_retries=3).complete_sync("q")
    message = str(info.value)
    assert "4 tries" in message and "HTTP 429" in message and server.base_url in message
    assert server.count == 4 and time.monotonic() - start >= 0.15
    assert "\n" not in message


def test_total_retry_time_is_bounded(fake_server):
    server = fake_server(rule=lambda body, i: Fault(status=503, retry_after=0.3))
    start = time.monotonic()
    with pytest.raises(RetriesExhausted):
        make(server, max_retries=50, retry_max_total_s=0.8).complete_sync("q")
    assert time.monotonic() - start < 1.5
    assert server.count <= 4


@pytest.mark.parametrize(("status", "error"), [(401, AuthenticationError), (403, AuthenticationError), (400, BadRequestError), (422, BadRequestError)])
def test_unfixable_errors_fail_fast(fake_server, status, error):
    server = fake_server(faults=[status])
    with pytest.raises(error) as info:
        make(server).complete_sync("q")
    assert server.count == 1
    assert f"HTTP {status}" in str(info.value)


def test_wrong_key_is_an_authentication_error_without_the_key(fake_server):
    server = fake_server(api_key="sk-right")
    with pytest.raises(AuthenticationError) as info:
        make(server, api_key="sk-wrong-secret").complete_sync("q")
    assert "sk-wrong-secret" not in str(info.value)
    assert make(server, api_key="sk-right").complete_sync("q").text == "ok"


def test_unknown_model_is_a_bad_request(fake_server):
    server = fake_server(models=["served"])
    with pytest.raises(BadRequestError, match="unknown model 'm'"):
        make(server).complete_sync("q")
    assert server.count == 1


def test_unreachable_server_names_the_url(closed_port):
    url = f"http://127.0.0.1:{closed_port}/v1"
    start = time.monotonic()
    with pytest.raises(ServerUnreachable) as info:
        make(url).complete_sync("q")
    assert url in str(info.value) and "refused" in str(info.value).lower()
    assert time.monotonic() - start < 3


def test_truncated_reply_is_returned_with_finish_reason_length(fake_server):
    server = fake_server(faults=["truncated"], reply="a complete sentence")
    c = make(server).complete_sync("q")
    assert c.finish_reason == "length"
    assert "a complete sentence".startswith(c.text) and 0 < len(c.text) < len("a complete sentence")


def test_concurrency_limit_is_respected(fake_server):
    server = fake_server(latency_s=0.1)
    lm = make(server, concurrency=4)

    async def main():
        async with lm:
            start = time.monotonic()
            await asyncio.gather(*(lm.complete(f"q{i}") for i in range(12)))
            return time.monotonic() - start

    elapsed = asyncio.run(main())
    # 12 calls, 4 at a time, 0.1 s each: at least 3 waves.
    assert elapsed >= 0.29
    assert server.count == 12


def test_sample_sends_distinct_requests_and_n_is_passed_through(fake_server):
    server = fake_server(reply="s")
    lm = make(server, cache=True)
    out = lm.sample_sync("q", 3, temperature=0.9)
    assert len(out) == 3 and server.count == 3
    again = lm.sample_sync("q", 3, temperature=0.9)
    assert all(c.cache_hit for c in again) and server.count == 3


def test_sessions_survive_separate_event_loops(fake_server):
    server = fake_server(reply="x")
    lm = make(server)
    for _ in range(3):
        assert asyncio.run(lm.complete("q")).text == "x"


def test_from_settings_uses_key_only_for_api_base(fake_server, monkeypatch):
    server = fake_server(api_key="sk-from-settings", reply="authorized")
    monkeypatch.setenv("OPTIFORGE_MODEL", "openai/m")
    monkeypatch.setenv("OPTIFORGE_API_BASE", server.base_url)
    monkeypatch.setenv("OPTIFORGE_API_KEY", "sk-from-settings")
    monkeypatch.setenv("OPTIFORGE_CONCURRENCY", "3")
    from optiforge.config import get_settings

    get_settings.cache_clear()
    lm = LM.from_settings(cache=False)
    assert lm.backend_name == "openai" and lm.concurrency == 3
    assert lm.complete_sync("q").text == "authorized"
    assert "sk-from-settings" not in repr(lm)


def test_settings_key_is_not_sent_to_hosted_providers(monkeypatch):
    monkeypatch.setenv("OPTIFORGE_API_KEY", "sk-for-local-server")
    from optiforge.config import get_settings

    get_settings.cache_clear()
    hosted = LM.from_settings(model="anthropic/claude-x", cache=False)
    assert hosted.backend_name == "litellm"
    assert hosted._backend._api_key is None
    assert LM("anthropic/claude-x", cache=False)._backend._api_key is None
