"""Downloading openly licensed benchmark files from upstream at pinned commits, checksum-verified."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from optiforge.datasets._locate import cache_root
from optiforge.datasets._registry import DatasetSpec, UpstreamFile, get_spec
from optiforge.errors import DatasetError

DEFAULT_BASE_URL = "https://raw.githubusercontent.com"
BASE_URL_ENV = "OPTIFORGE_DATASETS_BASE_URL"
"""Environment variable that replaces the raw.githubusercontent.com base (mirrors, tests)."""


def file_url(f: UpstreamFile, base_url: str | None = None) -> str:
    """``<base>/<owner>/<repo>/<commit>/<path>`` for one upstream file."""
    base = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    return f"{base}/{f.repo}/{f.commit}/{f.path}"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(url: str, dest: Path, expected_sha: str, timeout_s: float) -> None:
    """Stream ``url`` into a temp file next to ``dest``, verify, then rename into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as resp:
                for chunk in iter(lambda: resp.read(1 << 16), b""):
                    h.update(chunk)
                    out.write(chunk)
        except urllib.error.HTTPError as exc:
            raise DatasetError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DatasetError(
                f"cannot download {url}: {reason} (no network? set {BASE_URL_ENV} to a mirror, or use --data-dir)"
            ) from None
        got = h.hexdigest()
        if got != expected_sha:
            raise DatasetError(
                f"checksum mismatch for {url}: expected sha256 {expected_sha}, got {got}; nothing was saved"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(
    name: str,
    *,
    force: bool = False,
    base_url: str | None = None,
    cache_dir: str | Path | None = None,
    timeout_s: float = 60.0,
) -> Path:
    """Download data set ``name`` into the cache (``<home>/datasets/<name>/``) and return its data file.

    Files already present with the right checksum are kept unless ``force``. Raises
    DatasetError for sets whose license forbids downloading them, unreachable servers and
    checksum mismatches (a mismatching download is deleted, never cached).
    """
    spec: DatasetSpec = get_spec(name)
    if not spec.fetchable:
        raise DatasetError(
            f"data set {spec.name!r} cannot be fetched: license {spec.license}; bring your own copy (--data-dir or --path)"
        )
    folder = (
        Path(cache_dir).expanduser() / spec.name
        if cache_dir is not None
        else cache_root() / spec.name
    )
    for f in spec.files:
        dest = folder / f.name
        if dest.is_file() and not force and sha256_of(dest) == f.sha256:
            continue
        _download(file_url(f, base_url), dest, f.sha256, timeout_s)
    return folder / spec.data_file.name
