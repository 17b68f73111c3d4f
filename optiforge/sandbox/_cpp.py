"""Compile C++ with g++ inside the sandbox and cache the binary by source hash."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from optiforge.errors import SandboxError
from optiforge.sandbox._sandbox import sandboxed
from optiforge.sandbox._types import COMPILE_LIMITS, Limits, RunResult

CXX_FLAGS = ("-O2", "-std=c++17")


@lru_cache(maxsize=1)
def _compiler() -> tuple[str, str]:
    found = shutil.which("g++")
    if found is None:
        raise SandboxError("g++ not found: install a C++ compiler (Debian: build-essential) to run C++ programs")
    # The resolved path: inside the sandbox /etc/alternatives does not exist.
    gxx = os.path.realpath(found)
    version = subprocess.run([gxx, "-dumpfullversion"], capture_output=True, text=True, timeout=30).stdout.strip()
    return gxx, version


def _cache_dir() -> Path:
    from optiforge.config import get_settings

    return get_settings().resolved_cache_dir / "sandbox-cpp"


def compile_cpp(source: str, *, limits: Limits = COMPILE_LIMITS, isolation: str | None = None) -> tuple[Path | None, RunResult | None]:
    """Return (binary path, None) on success, or (None, the compile RunResult with phase="compile").

    A binary already in the cache for the same source, flags and compiler is reused.
    """
    gxx, version = _compiler()
    key = hashlib.sha256("\0".join([version, *CXX_FLAGS, source]).encode()).hexdigest()[:32]
    target = _cache_dir() / f"{key}.bin"
    if target.is_file():
        return target, None
    result = sandboxed(
        [gxx, *CXX_FLAGS, "-o", "main.bin", "main.cpp"],
        files={"main.cpp": source.encode()},
        limits=limits,
        collect=["main.bin"],
        isolation=isolation,
    )
    binary = result.files.pop("main.bin", None)
    if not result.ok or not binary:
        result.phase = "compile"
        return None, result
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(binary)
    os.chmod(tmp, 0o755)
    os.replace(tmp, target)
    return target, None
