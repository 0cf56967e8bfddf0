"""How a student's code is kept apart from the grader, the course and other students.

Three modes, from strongest to weakest:
- `bwrap`: bubblewrap builds a sandbox that holds only the interpreter and its
  packages (read-only), a fresh size-limited /tmp as the only writable place,
  its own /proc, no network, and no other folder of the machine. The code runs
  as an unprivileged user id that maps to no privileged user outside, in its
  own pid namespace, so nothing it starts outlives it.
- `user`: where bubblewrap cannot run (most containers, Gradescope) and the
  grader is root, the child runs as a separate unprivileged user id, in its
  own session and pids cgroup; every process of that id is killed after each
  student. It relies on file permissions: the course files must not be
  readable by that user, which the probe checks.
- `unsafe-same-user`: a plain child as the grader's own user. Fit only for
  trusted code; used only when the instructor asks for it by name.

Before the first student, `probe` starts one child in the mode grading will
use and round-trips a request; an environment that cannot give a mode is the
instructor's problem and stops the run (IsolationError), never a student's 0.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import site
import sys
import tempfile
from pathlib import Path, PurePosixPath

import nncourse

MODES = ("bwrap", "user", "unsafe-same-user")
SANDBOX_UID = 64000  # first of the unprivileged user ids children run as, one per grading process
UID_ENV = "NNCOURSE_SANDBOX_UID"  # tells a worker started as root inside bubblewrap whom to become
SCRATCH_MB = 64  # the child's writable /tmp


class IsolationError(Exception):
    """The machine cannot isolate student code in the mode asked for: the instructor's to fix."""


# Only root hands out host user ids; another user's sandbox ids live in its own user namespace, so each
# user keeps its own claims.
UID_LOCKS = Path(tempfile.gettempdir()) / ("nncourse-sandbox-uids" + ("" if os.geteuid() == 0 else f"-{os.geteuid()}"))
CLAIMED = {}  # uid -> the open, locked file that keeps it this process's


def claim_uid():
    """Return an unprivileged user id that no other grading process on this machine is using.

    Children run as that id and everything of that id is killed after each
    student, so two gradings (two workers, two courses) must never share one.
    The claim is an exclusive lock on a file only the grader's user can open;
    it lasts until this process ends.
    """
    if CLAIMED:
        return next(iter(CLAIMED))
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    if UID_LOCKS.is_symlink() or UID_LOCKS.lstat().st_uid != os.geteuid():
        raise IsolationError(f"{UID_LOCKS} belongs to another user; remove it, or set TMPDIR to a folder of your own")
    for uid in range(SANDBOX_UID, SANDBOX_UID + 1000):
        fd = os.open(UID_LOCKS / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        CLAIMED[uid] = fd
        return uid
    raise IsolationError("no free sandbox user id: a thousand gradings are running on this machine")


def bwrap_usable():
    return shutil.which("bwrap") is not None


def interpreter_paths():
    """Return the folders the child needs to run Python with numpy and nncourse, outermost only."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(nncourse.__file__).resolve().parent.parent), *site.getsitepackages()}
    candidates |= {p for p in sys.path if p and Path(p).is_dir()} - {os.getcwd()}
    folders = set()
    for path in candidates:
        for variant in (Path(path), Path(path).resolve()):
            if variant.is_dir():
                folders.add(str(variant))
    for exe in (sys.executable, os.path.realpath(sys.executable)):
        folders.add(str(Path(exe).parent))
    outermost = sorted(folders, key=len)
    kept = []
    for folder in outermost:
        if folder.startswith(("/usr/", "/proc")) or folder == "/usr":
            continue  # /usr is bound whole
        if not any(folder == k or folder.startswith(k + "/") for k in kept):
            kept.append(folder)
    return kept


def system_binds():
    """Return bubblewrap arguments for the system part: /usr read-only, the usual links into it, ld.so's cache."""
    args = ["--perms", "0755", "--dir", "/etc", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    for path in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime"):
        if Path(path).exists():
            args += ["--ro-bind", path, path]
    return args


def bwrap_prefix(uid, scratch_mb=SCRATCH_MB):
    """Return the bubblewrap command that wraps the child: deny by default, then add what Python needs."""
    command = [shutil.which("bwrap") or "bwrap", *system_binds(),  # found on the grader's PATH, not the child's
               # /tmp before the interpreter: it may live below /tmp (a course cloned there), and a
               # tmpfs mounted after its binds would hide them
               "--perms", "01777", "--size", str(scratch_mb << 20), "--tmpfs", "/tmp"]
    made = {"/", "/etc", "/usr", "/tmp"}
    for folder in interpreter_paths():
        for parent in reversed(PurePosixPath(folder).parents):
            if str(parent) not in made:
                made.add(str(parent))
                command += ["--perms", "0755", "--dir", str(parent)]  # traversable, and empty but for the binds
        command += ["--ro-bind", folder, folder]
    command += [
        "--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp",
        "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
        "--die-with-parent", "--new-session", "--setenv", "HOME", "/tmp",
    ]
    if os.geteuid() == 0:
        # No user namespace: the child's ids are real ids, so it becomes an unprivileged user of the
        # host (worker.drop_privileges), keeping only the two capabilities that takes.
        command += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                    "--setenv", UID_ENV, str(uid)]
    else:
        command += ["--unshare-user", "--uid", str(uid), "--gid", str(uid), "--cap-drop", "ALL"]
    return [*command, "--"]


def drop_privileges():
    """In the child, before any student code: become the sandbox user when started as root inside bubblewrap."""
    uid = os.environ.get(UID_ENV)
    if uid is None or os.geteuid() != 0:
        return
    uid = int(uid)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("could not drop privileges")


def become_user(uid):
    """Return a function, run between fork and exec, that makes the child the unprivileged `uid`."""

    def become():
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)

    return become


