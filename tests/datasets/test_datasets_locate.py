"""Lookup order: --data-dir, OPTIFORGE_DATA_DIR, the download cache, then ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optiforge.config import get_settings
from optiforge.datasets import find, load
from optiforge.datasets._locate import shared_data_dirs
from optiforge.errors import DatasetError


def _put(root: Path, answer: str) -> Path:
    folder = root / "optmath_bench"
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / "OptMATH_Bench.json"
    f.write_text(
        json.dumps(
            [{"en_question": f"toy problem from {root.name}", "en_answer": float(answer), "id": 0}]
        )
    )
    return f


def test_lookup_order(tmp_path, monkeypatch, no_shared):
    explicit, env, shared = tmp_path / "explicit", tmp_path / "env", tmp_path / "shared"
    cache = Path(get_settings().home) / "datasets"
    for root, ans in ((explicit, "1"), (env, "2"), (cache, "3"), (shared, "4")):
        _put(root, ans)
    monkeypatch.setattr("optiforge.datasets._locate.shared_data_dirs", lambda: [shared])
    monkeypatch.setenv("OPTIFORGE_DATA_DIR", str(env))
    get_settings.cache_clear()

    def gold(**kw):
        return load("optmath_bench", **kw)[0].gold[0].value

    assert gold(data_dir=explicit) == 1.0
    assert find("optmath_bench", data_dir=explicit)[1] == "--data-dir"
    assert gold() == 2.0
    monkeypatch.delenv("OPTIFORGE_DATA_DIR")
    get_settings.cache_clear()
    assert gold() == 3.0 and find("optmath_bench")[1] == "cache"
    (cache / "optmath_bench" / "OptMATH_Bench.json").unlink()
    assert gold() == 4.0 and find("optmath_bench")[1] == "shared data"
    # an explicit dir without the file falls through to the next place
    assert gold(data_dir=tmp_path / "empty") == 4.0


def test_not_found_says_how_to_fetch(no_shared):
    assert find("optibench") is None
    with pytest.raises(DatasetError, match="optiforge datasets fetch optibench"):
        load("optibench")


def test_shared_data_found_walking_up_from_cwd(tmp_path, monkeypatch):
    (tmp_path / "shared" / "data").mkdir(parents=True)
    deep = tmp_path / "checkout" / "sub"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert (tmp_path / "shared" / "data").resolve() in shared_data_dirs()


def test_data_dir_may_point_at_the_set_folder(tmp_path, no_shared):
    f = _put(tmp_path, "7")
    assert load("optmath_bench", data_dir=f.parent)[0].gold[0].value == 7.0
