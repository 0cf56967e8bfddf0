"""Run one student's code in a child process with limits, and call its functions.

The child (nncourse.grading.worker) starts in a fresh scratch folder with a
minimal environment, resource limits and one BLAS thread. Where bubblewrap is
installed it also gets no network, a read-only system, the course folder and
home folders hidden, and only its scratch folder writable. Where it is not,
the same limits apply to a plain child process.

A call that outlives its timeout, or a child that dies, costs that call only:
the child is killed and a fresh one is loaded for the next call.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import itertools
import threading
import time
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import nncourse
from nncourse.checks.core import MAX_ITEMS, StudentError, describe_call
from nncourse.grading.wire import WireError, receive, send

CHILD_UID = 65534  # nobody, inside bubblewrap's user namespace


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 3072
    cpu_seconds: int = 900
    open_files: int = 256
    processes: int = 64
    file_size_mb: int = 64
    load_seconds: float = 10.0
    call_seconds: float = 10.0


@dataclass
class Isolation:
    """How children are isolated; `hide` lists folders the child must not see."""

    use_bwrap: bool | None = None  # None: when bubblewrap is installed
    hide: list = field(default_factory=list)

    @property
    def bwrap(self):
        found = shutil.which("bwrap")
        return bool(found) if self.use_bwrap is None else bool(self.use_bwrap and found)


def minimal_env(scratch):
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch),
        **{name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
    }


def processes_of_current_user():
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        try:
            count += entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid
        except OSError:
            pass
    return count


class PidsCgroup:
    """A pids cgroup that caps how many processes a child may make (root only; else RLIMIT_NPROC does)."""

    ROOTS = [Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")]

    def __init__(self, limit):
        self.path = None
        if os.geteuid() != 0:
            return
        for root in self.ROOTS:
            if (root / "cgroup.procs").is_file() and os.access(root, os.W_OK):
                path = root / f"nncourse-{os.getpid()}-{id(self)}"
                try:
                    path.mkdir()
                    (path / "pids.max").write_text(str(limit))
                except OSError:
                    if path.is_dir():
                        path.rmdir()
                    continue
                self.path = path
                return

    def join(self):
        """Move the calling process in (run in the child before exec, so nothing escapes)."""
        if self.path:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def kill_all(self):
        """Kill every process in the cgroup, then remove it."""
        if not self.path:
            return
        for _ in range(100):
            try:
                pids = (self.path / "cgroup.procs").read_text().split()
            except OSError:
                break
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.path.rmdir()  # fails while killed processes are still being reaped
                self.path = None
                return
            except OSError:
                time.sleep(0.02)


def limit_child(limits, cgroup, nproc):
    """Return the function that sets the child's limits between fork and exec."""

    def apply():
        cgroup.join()
        mb = 1 << 20
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files,) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return apply


def bwrap_prefix(scratch, hide):
    """Return the bubblewrap command that wraps the child."""
    exposed = sorted({sys.prefix, sys.base_prefix, str(Path(nncourse.__file__).resolve().parent.parent)})
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for folder in hide:
        if Path(folder).is_dir():
            command += ["--tmpfs", str(folder)]
    for folder in exposed:  # what the hidden folders held that Python itself needs
        command += ["--ro-bind", folder, folder]
    command += [
        "--bind", str(scratch), str(scratch), "--chdir", str(scratch),
        "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--uid", str(CHILD_UID), "--gid", str(CHILD_UID), "--",
    ]
    return command


