"""Tests of the check framework: how student results and errors are turned into verdicts."""

import numpy as np
import pytest

from nncourse.checks import SAME_MISTAKE, Student, carry_diagnoses, format_results, run_checks
from nncourse.checks.core import CheckFailure, StudentError, graded, show
from nncourse.checks.mistakes import mistake


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


def test_student_names_arguments_by_parameter_when_function_raises():
    def backward(dlogits, cache, params, activation="relu"):
        raise ValueError("no")

    with pytest.raises(StudentError) as caught:
        Student({"backward": backward}).backward(np.zeros((2, 2)), [], [], "tanh")
    assert set(caught.value.input) == {"dlogits", "cache", "params", "activation"}


@pytest.mark.parametrize(
    ("name", "value", "summary"),
    [
        pytest.param("params", [(np.zeros((2, 3)), np.zeros(3)), (np.zeros((3, 2), np.float32), np.zeros(2, np.float32))],
                     "list of 2 (W, b) pairs: (2, 3) float64, (3,) float64; (3, 2) float32, (2,) float32", id="params"),
        pytest.param("cache", [(np.zeros((4, 2)), np.zeros((4, 3)))],
                     "list of 1 (a_prev, z) pairs: (4, 2) float64, (4, 3) float64", id="cache"),
        pytest.param("batches", [(np.zeros((2, 1)), np.zeros(2, int))] * 8,
                     "list of 8 pairs: (2, 1) float64, (2,) int64; ", id="long-list"),
    ],
)
def test_show_summarises_large_nested_input_as_shapes_and_dtypes(name, value, summary):
    text = show({name: value}, summarise=True)
    assert text.startswith(f"{name}={summary}")
    assert "array(" not in text and "0." not in text


def test_show_counts_items_beyond_the_first_six_when_input_list_is_long():
    text = show({"batches": [(np.zeros(2), np.zeros(2))] * 8}, summarise=True)
    assert text.endswith("... (2 more)")


def test_show_gives_values_when_nested_input_is_small():
    text = show({"params": [(np.array([[0.5, -1.5]]), np.array([0.25, 0.0]))]}, summarise=True)
    assert "-1.5" in text and "0.25" in text


def test_check_failure_summarises_input_but_shows_values_expected_and_got():
    params = [(np.full((3, 4), 0.5), np.zeros(4)), (np.full((4, 2), 0.5), np.zeros(2))]
    text = str(CheckFailure("wrong", input={"params": params}, expected=params, got=params))
    input_line, expected_line = text.split("\n  expected:")[0], text.split("\n  expected:")[1]
    assert "params=list of 2 (W, b) pairs: (3, 4) float64, (4,) float64; (4, 2) float64, (2,) float64" in input_line
    assert "0.5" not in input_line and "0.5" in expected_line


def callee_and_caller():
    """Return a namespace whose `outer` passes arrays that cannot broadcast to `inner` on line 3 of its code."""
    namespace = {"np": np}
    code = (
        "def outer(x):\n"
        "    y = x[:, :2]\n"
        "    return inner(x, y)\n"
        "\n"
        "def inner(a, b):\n"
        "    return a * b\n"
    )
    exec(compile(code, "<cell outer>", "exec"), namespace)  # noqa: S102 (a hand-written notebook cell)
    return namespace


def test_student_names_callee_line_and_calling_line_when_error_happens_in_callee():
    with pytest.raises(StudentError) as caught:
        Student(callee_and_caller()).outer(np.ones((2, 3)))
    problem, hint = caught.value.problem, caught.value.hint
    assert problem.startswith("`outer` raised ValueError in `inner`, line 6 of its cell: operands could not be broadcast")
    assert "called from line 3 of `outer`'s cell" in hint and ".shape" in hint


def test_student_places_error_on_own_line_when_answered_callee_fails():
    """Is an error inside a callee answered by the reference placed at the student's line that called it?"""
    namespace = callee_and_caller()
    reference_inner = namespace["inner"]
    student = Student(namespace, answers=lambda name: {"inner": reference_inner} if name == "outer" else {})
    with pytest.raises(StudentError) as caught:
        student.outer(np.ones((2, 3)))
    assert caught.value.problem.startswith("`outer` raised ValueError on line 3 of its cell: operands could not")
    assert "inner" not in caught.value.hint


def failing(function, what, key=None):
    """Return a check of `function` that fails, naming the catalogue mistake `key` if given."""

    @graded(function, what)
    def check(student):
        if key:
            raise mistake(key).failure("Seen here.")
        raise CheckFailure(f"`{function}` returned wrong values.")

    return check


def test_run_checks_repeats_diagnosis_when_later_check_of_same_function_names_none():
    tests = [failing("forward", "first", "forward-activation-on-logits"), failing("forward", "second")]
    results = run_checks(tests, Student({}))
    headline = "Usual mistake in `forward`: logits passed through the hidden activation."
    assert results[1].message.startswith(f"{SAME_MISTAKE}{headline}\n`forward` returned wrong values.")
    assert results[1].mistake == "forward-activation-on-logits"


@pytest.mark.parametrize(
    "tests",
    [
        pytest.param([failing("forward", "first"), failing("forward", "second", "forward-activation-on-logits")],
                     id="diagnosis-comes-later"),
        pytest.param([failing("softmax", "first", "softmax-wrong-axis"), failing("forward", "second")],
                     id="other-function"),
    ],
)
def test_run_checks_adds_no_diagnosis_when_no_earlier_check_of_the_function_named_one(tests):
    results = run_checks(tests, Student({}))
    assert not any(r.message.startswith(SAME_MISTAKE) for r in results)


def test_carry_diagnoses_changes_nothing_when_applied_twice():
    tests = [failing("forward", "first", "forward-activation-on-logits"), failing("forward", "second"),
             failing("forward", "third")]
    once = run_checks(tests, Student({}))
    assert carry_diagnoses(once) == once
    assert [r.message.count(SAME_MISTAKE) for r in once] == [0, 1, 1]
