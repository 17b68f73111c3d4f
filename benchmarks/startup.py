"""Start-up cost: `optiforge --help` and `import optiforge` against `python -c pass`, interleaved.

Targets on the 2-core dev machines: --help <= 0.3 s, import optiforge <= 0.1 s (absolute, wall).
Prints medians, the extra time over a bare interpreter, and PASS/FAIL per target.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import optiforge": [sys.executable, "-c", "import optiforge"],
    "optiforge --help": [str(VENV_BIN / "optiforge"), "--help"],
}
TARGETS = {"import optiforge": 0.1, "optiforge --help": 0.3}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="10 repeats")
    args = ap.parse_args()
    repeats = 10 if args.quick else args.repeats
    times: dict[str, list[float]] = {k: [] for k in CASES}
    for _ in range(repeats):  # interleave so load drifts hit every case alike
        for name, cmd in CASES.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["python -c pass"])
    ok = True
    print(f"{'case':<20}{'median s':>10}{'extra s':>10}{'x bare':>8}  target")
    for name, ts in times.items():
        med = statistics.median(ts)
        target = TARGETS.get(name)
        verdict = "" if target is None else (f"<= {target} s " + ("PASS" if med <= target else "FAIL"))
        ok &= target is None or med <= target
        print(f"{name:<20}{med:>10.3f}{med - base:>10.3f}{med / base:>8.2f}  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
