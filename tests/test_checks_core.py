"""Tests of the check framework: how student results and errors are turned into verdicts."""

import numpy as np
import pytest

from nncourse.checks import Student, format_results, run_checks
from nncourse.checks.core import CheckFailure, StudentError, graded


class AlwaysEqual(float):
    def __eq__(self, other):
        return True


class SneakyArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)


def test_student_returns_plain_float_when_function_returns_float_subclass():
    got = Student({"f": lambda: AlwaysEqual(1.5)}).f()
    assert type(got) is float and got == 1.5 and got != 2.0


def test_student_returns_base_ndarray_when_function_returns_subclass():
    sneaky = np.zeros(3).view(SneakyArray)
    got = Student({"f": lambda: sneaky}).f()
    assert type(got) is np.ndarray
    assert not np.array_equal(got, np.ones(3))


def test_student_copies_result_when_function_returns_its_input():
    x = np.zeros(2)
    got = Student({"f": lambda a: a}).f(x)
    got[0] = 1
    assert x[0] == 0


def test_student_materialises_generator_into_list_of_tuples():
    got = Student({"f": lambda: ((i, np.float64(i)) for i in range(3))}).f()
    assert got == [(0, 0.0), (1, 1.0), (2, 2.0)]
    assert type(got[1][1]) is float


@pytest.mark.parametrize(
    "value",
    [pytest.param(object(), id="object"), pytest.param(np.array([object()]), id="object-array")],
)
def test_student_rejects_result_when_it_is_not_plain_data(value):
    with pytest.raises(StudentError, match="returned"):
        Student({"f": lambda: value}).f()


def test_student_reports_stub_when_function_raises_not_implemented():
    def stub(z):
        raise NotImplementedError()

    with pytest.raises(StudentError, match="not written yet"):
        Student({"f": stub}).f(1)


def test_student_reports_warning_when_numpy_overflows():
    with pytest.raises(StudentError, match="overflow") as caught:
        Student({"f": lambda z: np.exp(z)}).f(np.array([1e4]))
    assert "stability" in str(caught.value)


def test_student_names_missing_function_when_not_defined():
    with pytest.raises(StudentError, match="`softmax` is not defined"):
        Student({}).softmax(1)


def test_student_reports_exception_with_input_when_function_raises():
    with pytest.raises(StudentError, match="ZeroDivisionError") as caught:
        Student({"f": lambda x: 1 / 0}).f(np.array([1.0, 2.0]))
    assert "input" in str(caught.value)


def test_check_failure_shows_input_expected_got_and_hint():
    text = str(CheckFailure("wrong", input=np.array([1.0]), expected=2.0, got=3.0, hint="try again"))
    for part in ("wrong", "input:", "expected: 2", "got:      3", "hint:     try again"):
        assert part in text


def test_run_checks_reports_each_check_when_one_raises_unexpectedly():
    @graded("f", "returns one")
    def passes(student):
        assert student.f() == 1

    @graded("f", "is broken")
    def broken(student):
        raise KeyError("oops")

    results = run_checks([passes, broken], Student({"f": lambda: 1}))
    assert [r.passed for r in results] == [True, False]
    assert "KeyError" in results[1].message
    assert "1 of 2 public checks of `f` failed" in format_results("f", results)


def test_format_results_mentions_hidden_checks_when_all_pass():
    @graded("f", "returns one")
    def passes(student):
        assert student.f() == 1

    text = format_results("f", run_checks([passes], Student({"f": lambda: 1})))
    assert "All 1 public checks" in text and "Hidden checks" in text
