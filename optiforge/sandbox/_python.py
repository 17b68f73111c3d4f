"""Find a Python interpreter's real binary and the directories a sandbox must expose for it.

``python3`` may be a pyenv shell shim: the sandbox (and valgrind) need the real ELF
interpreter, plus its prefix and, for a virtual environment, the venv directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache

from optiforge.errors import SandboxError


@dataclass(frozen=True)
class Interpreter:
    """A resolved Python interpreter.

    ``executable`` is what to run (keeps a venv's site-packages), ``real`` the ELF file
    it resolves to (what valgrind must count), ``mounts`` the directories it needs.
    """

    executable: str
    real: str
    mounts: tuple[str, ...]
    site_packages: tuple[str, ...]


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


_QUERY = "import json,sys,site;print(json.dumps([sys.executable,sys.prefix,sys.base_prefix,site.getsitepackages()]))"


@lru_cache(maxsize=16)
def resolve_interpreter(python: str | None = None) -> Interpreter:
    """Resolve ``python`` (a path or command name; None = the interpreter running optiforge)."""
    if python is None:
        import site

        executable, prefix, base = sys.executable, sys.prefix, sys.base_prefix
        sites = site.getsitepackages()
    else:
        found = shutil.which(python) or (python if os.path.exists(python) else None)
        if found is None:
            raise SandboxError(f"Python interpreter {python!r} not found; give a path or a command on PATH")
        try:
            # The user named this interpreter; asking it about itself runs no untrusted code.
            out = subprocess.run([found, "-c", _QUERY], capture_output=True, text=True, timeout=30, check=True).stdout
            executable, prefix, base, sites = json.loads(out.strip().splitlines()[-1])
        except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
            raise SandboxError(f"cannot query Python interpreter {python!r}: {exc}") from None
    real = os.path.realpath(executable)
    if not _is_elf(real):
        raise SandboxError(f"Python interpreter {executable!r} is not a binary (a shell shim?); give the real interpreter path")
    mounts = {os.path.realpath(prefix), os.path.realpath(base), os.path.dirname(real)}
    # A venv's bin/python is a symlink; its own directory must be visible under its own name.
    mounts.add(os.path.abspath(prefix))
    return Interpreter(
        executable=os.path.abspath(executable),
        real=real,
        mounts=tuple(sorted(m for m in mounts if m and m != "/")),
        site_packages=tuple(s for s in sites if os.path.isdir(s)),
    )
