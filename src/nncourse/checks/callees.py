"""Calls between graded functions: a unit check grades one function's own logic.

Most students write `backward` with their own `dense_backward`, and `train_epoch`
with their own `forward`, `backward` and `sgd_step`. So that a flaw in
`dense_backward` costs `dense_backward`'s points only, a check of one function
answers the calls it makes to the other graded functions with correct values:
- in a sandbox, the callee's name is bound to a proxy whose calls travel to the
  grader, which computes them with the reference and sends back values only;
- in a trusted process (a kernel that nbgrader autogrades), the reference
  functions are swapped in for the duration of the call.
Pipeline checks (`train_mnist`'s, and those named after an assignment) run the
student's own functions together.
"""

from __future__ import annotations

import contextlib
import functools

# Graded functions whose calls are never answered: numerical_gradient's arguments include a
# Python function, which cannot travel to the grader; train_mnist trains for most of a minute.
NEVER_ANSWERED = frozenset({"numerical_gradient", "train_mnist"})


@functools.cache
def graded_functions():
    """Return the names of every graded function of the course (not the assignments of pipeline checks)."""
    from nncourse.checks import public_checks
    from nncourse.checks.core import is_assignment_name

    return frozenset(t.check.function for t in public_checks() if not is_assignment_name(t.check.function))


@functools.cache
def earlier_functions(function):
    """Return the graded functions of the assignments before the one `function` belongs to."""
    from nncourse.checks import ASSIGNMENTS, public_checks

    earlier = set()
    for assignment in ASSIGNMENTS:
        own = {t.check.function for t in public_checks(assignment)} & graded_functions()
        if function in own:
            return frozenset(earlier)
        earlier |= own
    return frozenset()


def answered_callees(info, called, reference):
    """Return the graded functions whose calls the reference answers while `called` runs in check `info`.

    Those are the graded functions the reference `called` relies on, directly
    or through one another, and those of the earlier assignments: what a
    correct solution may build on. A function of the same assignment that the
    reference does not need (`forward` from `relu`) stays the student's own,
    so no answer can stand in for the function under test. Nothing is
    answered for a pipeline check.
    """
    if info is None or info.pipeline or called != info.function:
        return ()
    needed, todo = set(earlier_functions(called)), [called]
    while todo:
        for callee in calls_to_graded(reference.get(todo.pop())):
            if callee not in needed:
                needed.add(callee)
                todo.append(callee)
    return tuple(sorted((needed & set(reference)) - NEVER_ANSWERED - {called}))


@contextlib.contextmanager
def swapped_in(namespace, replacements):
    """Bind each name of `replacements` in `namespace` for the duration, then restore what was there."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def calls_to_graded(function):
    """Return the graded functions whose names the code of `function` uses (nested code included)."""
    code = getattr(function, "__code__", None)
    names, stack = set(), [code] if code is not None else []
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack += [c for c in code.co_consts if hasattr(c, "co_names")]
    own = getattr(function, "__name__", None)
    return sorted((names & graded_functions()) - {own})
