"""Run one student's code in a child process with limits, and call its functions.

The child (nncourse.grading.worker) runs in one of the isolation modes of
nncourse.grading.isolation (bubblewrap's deny-by-default sandbox, a separate
unprivileged user, or, only when asked for by name, the grader's own user),
with a minimal environment, resource limits and one BLAS thread. Where the
grader is root, cgroups hold the child's whole process tree: they cap its
processes and memory, count its CPU time from outside (whatever its processes
do to their own clocks), and kill all of it when the student is done.

A call that outlives its timeout, or a child that dies, costs that call only:
the child is killed and a fresh one is loaded for the next call. A reply
larger than the call may send back fails that call only.
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nncourse.checks.core import MAX_ITEMS, StudentError, describe_call
from nncourse.checks.functions import Argument, Expression, argument_slots
from nncourse.grading.isolation import (
    MODES,
    SANDBOX_UID,
    IsolationError,
    become_user,
    bwrap_prefix,
    kill_user_processes,
)
from nncourse.grading.wire import TooLarge, WireError, receive, send

@dataclass(frozen=True)
class Limits:
    memory_mb: int = 3072  # per process, and for the whole tree where a memory cgroup can be had
    cpu_seconds: int = 900
    open_files: int = 256
    processes: int = 64
    file_size_mb: int = 64
    load_seconds: float = 10.0
    total_load_seconds: float = 60.0
    call_seconds: float = 10.0
    reply_mb: int = 64  # the most one reply may hold (a 784 -> 256 -> 10 network is under 1 MB)


@dataclass(frozen=True)
class Isolation:
    """How children are isolated: one of isolation.MODES, and the unprivileged user id they run as."""

    mode: str = "bwrap"
    uid: int = SANDBOX_UID


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


class TreeCgroup:
    """Cgroups holding one child's whole process tree (root only; without them, rlimits still apply).

    pids caps how many processes it may make, memory how much all of them may
    hold, and cpuacct (cpu.stat on cgroup v2) counts the CPU time of every
    process that ever ran in it, waited for or not.
    """

    V1 = {"pids": {"pids.max": "processes"}, "memory": {"memory.limit_in_bytes": "memory"}, "cpuacct": {}}
    V2 = {"pids.max": "processes", "memory.max": "memory"}

    def __init__(self, limits):
        self.paths = []
        self.cpu_file = None
        if os.geteuid() != 0:
            return
        name = f"nncourse-{os.getpid()}-{id(self)}"
        values = {"processes": str(limits.processes), "memory": str(limits.memory_mb << 20)}
        unified = Path("/sys/fs/cgroup")
        if (unified / "cgroup.controllers").is_file():
            self.make(unified / name, {file: values[v] for file, v in self.V2.items()}, "cpu.stat")
            return
        for controller, settings in self.V1.items():
            cpu_file = "cpuacct.usage" if controller == "cpuacct" else None
            self.make(unified / controller / name, {file: values[v] for file, v in settings.items()}, cpu_file)

    def make(self, path, settings, cpu_file):
        if not (path.parent / "cgroup.procs").is_file() or not os.access(path.parent, os.W_OK):
            return
        try:
            path.mkdir()
        except OSError:
            return
        self.paths.append(path)
        for file, value in settings.items():
            try:
                (path / file).write_text(value)
            except OSError:
                pass  # a controller this machine does not enable; the rlimits still hold
        if cpu_file and (path / cpu_file).is_file():
            self.cpu_file = path / cpu_file

    def join(self):
        """Move the calling process in (run in the child before exec, so nothing escapes)."""
        for path in self.paths:
            (path / "cgroup.procs").write_text(str(os.getpid()))

    def cpu_seconds(self):
        """Return the CPU time used so far by every process of the tree, or None where it cannot be counted."""
        if self.cpu_file is None:
            return None
        try:
            text = self.cpu_file.read_text()
        except OSError:
            return None
        if self.cpu_file.name == "cpu.stat":
            usage = dict(line.split() for line in text.splitlines() if line.strip())
            return int(usage.get("usage_usec", 0)) / 1e6
        return int(text) / 1e9

    def kill_all(self):
        """Kill every process in the cgroups, then remove them."""
        for _ in range(100):
            pids = set()
            for path in self.paths:
                try:
                    pids |= set((path / "cgroup.procs").read_text().split())
                except OSError:
                    pass
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            left = []
            for path in self.paths:
                try:
                    path.rmdir()  # fails while killed processes are still being reaped
                except FileNotFoundError:
                    pass
                except OSError:
                    left.append(path)
            self.paths = left
            if not left:
                self.cpu_file = None
                return
            time.sleep(0.02)


PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans():
    """Make this process the parent of every orphan its descendants leave (Linux's child subreaper).

    A process that a child forks and never waits for then stays in this
    process's tree, so its CPU time is counted and it is killed with the rest.
    """
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def process_table():
    """Return {pid: (parent pid, CPU seconds of it and its reaped children)} from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after the command name, which may hold spaces
        # fields[1] is the parent; 11-14 are utime, stime, cutime, cstime in clock ticks
        table[int(entry)] = (int(fields[1]), sum(int(x) for x in fields[11:15]) / tick)
    return table


def owner(pid):
    """Return the user id that owns process `pid`, or None when it is gone."""
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def tree_cpu_seconds(roots):
    """Return the CPU seconds of the processes `roots`, all their descendants, and those they waited for.

    Read from /proc, outside the tree: nothing the student's code does to its
    own clocks changes it. A zombie still holds its own times until reaped.
    """
    table = process_table()
    children = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, todo, seen = 0.0, [pid for pid in roots if pid in table], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo += children.get(pid, [])
    return total


def limit_child(limits, cgroup, nproc, become=None):
    """Return the function that sets the child's limits between fork and exec (and its user, in user mode)."""

    def apply():
        cgroup.join()
        mb = 1 << 20
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files,) * 2)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        if become is not None:
            become()

    return apply


