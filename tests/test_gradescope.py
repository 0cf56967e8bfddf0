"""Does the Gradescope bundle hold only its own assignment's secrets, and grade with them?"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from nncourse.grading.gradescope import build_bundle, unpack_like_gradescope

pytestmark = pytest.mark.slow

ASSIGNMENT = "04_training"  # its instructor notebook builds on three earlier ones


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return build_bundle(ROOT, ASSIGNMENT, tmp_path_factory.mktemp("bundle") / "bundle.zip")


def test_bundle_holds_only_its_own_hidden_checks_and_instructor_notebook(bundle):
    """Are other assignments' hidden checks and notebooks, and the mistake examples, left out?"""
    names = zipfile.ZipFile(bundle).namelist()
    course = [n for n in names if n.startswith("course/")]
    assert [n for n in course if n.startswith("course/source/")] == [f"course/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"]
    hidden = [n for n in course if Path(n).name.startswith("test_")]
    assert hidden == [f"course/autograder/test_{ASSIGNMENT}.py"]
    assert not any("mistake_examples" in n for n in names)


def test_bundle_grades_the_published_solution_at_full_marks(bundle, tmp_path):
    """Does run_autograder, run in a folder laid out like Gradescope's, give the model submission full marks?"""
    root = unpack_like_gradescope(bundle, tmp_path / "autograder")
    shutil.copy(ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / "submission")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), NNCOURSE=str(Path(sys.executable).parent / "nncourse"))
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "results" / "results.json").read_text())
    assert report["score"] == sum(t["max_score"] for t in report["tests"]) > 0
