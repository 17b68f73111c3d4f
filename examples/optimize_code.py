"""Optimize a Python function's code against unit-test feedback.

The candidate ``solve`` runs in a separate, sandboxed process (``optiforge.sandbox``;
never ``exec`` in this process) with a time limit; failing tests become the feedback.
The code Parameter must parse and define ``solve``: a suggestion that does not is
refused and the reason is shown to the optimizer on its next step.

    python examples/optimize_code.py                     # offline (ScriptedLM)
    python examples/optimize_code.py --model openai/gpt-4o-mini --steps 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import add_model_flags, make_optimizer, real_lm, scripted_optimizer

from optiforge.graph import CodeSpec, ExceptionNode, Parameter, bundle

TASK = "solve(nums) returns the second largest DISTINCT value in the list, or None if there is none."
TESTS = [
    ([3, 1, 2], 2),
    ([5, 5, 4], 4),
    ([7], None),
    ([2, 2], None),
    ([-1, -3, -2], -2),
]
START = "def solve(nums):\n    return sorted(nums)[-2]\n"
# the offline optimizer first sends code that does not parse, then a fix
OFFLINE_REPLIES = [
    {"code": "def solve(nums)\n    return sorted(set(nums))[-2]\n"},
    {"code": "def solve(nums):\n    values = sorted(set(nums))\n    return values[-2] if len(values) > 1 else None\n"},
]
HARNESS = """
import json
tests = json.loads(TESTS_JSON)
results = []
for args, expected in tests:
    try:
        got = solve(list(args))
        results.append({"ok": got == expected, "got": repr(got)})
    except Exception as exc:
        results.append({"ok": False, "got": type(exc).__name__ + ": " + str(exc)})
print(json.dumps(results))
"""


def run_isolated(program: str, timeout_s: float = 10.0) -> tuple[bool, str, str]:
    """Run ``program`` in another process: the sandbox if available, else a plain subprocess."""
    try:
        from optiforge.sandbox import Limits, run
    except ImportError:
        try:
            proc = subprocess.run([sys.executable, "-I", "-c", program], text=True,
                                  capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False, "", f"timed out after {timeout_s:g} s"
        return proc.returncode == 0, proc.stdout, proc.stderr
    result = run(program, limits=Limits(cpu_s=timeout_s, wall_s=2 * timeout_s, memory_mb=512))
    detail = result.stderr if result.limit == "none" else f"stopped by the {result.limit} limit"
    return result.ok, result.stdout, detail


@bundle
def run_tests(code: str) -> list[dict]:
    """Run the unit tests against the candidate code in a separate, sandboxed process."""
    ok, out, err = run_isolated(code + "\n" + HARNESS.replace("TESTS_JSON", repr(json.dumps(TESTS))))
    if not ok:
        raise RuntimeError(f"the program failed: {err.strip()[-500:]}")
    return json.loads(out)


def feedback_of(results: list[dict]) -> tuple[float, str]:
    """Score = fraction of tests passed; the text lists the failures."""
    failures = [f"solve({args}) returned {r['got']}, expected {expected!r}"
                for (args, expected), r in zip(TESTS, results, strict=True) if not r["ok"]]
    score = 1 - len(failures) / len(TESTS)
    return score, ("all tests pass" if not failures else "failing tests:\n" + "\n".join(failures))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_flags(ap, "optoprime")
    args = ap.parse_args(argv)
    lm = real_lm(args) if args.model else scripted_optimizer(
        lambda prompt, i: OFFLINE_REPLIES[min(i, len(OFFLINE_REPLIES) - 1)])
    code = Parameter(START, "code", name="code", description=TASK, constraint=CodeSpec("solve"))
    optimizer = make_optimizer(args.optimizer, [code], lm, f"Make every unit test pass. {TASK}")

    score = 0.0
    for step in range(args.steps + 1):
        out = run_tests(code)
        if isinstance(out, ExceptionNode):
            score, text = 0.0, out.error_text
        else:
            score, text = feedback_of(out.value)
        print(f"step {step}: score {score:.2f}  {text.replace(chr(10), '; ')[:150]}")
        if score == 1.0 or step == args.steps:
            break
        optimizer.zero_feedback()
        out.backward(text, score=score)
        proposal = optimizer.step_sync()
        for r in proposal.rejected:
            print(f"  refused suggestion for {r.parameter or 'reply'}: {r.reason}")
    print("final code:\n" + code.value)
    return 0 if score == 1.0 or args.model else 1


if __name__ == "__main__":
    sys.exit(main())