def remove_tree(folder):
    """Remove `folder` even where the child took away its own permissions."""

    def allow_and_retry(function, path, _):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass

    shutil.rmtree(folder, onerror=allow_and_retry)


MS_NOSUID, MS_NODEV, MNT_DETACH = 2, 4, 2
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")  # where any user may write


def mount_scratch(folder, uid, size_mb):
    """Mount a size-limited tmpfs on `folder` for the user-mode child; return whether it could be.

    Where the grader lacks the right to mount (most containers), the scratch
    folder stays on disk: each file is still capped by RLIMIT_FSIZE, and
    everything the sandbox user wrote is removed after each student.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    options = f"size={size_mb}m,mode=0700,uid={uid},gid={uid}".encode()
    return libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) == 0


def unmount(folder):
    import ctypes

    ctypes.CDLL(None, use_errno=True).umount2(str(folder).encode(), MNT_DETACH)


def remove_files_of(uid, places=SHARED_WRITABLE):
    """Remove everything `uid` owns in the folders any user may write to (it belongs to one student's grading)."""
    for place in places:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    remove_tree(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


class Sandbox:
    """One student's code, loaded in a limited child process."""

    def __init__(self, cells, limits=Limits(), isolation=None):
        self.cells = cells
        self.limits = limits
        self.isolation = isolation or Isolation()
        self.process = None
        self.cgroup = None
        self.scratch = None
        self.errors = None
        self.changed_inputs = []
        self.load_errors = {}
        self.skipped = set()  # cells that hung or killed the child while loading
        self.last_cpu_seconds = 0.0
        self.scratch_mounted = False
        self.output = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """Start a child and load the cells one by one; a cell that hangs or kills the child is left out.

        All loading together may take `limits.total_load_seconds`; the cells left then are skipped.
        """
        began = time.monotonic()
        while True:
            self.spawn()
            for cell_id, source in self.cells:
                if cell_id in self.skipped:
                    continue
                if time.monotonic() - began > self.limits.total_load_seconds:
                    self.load_errors[cell_id] = (f"was not run: loading the cells before it took over "
                                                 f"{self.limits.total_load_seconds:g} s in all")
                    self.skipped.add(cell_id)
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
        mode, uid = self.isolation.mode, self.isolation.uid
        if mode not in MODES:
            raise IsolationError(f"unknown isolation mode {mode!r}; known: {', '.join(MODES)}")
        self.cgroup = TreeCgroup(self.limits)
        if mode == "user":
            adopt_orphans()
        self.errors = tempfile.TemporaryFile()  # what the child says before it starts listening
        command = [sys.executable, "-m", "nncourse.grading.worker"]
        become = None
        if mode == "bwrap":
            self.scratch = None  # the child's /tmp is a size-limited tmpfs of its own
            command = bwrap_prefix(uid, self.limits.file_size_mb) + command
            cwd, home, nproc = "/", "/tmp", self.limits.processes
        else:
            self.scratch = Path(tempfile.mkdtemp(prefix="nncourse-sandbox-"))
            cwd = home = str(self.scratch)
            if mode == "user":
                self.scratch_mounted = mount_scratch(self.scratch, uid, self.limits.file_size_mb)
                os.chown(self.scratch, uid, uid)
                become, nproc = become_user(uid), self.limits.processes
            else:
                nproc = self.limits.processes + (0 if os.geteuid() == 0 else processes_of_current_user())
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
            cwd=cwd, env=minimal_env(home), start_new_session=True,
            preexec_fn=limit_child(self.limits, self.cgroup, nproc, become),  # noqa: PLW1509 (no threads run user code here)
        )

    def startup_errors(self):
        """Return the last lines the child wrote before it started listening (bubblewrap's or Python's complaints)."""
        if self.errors is None:
            return ""
        self.errors.seek(0)
        return self.errors.read()[-2000:].decode("utf-8", "replace").strip()

    def cpu_used(self):
        """Return the child tree's CPU seconds so far, counted from outside the child.

        From its cgroup where there is one (root), else from /proc: the child,
        its descendants, and the orphans they left (adopted by this process).
        """
        counted = self.cgroup.cpu_seconds() if self.cgroup else None
        if counted is not None:
            return counted
        if self.process is None:
            return None
        return tree_cpu_seconds([self.process.pid, *self.adopted()])

    def adopted(self):
        """Return the pids of the orphans of the child's tree that this process adopted (user mode only).

        bubblewrap's children live in their own pid namespace, whose first
        process adopts their orphans; in user mode they come here, and only
        processes of the sandbox user, which this grading alone uses, count.
        """
        if self.isolation.mode != "user" or self.process is None:
            return []
        own, uid = os.getpid(), self.isolation.uid
        return [pid for pid, (parent, _) in process_table().items()
                if parent == own and pid != self.process.pid and owner(pid) == uid]

    def reap_adopted(self):
        """Kill and wait for the orphans of the child's tree that this process adopted."""
        for pid in self.adopted():
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass

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
                    message = receive(self.process.stdout, from_child=True, max_size=self.limits.reply_mb << 20)
                    if not (isinstance(message, dict) and message.get("op") == "answer"):
                        box["reply"] = message
                        return
                    send(self.process.stdin, answer_call(answers or {}, message))
            except TooLarge as error:
                box["too_large"] = error.size
            except (EOFError, BrokenPipeError, OSError, WireError) as error:
                box["dead"] = error

        thread = threading.Thread(target=talk, daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            self.kill()
            thread.join(5)
            return None
        if "too_large" in box:
            self.kill()
            return {"too_large": box["too_large"]}
        if "dead" in box:
            self.kill()
            return {"dead": str(box["dead"])}
        return box["reply"]

    def call(self, name, args, kwargs=None, timeout=None, answers=None, parameters=(), apply_changes=True):  # noqa: PLR0913
        """Return the plain value of the student's `name(*args, **kwargs)`, or raise StudentError.

        answers: {callee: reference function}; the student's calls to these
        graded functions are answered with the reference's values.
        parameters: the names of the function's positional parameters, for messages.
        apply_changes: where the check grades "inputs unchanged", the child sends
        back every argument as it is after the call; the grader compares them
        with its own copies itself, and copies the changed ones into its own
        arguments, so the check sees them (the child's values are its own word,
        so they never feed a check's other inputs). `changed_inputs` then names
        the arguments found changed.
        """
        kwargs = kwargs or {}
        answers = answers or {}
        timeout = self.limits.call_seconds if timeout is None else timeout
        shown = describe_call(args, kwargs, parameters)
        if self.process is None or self.process.poll() is not None:
            self.close_process()
            self.start()  # a fresh child, after a timeout or a crash
        request = {"op": "call", "name": name, "args": list(args), "kwargs": kwargs, "answered": sorted(answers),
                   "return_arguments": bool(apply_changes)}
        before = self.cpu_used()
        reply = self.exchange(request, timeout, answers)
        after = self.cpu_used()
        if reply is None:
            raise StudentError(
                f"`{name}` did not finish within {timeout:g} s and was stopped.",
                input=shown, hint="Look for a loop that never ends, or work that grows much faster than the input.",
            )
        if "too_large" in reply:
            raise StudentError(
                f"`{name}` sent back {reply['too_large'] / 2**20:.0f} MB, more than the {self.limits.reply_mb} MB "
                "a check accepts.", input=shown, hint="Return only what the function is asked for.")
        if "dead" in reply:
            raise StudentError(f"`{name}` {self.death_message()}", input=shown, hint=self.death_hint())
        self.output = reply.get("output", "")
        if "error" in reply:
            error = reply["error"]
            raise StudentError(str(error.get("problem", "failed")), input=shown, hint=error.get("hint"))
        changed = changed_arguments(args, kwargs, reply.get("arguments")) if apply_changes else {}
        self.changed_inputs = sorted(changed)
        apply_side_effects(args, kwargs, changed, reply.get("generators"))
        self.last_cpu_seconds = after - before if before is not None and after is not None else 0.0
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
        if self.isolation.mode in ("bwrap", "user"):
            kill_user_processes(self.isolation.uid)  # the id is this worker's alone: nothing of it may survive
        if self.process:
            self.process.wait()
            self.reap_adopted()

    def close_process(self):
        if self.process:
            self.kill()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        if self.scratch:
            if self.scratch_mounted:
                unmount(self.scratch)
            remove_tree(self.scratch)
        if self.isolation.mode == "user":
            remove_files_of(self.isolation.uid)
        self.scratch_mounted = False
        if self.errors is not None:
            self.errors.close()
        self.process = self.scratch = self.errors = None

    def close(self):
        self.close_process()


def changed_arguments(args, kwargs, after):
    """Return {slot: value after the call} for each of the grader's own arguments the call changed.

    after: the child's arguments after the call, by position ("0", "1", ...) or
    keyword. An argument it did not send back counts as changed (to None), so
    leaving one out hides nothing.
    """
    after = after if isinstance(after, dict) else {}
    slots = argument_slots(args, kwargs)
    own = (np.random.Generator, Argument, Expression)  # states come separately; expressions are the grader's
    return {key: after.get(key) for key, value in slots.items()
            if not isinstance(value, own) and not same_value(value, after.get(key, MISSING))}


MISSING = object()


def same_value(original, other, depth=0):
    """Return whether `other` holds exactly what `original` holds: same types, shapes, dtypes and values."""
    if depth > 20:
        return True
    if isinstance(original, np.ndarray):
        if not (isinstance(other, np.ndarray) and other.shape == original.shape and other.dtype == original.dtype):
            return False
        try:
            return bool(np.array_equal(original, other, equal_nan=original.dtype.kind in "fc"))
        except TypeError:
            return False
    if isinstance(original, (list, tuple)):
        return (type(other) is type(original) and len(other) == len(original)
                and all(same_value(a, b, depth + 1) for a, b in zip(original, other)))
    if isinstance(original, dict):
        return (isinstance(other, dict) and other.keys() == original.keys()
                and all(same_value(v, other[k], depth + 1) for k, v in original.items()))
    if isinstance(original, float) and isinstance(other, float) and original != original:
        return other != other  # NaN stays NaN
    try:
        return type(other) is type(original) and bool(other == original)
    except Exception:  # noqa: BLE001 (an odd value that cannot compare is not the same)
        return False


def apply_side_effects(args, kwargs, changed, generators):
    """Make the grader's own arguments show what the call did to the child's copies.

    changed: {slot: value after the call} (see changed_arguments); generators:
    {slot: Generator state after the call}. An in-place change to an input, or
    the draws taken from a Generator, must be visible to the check, just as when
    the function runs in the same process.
    """
    slots = argument_slots(args, kwargs)
    for key, new in changed.items():
        if key in slots:
            overwrite(slots[key], new)
    for key, state in (generators if isinstance(generators, dict) else {}).items():
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
    slots = argument_slots(args, kwargs)
    states = {k: v.bit_generator.state for k, v in slots.items() if isinstance(v, np.random.Generator)}
    return {"value": value, "iterator": iterator, "generators": states}


class RemoteStudent:
    """Like checks.Student, but every call goes to a Sandbox.

    timeout: a dict whose "seconds" the grader sets for each check, read at every call.
    answers: as for checks.Student; the calls are answered here, in the grader.
    parameters: optional; parameters(name) returns the names of the positional
    parameters of the graded function `name` (the reference's), so that messages
    show arguments by name; without it they show as arg0, arg1, ...
    inputs: optional dict the grader sets for each check: "apply" (copy the
    child's in-place changes into the check's arguments: only where the check
    grades inputs unchanged) and "changed", a list that collects
    (function, [argument names]) for every call the child reported changing.
    """

    def __init__(self, sandbox, timeout=None, answers=None, parameters=None, inputs=None):  # noqa: PLR0913
        self._sandbox = sandbox
        self._timeout = timeout if timeout is not None else {"seconds": None}
        self._answers = answers
        self._parameters = parameters
        self._inputs = inputs

    @property
    def last_cpu_seconds(self):
        """The CPU time of the latest call: the child's whole process tree, counted from outside where possible."""
        return self._sandbox.last_cpu_seconds

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def remote(*args, **kwargs):
            answers = self._answers(name) if self._answers else {}
            parameters = self._parameters(name) if self._parameters else ()
            apply = self._inputs["apply"] if self._inputs is not None else True
            value = self._sandbox.call(name, args, kwargs, self._timeout["seconds"], answers, parameters, apply)
            if self._inputs is not None and self._sandbox.changed_inputs:
                named = [parameters[int(k)] if k.isdigit() and int(k) < len(parameters) else k
                         for k in self._sandbox.changed_inputs]
                self._inputs["changed"].append((name, named))
            return value

        return remote
