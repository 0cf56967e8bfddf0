"""`nncourse gradescope`: build a Gradescope autograder zip that runs the same hidden checks.

The zip holds:
- setup.sh: installs Python, bubblewrap and the kit (from a wheel in the zip), then caches MNIST;
- run_autograder: grades /autograder/submission/ and writes /autograder/results/results.json;
- course/: this assignment's hidden checks (autograder/) and its instructor notebook (source/), and no other.

Both scripts read $AUTOGRADER_ROOT (default /autograder), so the bundle can be
run locally against a folder laid out like Gradescope's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from nncourse.authoring import TOOLBOX, notebook_path, pasted_toolbox
from nncourse.notebook import grade_id, read_notebook

LEFT_OUT = {"mistake_examples.py"}  # instructor material the hidden checks never import

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built (Ubuntu 22.04, whose python3 is 3.10:
# the kit needs 3.11, which the distribution ships as python3.11).
set -euo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
PYTHON=${PYTHON:-python3.11}
if ! command -v "$PYTHON" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
fi
if ! command -v bwrap >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap || true
fi
"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet "$ROOT"/source/wheels/*.whl
"$ROOT/venv/bin/nncourse" mnist --cache-dir "$ROOT/mnist"
# The venv is for everyone; the hidden checks, the instructor notebook and the data are not.
chmod -R go-rwx "$ROOT/source" "$ROOT/mnist"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. Student code runs in a sandbox (bubblewrap, or a
# separate unprivileged user where bubblewrap cannot run), which cannot read what is made
# private here. If no sandbox can be had, the grader stops with a message and a non-zero exit:
# Gradescope then reports the autograder's failure, never a score of 0 for the student.
set -uo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
NNCOURSE=${NNCOURSE:-$ROOT/venv/bin/nncourse}
export NNCOURSE_DATA=${NNCOURSE_DATA:-$ROOT/mnist}
mkdir -p "$ROOT/results"
chmod -R go-rwx "$ROOT/source" "$ROOT/submission" "$ROOT/results" 2>/dev/null
"$NNCOURSE" grade-notebook "$ROOT/submission" --assignment ASSIGNMENT --course "$ROOT/source/course" \\
    > "$ROOT/results/results.json.tmp"
status=$?
if [ $status -eq 0 ]; then
    mv "$ROOT/results/results.json.tmp" "$ROOT/results/results.json"
else
    rm -f "$ROOT/results/results.json.tmp"
    echo "the autograder could not grade this submission (exit $status); see the messages above" >&2
fi
exit $status
"""


def build_wheel(project, into):
    """Build the kit's wheel (no dependencies) into `into`; return its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", str(into), str(project)],
        check=True,
    )
    return next(Path(into).glob("nncourse-*.whl"))


def project_root():
    """Return the folder holding the kit's pyproject.toml (the package is installed from source)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    raise FileNotFoundError("the nncourse project folder (with pyproject.toml) was not found; reinstall from source")


def course_files(root, assignment):
    """Return [(path in the bundle, text)]: this assignment's hidden checks and instructor notebook only.

    The instructor notebook's toolbox cell loads the earlier assignments' notebooks; in the bundle it
    holds their code itself (as in solutions/), so no other assignment's notebook is shipped.
    Catalogue examples of mistakes and other assignments' hidden checks stay out.
    """
    root = Path(root)
    files = []
    for path in sorted((root / "autograder").glob("*")):
        own = path.name == f"test_{assignment}.py" or not path.name.startswith("test_")
        if path.is_file() and not path.is_symlink() and path.suffix in (".py", ".ini") and own \
                and path.name not in LEFT_OUT:
            files.append((f"autograder/{path.name}", path.read_text()))
    notebook = read_notebook(notebook_path(root, "source", assignment))
    for cell in notebook.cells:
        if grade_id(cell) == TOOLBOX:
            cell.source = pasted_toolbox(root, assignment)
    files.append((f"source/{assignment}/{assignment}.ipynb", json.dumps(notebook, indent=1)))
    return files


def build_bundle(root, assignment, out):
    """Write the Gradescope autograder zip for `assignment` of the course at `root`; return its path."""
    root, out = Path(root), Path(out)
    if not (root / "autograder" / f"test_{assignment}.py").is_file():
        raise FileNotFoundError(f"no hidden checks for {assignment} in {root / 'autograder'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(project_root(), Path(tmp))
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER.replace("ASSIGNMENT", assignment))):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16
                bundle.writestr(info, text)
            bundle.write(wheel, f"wheels/{wheel.name}")
            for name, text in course_files(root, assignment):
                bundle.writestr(f"course/{name}", text)
    return out


def unpack_like_gradescope(bundle, autograder_root):
    """Lay out a folder as Gradescope does: the zip's contents in source/, plus submission/ and results/."""
    autograder_root = Path(autograder_root)
    with zipfile.ZipFile(bundle) as z:
        z.extractall(autograder_root / "source")
    for name in ("setup.sh", "run_autograder"):
        (autograder_root / "source" / name).chmod(0o755)
    shutil.copy(autograder_root / "source" / "run_autograder", autograder_root / "run_autograder")
    (autograder_root / "run_autograder").chmod(0o755)
    (autograder_root / "submission").mkdir(exist_ok=True)
    (autograder_root / "results").mkdir(exist_ok=True)
    return autograder_root