class Sandbox:
    """One student's code, loaded in a limited child process."""

    def __init__(self, cells, limits=Limits(), isolation=None):
        self.cells = cells
        self.limits = limits
        self.isolation = isolation or Isolation()
        self.process = None
        self.cgroup = None
        self.scratch = None
        self.load_errors = {}
        self.skipped = set()  # cells that hung or killed the child while loading
        self.last_cpu_seconds = 0.0
        self.output = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """Start a child and load the cells one by one; a cell that hangs or kills the child is left out."""
        while True:
            self.spawn()
            for cell_id, source in self.cells:
                if cell_id in self.skipped:
                    continue
                reply = self.exchange({"op": "load", "cells": [[cell_id, source]]}, self.limits.load_seconds)
                if reply is None:
                    why = f"did not finish within {self.limits.load_seconds:g} s (a loop at the top level of the cell?)"
                elif "dead" in reply:
                    why = self.death_message()
                else:
                    self.load_errors.update(reply.get("errors", {}))
                    continue
                self.load_errors[cell_id] = why.rstrip(".") + "; the cell was skipped"
                self.skipped.add(cell_id)
                self.close_process()
                break
            else:
                return

    def spawn(self):
        self.scratch = Path(tempfile.mkdtemp(prefix="nncourse-sandbox-"))
        self.cgroup = PidsCgroup(self.limits.processes)
        nproc = self.limits.processes + (0 if os.geteuid() == 0 else processes_of_current_user())
        command = [sys.executable, "-m", "nncourse.grading.worker"]
        if self.isolation.bwrap:
            command = bwrap_prefix(self.scratch, self.isolation.hide) + command
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self.scratch, env=minimal_env(self.scratch), start_new_session=True,
            preexec_fn=limit_child(self.limits, self.cgroup, nproc),  # noqa: PLW1509 (no threads run user code here)
        )

    def exchange(self, request, timeout, answers=None):
        """Send a request and wait for the reply; return None on timeout, or {"dead": ...}.

        While it waits, the child may ask for calls to graded functions to be
        answered: each is computed here with answers[name] (the reference) and
        only its value goes back.
        """
        box = {}

        def talk():
            try:
                send(self.process.stdin, request)
                while True:
                    message = receive(self.process.stdout, from_child=True)
                    if not (isinstance(message, dict) and message.get("op") == "answer"):
                        box["reply"] = message
                        return
                    send(self.process.stdin, answer_call(answers or {}, message))
            except (EOFError, BrokenPipeError, OSError, WireError) as error:
                box["dead"] = error

        thread = threading.Thread(target=talk, daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            self.kill()
            thread.join(5)
            return None
        if "dead" in box:
            self.kill()
            return {"dead": str(box["dead"])}
        return box["reply"]

    def call(self, name, args, kwargs=None, timeout=None, answers=None, parameters=()):
        """Return the plain value of the student's `name(*args, **kwargs)`, or raise StudentError.

        answers: {callee: reference function}; the student's calls to these
        graded functions are answered with the reference's values.
        parameters: the names of the function's positional parameters, for messages.
        """
        kwargs = kwargs or {}
        answers = answers or {}
        timeout = self.limits.call_seconds if timeout is None else timeout
        shown = describe_call(args, kwargs, parameters)
        if self.process is None or self.process.poll() is not None:
            self.close_process()
            self.start()  # a fresh child, after a timeout or a crash
        request = {"op": "call", "name": name, "args": list(args), "kwargs": kwargs, "answered": sorted(answers)}
        reply = self.exchange(request, timeout, answers)
        if reply is None:
            raise StudentError(
                f"`{name}` did not finish within {timeout:g} s and was stopped.",
                input=shown, hint="Look for a loop that never ends, or work that grows much faster than the input.",
            )
        if "dead" in reply:
            raise StudentError(f"`{name}` {self.death_message()}", input=shown, hint=self.death_hint())
        self.output = reply.get("output", "")
        if "error" in reply:
            error = reply["error"]
            raise StudentError(str(error.get("problem", "failed")), input=shown, hint=error.get("hint"))
        apply_side_effects(args, kwargs, reply)
        self.last_cpu_seconds = float(reply.get("cpu_seconds") or 0.0)
        return reply["value"]

    def death_message(self):
        code = self.process.wait() if self.process else None
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            why = {"SIGKILL": "was killed (out of memory, or too many processes)", "SIGXCPU": "used up its CPU time",
                   "SIGSEGV": "crashed", "SIGXFSZ": "wrote too large a file"}.get(name, f"was stopped by {name}")
            return f"stopped the process running your code: it {why}."
        return f"stopped the process running your code (exit code {code})."

    def death_hint(self):
        return (f"Your code may use at most {self.limits.memory_mb} MB of memory and {self.limits.processes} processes, "
                "and must not call os._exit() or kill its own process.")

    def kill(self):
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.cgroup:
            self.cgroup.kill_all()
        if self.process:
            self.process.wait()

    def close_process(self):
        if self.process:
            self.kill()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
        self.process = self.scratch = None

    def close(self):
        self.close_process()


def apply_side_effects(args, kwargs, reply):
    """Make the grader's own arguments show what the call did to the child's copies.

    An in-place change to an input, or the draws taken from a Generator, must be
    visible to the check, just as when the function runs in the same process.
    """
    slots = {**{str(i): a for i, a in enumerate(args)}, **kwargs}
    for key, new in (reply.get("changed") or {}).items():
        if key in slots:
            overwrite(slots[key], new)
    for key, state in (reply.get("generators") or {}).items():
        if isinstance(slots.get(key), np.random.Generator):
            try:
                slots[key].bit_generator.state = state
            except (TypeError, ValueError, KeyError):
                pass  # a state the child doctored; the draws simply do not advance


def overwrite(original, new, depth=0):
    """Copy `new` into `original` in place wherever their structures agree."""
    if depth > 20:
        return
    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            np.copyto(original, new, casting="unsafe")
        return
    if isinstance(original, (list, tuple)) and isinstance(new, (list, tuple)):
        for old_item, new_item in zip(original, new):
            overwrite(old_item, new_item, depth + 1)
        if isinstance(original, list):
            shared = min(len(original), len(new))
            for i in range(shared):
                if not isinstance(original[i], (np.ndarray, list, tuple)):
                    original[i] = new[i]
            del original[shared:]
            original.extend(new[shared:])
    elif isinstance(original, dict) and isinstance(new, dict):
        original.clear()
        original.update(new)


def answer_call(answers, message):
    """Return the reply to a child's request to answer a call of a graded function with the reference.

    Only values go back: the result (a generator's items as a list), the
    states of Generator arguments after the call, or the error's type and text.
    """
    name = message.get("name")
    function = answers.get(name)
    if function is None:
        return {"error": {"type": "NameError", "message": f"`{name}` cannot be answered here"}}
    args, kwargs = message.get("args") or [], message.get("kwargs") or {}
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        return {"error": {"type": "TypeError", "message": "malformed call"}}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = function(*args, **kwargs)
            iterator = isinstance(value, types.GeneratorType)
            if iterator:
                value = list(itertools.islice(value, MAX_ITEMS))
    except Exception as error:  # noqa: BLE001 (the student's arguments made the reference fail: theirs to see)
        return {"error": {"type": type(error).__name__, "message": str(error)[:500]}}
    slots = {**{str(i): a for i, a in enumerate(args)}, **kwargs}
    states = {k: v.bit_generator.state for k, v in slots.items() if isinstance(v, np.random.Generator)}
    return {"value": value, "iterator": iterator, "generators": states}


class RemoteStudent:
    """Like checks.Student, but every call goes to a Sandbox.

    timeout: a dict whose "seconds" the grader sets for each check, read at every call.
    answers: as for checks.Student; the calls are answered here, in the grader.
    parameters: optional; parameters(name) returns the names of the positional
    parameters of the graded function `name` (the reference's), so that messages
    show arguments by name; without it they show as arg0, arg1, ...
    """

    def __init__(self, sandbox, timeout=None, answers=None, parameters=None):
        self._sandbox = sandbox
        self._timeout = timeout if timeout is not None else {"seconds": None}
        self._answers = answers
        self._parameters = parameters

    @property
    def last_cpu_seconds(self):
        """The CPU time the child spent in the latest call."""
        return self._sandbox.last_cpu_seconds

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def remote(*args, **kwargs):
            answers = self._answers(name) if self._answers else {}
            parameters = self._parameters(name) if self._parameters else ()
            return self._sandbox.call(name, args, kwargs, self._timeout["seconds"], answers, parameters)

        return remote