def kill_user_processes(uid):
    """Kill every process of `uid` (user mode: all of them belong to one student's grading)."""
    import signal

    if uid is None or uid == os.getuid():
        return
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                os.kill(int(entry), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def candidate_modes(asked):
    """Return the modes to try, in order, for what the instructor asked (None: the strongest available)."""
    if asked is not None:
        return [asked]
    modes = ["bwrap"] if bwrap_usable() else []
    if os.geteuid() == 0:
        modes.append("user")
    return modes


PROBE_SECONDS = 60.0  # a first start imports numpy from a cold disk


def probe(mode, uid, secrets):
    """Start one child in `mode` and round-trip a request; raise IsolationError saying why it cannot be used.

    secrets: paths student code must not be able to read (the course, the hidden
    checks, the submissions); the child tries each, before any student code runs.
    """
    from nncourse.grading.sandbox import Isolation, Limits, Sandbox

    sandbox = Sandbox([], Limits(), Isolation(mode, uid))
    try:
        sandbox.spawn()
        reply = sandbox.exchange({"op": "probe", "paths": [str(p) for p in secrets]}, PROBE_SECONDS)
        errors = sandbox.startup_errors()
    except OSError as error:  # the interpreter cannot even be started as that user
        raise IsolationError(f"{mode}: the sandboxed child could not start: {error}") from None
    finally:
        sandbox.close()
    if reply is None:
        raise IsolationError(f"{mode}: the sandboxed child did not answer within {PROBE_SECONDS:g} s")
    if "dead" in reply or "too_large" in reply:
        raise IsolationError(f"{mode}: the sandboxed child could not start: {errors or reply.get('dead', 'no message')}")
    if mode != "unsafe-same-user" and reply.get("uid") in (0, os.getuid()):
        raise IsolationError(f"{mode}: the sandboxed child runs as user {reply.get('uid')}, not an unprivileged one")
    if mode != "unsafe-same-user" and reply.get("readable"):
        shown = ", ".join(reply["readable"])
        raise IsolationError(f"{mode}: student code could read {shown}; make them unreadable to others "
                             "(chmod -R o-rwx on the course folder) or use bubblewrap")


def choose_mode(asked, uid, secrets, log=None):
    """Return the isolation mode to grade with, probed; raise IsolationError when none can be had.

    asked: a mode of MODES the instructor named, or None for the strongest that works here.
    """
    reasons = []
    for mode in candidate_modes(asked):
        try:
            probe(mode, uid, secrets)
        except IsolationError as error:
            reasons.append(str(error))
            continue
        if reasons and log:
            log(f"warning: {'; '.join(reasons)}. Grading with {mode} instead.")
        if mode == "unsafe-same-user" and log:
            log("warning: student code runs as your own user, with only resource limits: fit only for trusted code.")
        return mode
    if not reasons:
        reasons.append("bubblewrap is not installed and the grader is not root, so it cannot run code as another user")
    raise IsolationError(
        "student code cannot be isolated here: " + "; ".join(reasons) + ". Install bubblewrap where user namespaces "
        "work, or run the grader as root (it then runs student code as a separate user), or, for trusted code only, "
        "pass --unsafe-same-user.")
