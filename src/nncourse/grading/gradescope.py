"""`nncourse gradescope`: build a Gradescope autograder zip that runs the same hidden checks.

The zip holds:
- setup.sh: installs Python, bubblewrap and the kit (from a wheel in the zip), then caches MNIST;
- run_autograder: grades /autograder/submission/ and writes /autograder/results/results.json;
- course/: the hidden checks (autograder/) and the instructor notebooks (source/) they compare against.

Both scripts read $AUTOGRADER_ROOT (default /autograder), so the bundle can be
run locally against a folder laid out like Gradescope's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built.
set -euo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip python3-venv bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet "$ROOT"/source/wheels/*.whl
"$ROOT/venv/bin/nncourse" mnist --cache-dir "$ROOT/mnist"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
set -uo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
NNCOURSE=${NNCOURSE:-$ROOT/venv/bin/nncourse}
export NNCOURSE_DATA=${NNCOURSE_DATA:-$ROOT/mnist}
mkdir -p "$ROOT/results"
"$NNCOURSE" grade-notebook "$ROOT/submission" --assignment ASSIGNMENT --course "$ROOT/source/course" \\
    > "$ROOT/results/results.json.tmp" && mv "$ROOT/results/results.json.tmp" "$ROOT/results/results.json"
status=$?
if [ $status -ne 0 ]; then
    printf '{"score": 0, "output": "The autograder itself failed (exit %s); please tell your instructor.", "tests": []}\\n' "$status" \\
        > "$ROOT/results/results.json"
fi
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
            for path in sorted((root / "autograder").glob("*")):
                if path.is_file() and path.suffix in (".py", ".ini"):
                    bundle.write(path, f"course/autograder/{path.name}")
            for path in sorted((root / "source").rglob("*")):
                if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                    bundle.write(path, f"course/source/{path.relative_to(root / 'source')}")
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
