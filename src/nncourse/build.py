"""Build release/ and solutions/ from source/ with nbgrader.

nbgrader keeps a gradebook database next to the course; a build into a
scratch copy of the course gets a scratch database, which is how CI checks
that the committed release/ and solutions/ match a fresh build.

A solutions notebook is a model submission, so it must stand alone: its
toolbox cell gets the earlier assignments' functions written out, where the
instructor's notebook loads them from the sibling notebooks. A release
notebook's toolbox cell calls `fill_toolbox()`, which copies the student's own
functions in. Both record which earlier assignments the toolbox holds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from nncourse import settings
from nncourse.authoring import TOOLBOX, builds_on, notebook_path, pasted_toolbox
from nncourse.notebook import grade_id


def course_root(start=None):
    """Return the nearest folder at or above `start` that holds nbgrader_config.py and source/."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "source").is_dir():
            return folder
    raise FileNotFoundError(f"no course folder (nbgrader_config.py and source/) at or above {here}")


def assignments(root):
    """Return the assignment names under source/, in course order."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


def nbgrader(root, *args):
    """Run an nbgrader command in the course folder; raise with its log if it fails."""
    # nbgrader runs `alembic` by name, so this environment's scripts must come first on PATH.
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root, capture_output=True, text=True, env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def build(root, names=None):
    """Generate release/ and solutions/ for each assignment (all by default).

    It also writes what follows from the course's settings (see nncourse.settings): each check
    cell's points in source/, from the hidden checks, before nbgrader reads them; the numbers of
    the prose in release/ and solutions/; and README.md's settings table.
    """
    root = Path(root)
    points = settings.hidden_points(root / "autograder", assignments(root))
    for name in names or assignments(root):
        settings.stamp_points(root, name, points[name])
        nbgrader(root, "generate_assignment", name, "--force")
        nbgrader(root, "generate_solution", name, "--force")
        fill_call_toolbox(root, name)
        self_contained_toolbox(root, name)
        settings.fill_prose(root, name, points[name])
        record_public_checks(root, name)
    settings.write_readme(root, points)


def record_public_checks(root, name):
    """Record in release/NAME's metadata the public checks it is built with, so a stale install can tell."""
    from nncourse.checks import checks_record

    path = notebook_path(root, "release", name)
    nb = nbformat.read(path, as_version=4)
    nb.metadata.setdefault("nncourse", {})["checks"] = checks_record(name)
    nbformat.write(nb, path)


def edit_toolbox(path, edit):
    """Apply `edit(cell)` to the toolbox cell of the notebook at `path`, if it has one, and save it."""
    from nbgrader.utils import compute_checksum  # only instructors, who build, install nbgrader

    nb = nbformat.read(path, as_version=4)
    toolbox = [cell for cell in nb.cells if grade_id(cell) == TOOLBOX]
    if not toolbox:
        return
    edit(toolbox[0])
    if "checksum" in toolbox[0].metadata.nbgrader:
        toolbox[0].metadata.nbgrader.checksum = compute_checksum(toolbox[0])
    nbformat.write(nb, path)


def record_builds_on(cell, earlier):
    """Record in the toolbox cell which earlier assignments it holds, for fill_toolbox and check_toolbox."""
    cell.metadata.setdefault("nncourse", {})["builds_on"] = list(earlier)


def fill_call_toolbox(root, name):
    """Make release/NAME's toolbox cell call fill_toolbox(), where nbgrader left a NotImplementedError stub."""
    from nncourse.toolbox import FILL_CALL, joined

    earlier = builds_on(Path(root) / "source", name)

    def edit(cell):
        cell.source = (f"# Your toolbox: your finished functions from {joined(earlier)}.\n"
                       "# Save those notebooks, then run this cell: it copies your functions into it,\n"
                       "# so that this notebook stands on its own.\n" + FILL_CALL)
        record_builds_on(cell, earlier)

    edit_toolbox(notebook_path(root, "release", name), edit)


def self_contained_toolbox(root, name):
    """Write the earlier functions that solutions/NAME's toolbox cell loads into that cell itself.

    The grader's sandbox cannot see sibling notebooks, so `use_functions_from`
    would leave the published solution without them.
    """

    def edit(cell):
        cell.source = pasted_toolbox(root, name)
        record_builds_on(cell, builds_on(Path(root) / "source", name))

    edit_toolbox(notebook_path(root, "solutions", name), edit)


def copy_course(root, into):
    """Copy what builds and grades a course (nbgrader_config.py, source/, autograder/) into the folder `into`."""
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(root) / "nbgrader_config.py", into)
    shutil.copytree(Path(root) / "source", into / "source")
    shutil.copytree(Path(root) / "autograder", into / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def build_fresh(root, names=None):
    """Build a scratch copy of the course; return the scratch folder (the caller removes it)."""
    scratch = copy_course(root, tempfile.mkdtemp(prefix="nncourse-build-"))
    try:
        build(scratch, names)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch


def normalized(path):
    """Return a notebook's content as a comparable dict (ignoring nbformat's minor version)."""
    nb = nbformat.read(path, as_version=4)
    nb.pop("nbformat_minor", None)
    return nb


def differences(built, committed):
    """Return the relative paths of files that differ between two release (or solutions) trees.

    Notebooks are compared by content, other files byte for byte.
    """
    built, committed = Path(built), Path(committed)
    files = lambda top: {p.relative_to(top) for p in top.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts}
    changed = []
    for name in sorted(files(built) | files(committed)):
        a, b = built / name, committed / name
        if not (a.is_file() and b.is_file()):
            changed.append(str(name))
        elif a.suffix == ".ipynb":
            if normalized(a) != normalized(b):
                changed.append(str(name))
        elif a.read_bytes() != b.read_bytes():
            changed.append(str(name))
    return changed
