"""The persistent cache: hits are free and marked, keys ignore secrets, samples cached apart."""

from __future__ import annotations

import subprocess
import sys

from optiforge.llm import LM, Cache, Ledger, ScriptedLM


def test_second_identical_call_is_a_free_hit(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    lm = ScriptedLM(["answer", "different"], cache=cache)
    miss = lm.complete_sync("q", temperature=0)
    hit = lm.complete_sync("q", temperature=0)
    assert not miss.cache_hit and hit.cache_hit
    assert hit.text == miss.text == "answer"
    assert hit.cost_usd == 0.0 and hit.usage.total_tokens == 0
    assert hit.original_usage == miss.usage
    assert len(lm.calls) == 1
    t = lm.ledger.totals()
    assert (t.calls, t.cache_hits, t.total_tokens) == (2, 1, miss.usage.total_tokens)
    # Different params are a different key.
    assert lm.complete_sync("q", temperature=0.5).text == "different"


def test_cache_persists_across_lm_instances_and_opt_outs(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    ScriptedLM(["stored"], cache=cache).complete_sync("q")
    again = ScriptedLM([], cache=Cache(tmp_path / "c.sqlite"))
    assert again.complete_sync("q").cache_hit
    per_call = ScriptedLM(["fresh"], cache=cache)
    c = per_call.complete_sync("q", cache=False)
    assert c.text == "fresh" and not c.cache_hit
    off = ScriptedLM(["fresh2"], cache=False)
    assert off.cache is None and off.complete_sync("q").text == "fresh2"


def test_default_cache_lives_under_settings_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIFORGE_CACHE_DIR", str(tmp_path / "cachedir"))
    from optiforge.config import get_settings

    get_settings.cache_clear()
    lm = ScriptedLM(["x"], cache=True)
    assert lm.cache is not None and lm.cache.path == tmp_path / "cachedir" / "llm.sqlite"
    lm.complete_sync("q")
    assert lm.cache.path.exists()


def test_samples_are_cached_per_index(tmp_path):
    cache = Cache(tmp_path / "c.sqlite")
    lm = ScriptedLM(["s0", "s1"], cache=cache)
    assert lm.complete_sync("q", temperature=1.0, sample=0).text == "s0"
    assert lm.complete_sync("q", temperature=1.0, sample=1).text == "s1"
    assert lm.complete_sync("q", temperature=1.0, sample=1).text == "s1"
    assert lm.complete_sync("q", temperature=1.0, sample=0).text == "s0"
    assert len(lm.calls) == 2


def test_key_ignores_api_key_and_base_and_file_holds_no_secret(fake_server, tmp_path):
    one = fake_server(reply="from one", api_key="sk-secret-one")
    two = fake_server(reply="from two", api_key="sk-secret-two")
    cache = Cache(tmp_path / "c.sqlite")
    a = LM("openai/m", api_base=one.base_url, api_key="sk-secret-one", cache=cache).complete_sync("q")
    b = LM("openai/m", api_base=two.base_url, api_key="sk-secret-two", cache=cache).complete_sync("q")
    assert a.text == b.text == "from one" and b.cache_hit
    assert len(two.requests) == 0
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("c.sqlite*"))
    assert b"sk-secret" not in raw and str(one.port).encode() not in raw


_WRITER = """
import sys
from optiforge.llm import Cache, ScriptedLM
cache = Cache(sys.argv[1])
lm = ScriptedLM(rules=[("", lambda m: "r:" + m[-1]["content"])], cache=cache)
for i in range(150):
    lm.complete_sync(f"q{i % 100}")
print(len(cache))
"""


def test_concurrent_processes_share_one_cache(tmp_path):
    path = tmp_path / "shared.sqlite"
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    cache = Cache(path)
    assert len(cache) == 100
    lm = ScriptedLM([], cache=cache)
    assert lm.complete_sync("q42").text == "r:q42"


def test_shared_ledger_counts_hits_but_bills_nothing(tmp_path):
    ledger = Ledger()
    cache = Cache(tmp_path / "c.sqlite")
    ScriptedLM(["x"], cache=cache, ledger=ledger).complete_sync("q")
    before = ledger.totals()
    ScriptedLM([], cache=cache, ledger=ledger).complete_sync("q")
    after = ledger.totals()
    assert after.calls == 2 and after.cache_hits == 1
    assert after.total_tokens == before.total_tokens and after.cost_usd == before.cost_usd
