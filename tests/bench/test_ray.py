"""The Ray executor on a tiny grid, on a local Ray instance (skipped without the ray extra)."""

from __future__ import annotations

import pytest

from optiforge.bench import Store, build_spec, run_experiment

pytest.importorskip("ray")


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.timeout(300)
def test_ray_executor_tiny_grid_matches_local(tmp_path, fake_server, mini_path):
    base = {
        "datasets": [{"name": "mini", "path": str(mini_path), "limit": 4}],
        "methods": ["direct"],
        "models": [{"model": "fake", "api_base": fake_server.base_url}],
        "seeds": [0, 1],
        "concurrency": 4,
    }
    ray_spec = build_spec({**base, "executor": "ray", "store": str(tmp_path / "ray.sqlite")})
    s = run_experiment(ray_spec)
    assert (s.status, s.ran, s.correct) == ("finished", 8, 4)
    assert fake_server.count == 8
    with Store(tmp_path / "ray.sqlite") as st:
        rows = st.cells(ray_spec.spec_hash)
        assert len(rows) == 8 and all(r.status == "answered" for r in rows)
        assert all(r.prompt_tokens > 0 and st.steps(r.cell_key) for r in rows)
    # resume on Ray: nothing to do
    assert run_experiment(ray_spec).ran == 0
    # the local executor gives the same verdicts (served from the shared LLM cache: no new requests)
    local_spec = build_spec({**base, "store": str(tmp_path / "local.sqlite")})
    s2 = run_experiment(local_spec)
    assert s2.correct == 4 and fake_server.count == 8
