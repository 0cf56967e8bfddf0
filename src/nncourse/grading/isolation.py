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

import os
import shutil
import site
import sys
from pathlib import Path, PurePosixPath

import nncourse

MODES = ("bwrap", "user", "unsafe-same-user")
SANDBOX_UID = 64000  # first of the unprivileged user ids children run as, one per grader worker
UID_ENV = "NNCOURSE_SANDBOX_UID"  # tells a worker started as root inside bubblewrap whom to become
SCRATCH_MB = 64  # the child's writable /tmp


class IsolationError(Exception):
    """The machine cannot isolate student code in the mode asked for: the instructor's to fix."""


def sandbox_uid(slot=0):
    """Return the user id the children of grader worker `slot` run as."""
    return SANDBOX_UID + int(slot)


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
    command = ["bwrap", *system_binds()]
    made = {"/", "/etc", "/usr"}
    for folder in interpreter_paths():
        for parent in reversed(PurePosixPath(folder).parents):
            if str(parent) not in made:
                made.add(str(parent))
                command += ["--perms", "0755", "--dir", str(parent)]  # traversable, and empty but for the binds
        command += ["--ro-bind", folder, folder]
    command += [
        "--proc", "/proc", "--dev", "/dev",
        "--perms", "01777", "--size", str(scratch_mb << 20), "--tmpfs", "/tmp", "--chdir", "/tmp",
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
