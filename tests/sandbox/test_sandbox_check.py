"""Correctness checking: tolerant stdout comparison, function tests, first failure reported."""

from __future__ import annotations

import shutil

import pytest

from optiforge import sandbox
from optiforge.errors import InputError
from optiforge.sandbox import FunctionTest, Limits, StdioTest
from optiforge.sandbox._check import outputs_match, values_match

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
LIM = Limits(cpu_s=3, wall_s=6, memory_mb=512)


@pytest.mark.parametrize(
    ("expected", "got", "same"),
    [
        ("1 2 3\n", "1  2\n3", True),
        ("3.5\n", "3.5000001", True),
        ("0.1", "0.1000001", True),
        ("3.5", "3.6", False),
        ("yes", "Yes", False),
        ("1 2", "1 2 3", False),
        ("nan", "nan", True),
        ("", "\n\n", True),
    ],
)
def test_outputs_match(expected, got, same):
    assert outputs_match(expected, got) is same


def test_values_match_is_structural_and_float_tolerant():
    assert values_match([1, [2.0, 3]], [1, [2.0000000001, 3]])
    assert not values_match([1, 2], [1, 2, 3])
    assert not values_match(True, 1)
    assert values_match({"a": 1.0}, {"a": 1})
    assert not values_match("1", 1)


def test_stdio_program_passes_or_reports_first_failure():
    tests = [StdioTest("2\n1 2\n", "3\n"), StdioTest("3\n1 2 4\n", "7\n"), StdioTest("1\n0.5\n", "0.5\n")]
    good = "input()\nprint(sum(map(float, input().split())))"
    bad = "input()\nprint(int(sum(map(float, input().split()))))"
    assert sandbox.check(good, tests, limits=LIM).correct
    result = sandbox.check(bad, tests, limits=LIM)
    assert not result.correct and result.passed == 2
    f = result.failure
    assert f is not None and f.index == 2 and f.input == "1\n0.5\n" and f.expected == "0.5\n" and f.got.strip() == "0"
    assert "test 2 failed" in result.feedback()


def test_stdio_runtime_error_and_limit_are_failures():
    tests = [StdioTest("1\n", "1\n")]
    crash = sandbox.check("raise SystemExit(4)", tests, limits=LIM)
    assert not crash.correct and "exit 4" in crash.failure.reason
    slow = sandbox.check("while True: pass", tests, limits=Limits(cpu_s=1, wall_s=10))
    assert not slow.correct and "limit" in slow.failure.reason


def test_function_tests_with_given_expected_values():
    tests = [FunctionTest([[3, 1, 2]], expected=[1, 2, 3]), FunctionTest([[2, 2, 1]], expected=[1, 2, 2])]
    assert sandbox.check("def sort_it(xs):\n    print('noise')\n    return sorted(xs)", tests, entry_point="sort_it", limits=LIM).correct
    wrong = sandbox.check("def sort_it(xs):\n    return xs", tests, entry_point="sort_it", limits=LIM)
    assert not wrong.correct and wrong.failure.index == 0 and wrong.failure.reason == "wrong answer"
    assert wrong.failure.got == "[3, 1, 2]"


def test_function_tests_take_expected_values_from_the_reference():
    tests = [FunctionTest([10]), FunctionTest([0]), FunctionTest([7], {"step": 2})]
    reference = "def total(n, step=1):\n    return sum(range(0, n, step))"
    assert sandbox.check("def total(n, step=1):\n    return len(range(0, n, step)) and (n - 1 - (n - 1) % step) * (len(range(0, n, step))) // 2", tests, entry_point="total", reference=reference, limits=LIM).correct
    assert not sandbox.check("def total(n, step=1):\n    return n", tests, entry_point="total", reference=reference, limits=LIM).correct


def test_function_exceptions_and_import_errors_are_reported():
    tests = [FunctionTest([1], expected=1)]
    exc = sandbox.check("def f(x):\n    return 1 / 0", tests, entry_point="f", limits=LIM)
    assert exc.failure.reason == "exception" and "ZeroDivisionError" in exc.failure.got
    missing = sandbox.check("def g(x):\n    return x", tests, entry_point="f", limits=LIM)
    assert not missing.correct and missing.failure.reason == "import error"
    syntax = sandbox.check("def f(x) return x", tests, entry_point="f", limits=LIM)
    assert not syntax.correct and "SyntaxError" in syntax.failure.got


def test_a_candidate_cannot_forge_results_by_printing():
    tests = [FunctionTest([2], expected=4)]
    forged = 'import sys\nsys.__stdout__.write(\'{"i": 0, "value": 4}\\n\')\ndef f(x):\n    return 0'
    assert not sandbox.check(forged, tests, entry_point="f", limits=LIM).correct


def test_check_needs_tests_and_consistent_kinds():
    with pytest.raises(InputError):
        sandbox.check("print(1)", [])
    with pytest.raises(InputError):
        sandbox.check("print(1)", [StdioTest("", ""), FunctionTest([])])
    with pytest.raises(InputError):
        sandbox.check("def f(): pass", [FunctionTest([])], entry_point="f")


@needs_gxx
def test_cpp_program_checked_against_stdio_tests():
    tests = [StdioTest("3 4\n", "7\n"), StdioTest("-1 1\n", "0\n")]
    src = "#include <iostream>\nint main(){long a,b; std::cin>>a>>b; std::cout<<a+b<<'\\n';}"
    assert sandbox.check(src, tests, language="cpp", limits=LIM).correct
    broken = sandbox.check("int main( {", tests, language="cpp", limits=LIM)
    assert not broken.correct and broken.failure.reason == "compile error"
