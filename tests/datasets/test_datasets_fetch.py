"""fetch() against a loopback HTTP server: success, checksum mismatch, unreachable server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import socket
import threading
from pathlib import Path

import pytest

from optiforge.datasets import fetch, load
from optiforge.datasets._registry import SPECS, DatasetSpec, UpstreamFile
from optiforge.errors import DatasetError

REPO, COMMIT, PATH = "example/tiny", "0123456789abcdef0123456789abcdef01234567", "data/tiny.json"
GOOD = json.dumps([{"en_question": "Maximize x with x <= 3.", "en_answer": 3.0, "id": 0}]).encode()


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server over tmp_path/www, laid out like raw.githubusercontent.com."""
    root = tmp_path / "www"
    target = root / REPO / COMMIT / PATH
    target.parent.mkdir(parents=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", target
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def tiny(monkeypatch):
    spec = DatasetSpec(
        name="tiny",
        title="tiny",
        license="MIT",
        default_rule="rel_1e4",
        items=1,
        loader="en_qa",
        files=(UpstreamFile("tiny.json", REPO, COMMIT, PATH, hashlib.sha256(GOOD).hexdigest()),),
    )
    monkeypatch.setitem(SPECS, "tiny", spec)
    return spec


def test_fetch_success_then_load_from_cache(server, tiny, no_shared):
    base, target = server
    target.write_bytes(GOOD)
    path = fetch("tiny", base_url=base)
    assert (
        path.read_bytes() == GOOD
        and path.parent.name == "tiny"
        and path.parent.parent.name == "datasets"
    )
    assert load("tiny")[0].gold[0].value == 3.0
    target.write_bytes(b"changed upstream")  # a verified cached copy is not downloaded again
    assert fetch("tiny", base_url=base).read_bytes() == GOOD


def test_fetch_base_url_from_environment(server, tiny, monkeypatch):
    base, target = server
    target.write_bytes(GOOD)
    monkeypatch.setenv("OPTIFORGE_DATASETS_BASE_URL", base)
    assert fetch("tiny").read_bytes() == GOOD


def test_checksum_mismatch_leaves_nothing(server, tiny, tmp_path):
    base, target = server
    target.write_bytes(GOOD + b" ")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="checksum mismatch"):
        fetch("tiny", base_url=base, cache_dir=cache)
    assert not any(p.is_file() for p in cache.rglob("*"))


def test_force_replaces_a_corrupt_cached_copy(server, tiny, tmp_path):
    base, target = server
    target.write_bytes(GOOD)
    cache = tmp_path / "cache"
    (cache / "tiny").mkdir(parents=True)
    (cache / "tiny" / "tiny.json").write_bytes(b"garbage")
    assert fetch("tiny", base_url=base, cache_dir=cache, force=True).read_bytes() == GOOD


def test_http_404_and_unreachable_server(server, tiny, tmp_path):
    base, _ = server  # the file was never written: 404
    with pytest.raises(DatasetError, match="HTTP 404"):
        fetch("tiny", base_url=base, cache_dir=tmp_path / "c")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatasetError, match="cannot download"):
        fetch("tiny", base_url=f"http://127.0.0.1:{port}", cache_dir=tmp_path / "c", timeout_s=5)
    assert not any(p.is_file() for p in (tmp_path / "c").rglob("*"))


def test_non_redistributable_sets_are_refused():
    with pytest.raises(DatasetError, match="cannot be fetched"):
        fetch("industryor")


def test_registry_urls_match_shared_checksums(shared):
    # The pinned SHA-256s in the registry are those of the byte-identical shared copies.
    from optiforge.datasets._fetch import file_url, sha256_of

    for spec in SPECS.values():
        if not spec.fetchable:
            continue
        for f in spec.files:
            local = shared / spec.name / f.name
            assert sha256_of(local) == f.sha256, local
            assert file_url(f).startswith(f"https://raw.githubusercontent.com/{f.repo}/{f.commit}/")


def test_fetched_layout_is_the_shared_layout(shared, tmp_path, monkeypatch, no_shared):
    # Serve the shared copy of a real set as if it were upstream, fetch it, and load it from the cache.
    root = tmp_path / "www"
    spec = SPECS["nl4opt_e"]
    for f in spec.files:
        dst = root / f.repo / f.commit / f.path
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(Path(shared / "nl4opt_e" / f.name).read_bytes())
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        fetch("nl4opt_e", base_url=f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(load("nl4opt_e")) == 289
