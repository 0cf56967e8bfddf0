"""The child process that holds a student's code: `python -m nncourse.grading.worker`.

It talks to the grader over its original stdin and stdout, then points file
descriptors 0-2 at /dev/null, so nothing the student prints can reach the
protocol. Requests:
- {"op": "load", "cells": [[grade_id, source], ...]}: run the cells in one namespace;
- {"op": "call", "name": ..., "args": [...], "kwargs": {...}, "answered": [...]}: call a
  function. While it runs, each graded function named in "answered" is bound to a
  proxy: a call to it sends {"op": "answer", ...} to the grader, which computes it
  with the reference and replies with the value only (see nncourse.checks.callees).
  With "return_arguments", the reply also holds every argument as it is after the
  call, for the grader to compare with its own copies. The grader measures CPU
  time itself, from outside this process.
Every reply carries at most OUTPUT_LIMIT characters of what the code printed.
"""

from __future__ import annotations

import io
import os
import sys

OUTPUT_LIMIT = 4000


class CappedText(io.TextIOBase):
    """A text stream that keeps the first OUTPUT_LIMIT characters and drops the rest."""

    def __init__(self):
        self.parts, self.size = [], 0

    def writable(self):
        return True

    def write(self, text):
        if self.size < OUTPUT_LIMIT:
            self.parts.append(text[: OUTPUT_LIMIT - self.size])
        self.size += len(text)
        return len(text)

    def take(self):
        text = "".join(self.parts)
        if self.size > OUTPUT_LIMIT:
            text += f"\n... ({self.size - OUTPUT_LIMIT} more characters of output dropped)"
        self.parts, self.size = [], 0
        return text


def protocol_streams():
    """Return (requests, replies) on duplicates of fds 0 and 1, then silence 0-2."""
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return requests, replies


def call_and_return_arguments(call, name, function, args, kwargs, return_arguments):
    """Call, and return (value, arguments_after, generator_states).

    arguments_after maps each argument's position (or keyword) to its value
    after the call, when the grader asks for them (checks that grade "inputs
    unchanged"): the grader compares them with its own copies itself.
    generator_states maps each Generator argument to its state after the call.
    """
    import numpy as np

    from nncourse.checks.functions import Argument, Expression, argument_slots

    slots = argument_slots(args, kwargs)
    value = call(name, function, args, kwargs)
    kept = (np.random.Generator, Argument, Expression)  # states go separately; the grader's expressions stay its own
    after = {k: v for k, v in slots.items() if not isinstance(v, kept)} if return_arguments else {}
    states = {k: v.bit_generator.state for k, v in slots.items() if isinstance(v, np.random.Generator)}
    return value, after, states


SAFE_ERRORS = {e.__name__: e for e in (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError)}


def answered_by_grader(name, channel):
    """Return a stand-in for the graded function `name` whose calls the grader answers with values."""

    def answered(*args, **kwargs):
        import numpy as np

        from nncourse.checks.functions import argument_slots
        from nncourse.grading.wire import WireError

        try:
            channel.send({"op": "answer", "name": name, "args": list(args), "kwargs": kwargs})
        except WireError as error:
            raise TypeError(f"{name}() was called with an argument that is not an array or a number: {error}") from None
        reply = channel.receive()
        if "error" in reply:
            error = SAFE_ERRORS.get(reply["error"].get("type"), RuntimeError)
            raise error(f"{name}(): {reply['error'].get('message')}")
        slots = argument_slots(args, kwargs)
        for key, state in (reply.get("generators") or {}).items():
            if isinstance(slots.get(key), np.random.Generator):
                slots[key].bit_generator.state = state
        value = reply.get("value")
        return (item for item in value) if reply.get("iterator") else value

    answered.__name__ = answered.__qualname__ = name
    return answered


class Channel:
    """The protocol streams: framed messages to and from the grader."""

    def __init__(self, requests, replies):
        self.requests, self.replies = requests, replies

    def send(self, message):
        from nncourse.grading.wire import send

        send(self.replies, message)

    def receive(self):
        from nncourse.grading.wire import receive

        return receive(self.requests)


def readable(path):
    """Return whether this process can read anything at `path` (a folder's listing or a file's first byte)."""
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as f:
                f.read(1)
    except OSError:
        return False
    return True


def handle(request, namespace, channel=None):
    from nncourse.checks.callees import swapped_in
    from nncourse.checks.core import StudentError, call
    from nncourse.notebook import execute_cells

    if request.get("op") == "load":
        errors = {}
        for cell_id, source in request["cells"]:
            try:
                errors.update(execute_cells([(cell_id, source)], namespace)[1])
            except BaseException as error:  # noqa: BLE001 (exit() in a cell must not stop the others)
                errors[cell_id] = f"{type(error).__name__}: {error}"
        return {"errors": errors}
    if request.get("op") == "probe":
        return {"uid": os.getuid(), "readable": [path for path in request.get("paths", []) if readable(path)]}
    if request.get("op") == "call":
        name = request["name"]
        function = namespace.get(name)
        if not callable(function):
            return {"error": {"problem": f"`{name}` is not defined.",
                              "hint": f"Check that the cell defining `{name}` is there and runs without an error."}}
        answered = {callee: answered_by_grader(callee, channel)
                    for callee in request.get("answered") or () if callee != name and channel is not None}
        try:
            with swapped_in(namespace, answered):
                value, after, states = call_and_return_arguments(call, name, function, request["args"],
                                                                 request["kwargs"], request.get("return_arguments"))
        except StudentError as error:
            return {"error": {"problem": error.problem, "hint": error.hint}}
        return {"value": value, "arguments": after, "generators": states}
    return {"error": {"problem": f"unknown request {request.get('op')!r}"}}


def main():
    from nncourse.grading.isolation import drop_privileges

    drop_privileges()  # first of all: no student code has run yet
    import numpy  # noqa: F401 (loads BLAS, so that threadpoolctl finds it to pin)
    from threadpoolctl import threadpool_limits

    from nncourse.grading.wire import receive, send

    # One BLAS thread, as the notebook pins it, even where a library ignores OPENBLAS_NUM_THREADS.
    threadpool_limits(1)
    requests, replies = protocol_streams()
    channel = Channel(requests, replies)
    namespace = {"__name__": "__main__"}
    output = CappedText()
    sys.stdout = sys.stderr = output
    while True:
        try:
            request = receive(requests)
        except EOFError:
            return
        try:
            reply = handle(request, namespace, channel)
        except SystemExit as exit_:
            reply = {"error": {"problem": f"the code called exit({exit_.code!r}), which stops the program.",
                               "hint": "Remove sys.exit()/exit() from your functions; return a value instead."}}
        except BaseException as error:  # noqa: BLE001 (KeyboardInterrupt and friends from student code)
            reply = {"error": {"problem": f"the code raised {type(error).__name__}: {error}"}}
        reply["output"] = output.take()
        send(replies, reply)


if __name__ == "__main__":
    main()
