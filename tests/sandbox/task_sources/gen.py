"""Regenerate the shipped task folders (optiforge/sandbox/tasks/) from py_tasks.py and cpp_tasks.py.

Test inputs come from a fixed seed; expected outputs from running the slow reference (our
own code, run directly); every solution must agree with it. Prints each program's wall
time on the performance input. Run: python3 tests/sandbox/task_sources/gen.py
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cpp_tasks import TASKS as CPP  # noqa: E402
from py_tasks import TASKS as PY  # noqa: E402

OUT = os.path.join(HERE, "..", "..", "..", "optiforge", "sandbox", "tasks")
BIN = tempfile.mkdtemp(prefix="optiforge-taskgen-")
R = random.Random(20261123)


def ints(n, lo, hi):
    return [R.randint(lo, hi) for _ in range(n)]


WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "omicron",
    "pi",
    "rho",
    "sigma",
    "tau",
]


def text(n):
    return " ".join(
        R.choice(WORDS).upper() if R.random() < 0.1 else R.choice(WORDS) for _ in range(n)
    )


VOCAB = ["".join(R.choice("abcdefghij") for _ in range(6)) for _ in range(1500)]


def big_text(n):
    return " ".join(R.choice(VOCAB) for _ in range(n))


def mat(n, k, lo=-9, hi=9):
    return [ints(k, lo, hi) for _ in range(n)]


FUNC_TESTS = {
    "pair_sum_count": (
        [
            [[1, 2, 3, 4, 5], 6],
            [[], 3],
            [[2, 2, 2, 2], 4],
            [[1, -1, 0, 0], 0],
            [ints(40, -5, 5), 0],
            [ints(60, 0, 20), 17],
        ],
        [[ints(2500, -1000, 1000), 7]],
    ),
    "max_subarray": (
        [
            [[-2, 1, -3, 4, -1, 2, 1, -5, 4]],
            [[-3]],
            [[-5, -2, -9]],
            [[1, 2, 3]],
            [ints(50, -20, 20)],
            [ints(80, -100, 60)],
        ],
        [[ints(2500, -1000, 1000)]],
    ),
    "count_inversions": (
        [[[]], [[1]], [[3, 1, 2]], [[5, 4, 3, 2, 1]], [[1, 1, 1]], [ints(70, 0, 30)]],
        [[ints(2500, 0, 10**6)]],
    ),
    "lcs_length": (
        [
            ["", "abc"],
            ["abc", "abc"],
            ["abcde", "ace"],
            ["abc", "def"],
            [
                "".join(R.choice("acgt") for _ in range(40)),
                "".join(R.choice("acgt") for _ in range(35)),
            ],
        ],
        [
            [
                "".join(R.choice("acgt") for _ in range(300)),
                "".join(R.choice("acgt") for _ in range(300)),
            ]
        ],
    ),
    "coin_change_ways": (
        [[[1, 2, 5], 5], [[2], 3], [[10], 10], [[1], 0], [[3, 7, 11, 1], 60], [[2, 5, 3, 6], 100]],
        [[[1, 2, 5, 10, 20, 50, 100, 200], 15000]],
    ),
    "matrix_multiply": (
        [
            [[[1, 2], [3, 4]], [[5, 6], [7, 8]]],
            [[[2]], [[3]]],
            [[[1, 0, 2]], [[1], [2], [3]]],
            [mat(5, 4), mat(4, 6)],
            [mat(7, 7), mat(7, 3)],
        ],
        [[mat(90, 90, -50, 50), mat(90, 90, -50, 50)]],
    ),
    "top_words": (
        [["the cat the dog", 2], ["", 3], ["b a c a b a", 5], ["A a B b", 1], [text(80), 4]],
        [[big_text(20000), 10]],
    ),
}
STDIO_TESTS = {
    "primes_below": (["0\n", "2\n", "3\n", "10\n", "100\n", "1000\n"], ["60000\n"]),
    "distinct_values": (
        [
            "1\n5\n",
            "5\n1 2 2 3 3\n",
            "4\n-1 -1 -1 -1\n",
            "10\n" + " ".join(map(str, ints(10, 0, 5))) + "\n",
        ],
        ["8000\n" + " ".join(map(str, ints(8000, 0, 10**6))) + "\n"],
    ),
    "range_sums": None,
    "cpp_range_sums": None,
    "cpp_count_primes": (["0\n", "2\n", "10\n", "100\n", "7919\n", "100000\n"], ["1500000\n"]),
    "cpp_inversions": (
        [
            "1\n5\n",
            "3\n3 1 2\n",
            "5\n5 4 3 2 1\n",
            "4\n2 2 2 2\n",
            "30\n" + " ".join(map(str, ints(30, -10, 10))) + "\n",
        ],
        ["20000\n" + " ".join(map(str, ints(20000, 0, 10**9))) + "\n"],
    ),
    "cpp_lis": (
        [
            "1\n5\n",
            "6\n10 9 2 5 3 7\n",
            "4\n1 1 1 1\n",
            "5\n1 2 3 4 5\n",
            "40\n" + " ".join(map(str, ints(40, 0, 50))) + "\n",
        ],
        ["15000\n" + " ".join(map(str, ints(15000, 0, 10**9))) + "\n"],
    ),
    "cpp_distinct": (
        [
            "1\n7\n",
            "5\n1 2 2 3 3\n",
            "4\n-1 -1 -1 -1\n",
            "30\n" + " ".join(map(str, ints(30, 0, 9))) + "\n",
        ],
        ["20000\n" + " ".join(map(str, ints(20000, 0, 10**9))) + "\n"],
    ),
}


def range_input(n, q, lo=-(10**9), hi=10**9, long=False):
    a = ints(n, lo, hi)
    qs = []
    for _ in range(q):
        if long:
            lo = R.randint(1, n // 4)
            hi_ = R.randint(3 * n // 4, n)
        else:
            lo = R.randint(1, n)
            hi_ = R.randint(lo, n)
        qs.append(f"{lo} {hi_}")
    return f"{n} {q}\n" + " ".join(map(str, a)) + "\n" + "\n".join(qs) + "\n"


STDIO_TESTS["range_sums"] = (
    ["1 1\n5\n1 1\n", "3 2\n1 2 3\n1 3\n2 2\n", range_input(10, 5, -9, 9), range_input(30, 20)],
    [range_input(2000, 2000)],
)
STDIO_TESTS["cpp_range_sums"] = (
    ["1 1\n5\n1 1\n", "3 2\n1 2 3\n1 3\n2 2\n", range_input(10, 5, -9, 9), range_input(30, 20)],
    [range_input(12000, 12000, 0, 99, long=True)],
)


def run_py(src, stdin=None, func=None, args=None):
    if func:
        code = (
            src + f"\nimport json,sys\nprint(json.dumps({func}(*json.loads(sys.stdin.read()))))\n"
        )
        stdin = json.dumps(args)
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", code if func else src],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr
    return p.stdout, time.perf_counter() - t


def run_cpp(src, stdin):
    import hashlib

    exe = os.path.join(BIN, "bin_") + hashlib.sha1(src.encode()).hexdigest()[:10]
    if not os.path.exists(exe):
        with open(exe + ".cpp", "w") as fh:
            fh.write(src)
        subprocess.run(["g++", "-O2", "-std=c++17", "-o", exe, exe + ".cpp"], check=True)
    t = time.perf_counter()
    p = subprocess.run([exe], input=stdin, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0
    return p.stdout, time.perf_counter() - t


def write(name, meta, files):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    import gzip

    for fn, content in files.items():
        if fn == "perf.json":
            # mtime=0: the same content always gives the same bytes
            with gzip.GzipFile(os.path.join(d, fn + ".gz"), "wb", mtime=0) as fh:
                fh.write(content.encode())
            continue
        with open(os.path.join(d, fn), "w") as fh:
            fh.write(content)
    with open(os.path.join(d, "task.json"), "w") as fh:
        json.dump(meta, fh, indent=2)
        fh.write("\n")


for name, t in {**PY, **CPP}.items():
    is_cpp = name in CPP
    ext = ".cpp" if is_cpp else ".py.txt"
    kind = "stdio" if is_cpp else t["kind"]
    sols = {"reference": t["reference"], **t["solutions"]}
    files = {"statement.md": f"# {name}\n\n" + t["statement"]}
    for label, src in sols.items():
        files[f"{label}{ext}"] = src
    timings = {}
    if kind == "function":
        tests, perf = FUNC_TESTS[name]
        outs = {}
        for label, src in sols.items():
            res = []
            for args in tests:
                out, _ = run_py(src, func=t["entry_point"], args=args)
                res.append(json.loads(out))
            outs[label] = res
            _, timings[label] = run_py(src, func=t["entry_point"], args=perf[0])
        for label in sols:
            assert outs[label] == outs["reference"], (name, label)
        files["tests.json"] = (
            json.dumps(
                [{"args": a, "expected": e} for a, e in zip(tests, outs["reference"], strict=False)]
            )
            + "\n"
        )
        files["perf.json"] = json.dumps([{"args": a} for a in perf]) + "\n"
    else:
        tests, perf = STDIO_TESTS[name]
        runner = run_cpp if is_cpp else (lambda s, i: run_py(s, stdin=i))
        outs = {}
        for label, src in sols.items():
            outs[label] = [runner(src, i)[0] for i in tests + perf]
            timings[label] = runner(src, perf[0])[1]
        for label in sols:
            assert outs[label] == outs["reference"], (name, label)
        files["tests.json"] = (
            json.dumps(
                [{"input": i, "output": o} for i, o in zip(tests, outs["reference"], strict=False)]
            )
            + "\n"
        )
        files["perf.json"] = (
            json.dumps(
                [
                    {"input": i, "output": o}
                    for i, o in zip(perf, outs["reference"][len(tests) :], strict=False)
                ]
            )
            + "\n"
        )
    meta = {"name": name, "language": "cpp" if is_cpp else "python", "kind": kind}
    if kind == "function":
        meta["entry_point"] = t["entry_point"]
    meta["reference"] = "reference" + ext
    meta["solutions"] = {label: f"{label}{ext}" for label in t["solutions"]}
    write(name, meta, files)
    print(name, {k: round(v, 3) for k, v in timings.items()})
