"""Print how long the grader's MNIST check takes on a correct 05_mnist submission.

Grades one student-like notebook (the solution's code pasted into the release)
with `nncourse grade-notebook`, the way a single Gradescope submission is
graded: start-up, the sandbox, sending the training set, training within the
budget, validating the network and testing it on the 10,000 test images.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"

import nbformat  # noqa: E402

from nncourse.authoring import completed_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "05_mnist.ipynb"
        nbformat.write(completed_notebook(ROOT, "05_mnist"), path)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "nncourse.cli", "grade-notebook", str(path), "--assignment", "05_mnist"],
                              capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
    report = json.loads(done.stdout)
    total = sum(t["max_score"] for t in report["tests"])
    accuracy = [t for t in report["tests"] if t["name"].startswith("05_mnist: ")]
    print(f"05_mnist, one correct submission: {seconds:.1f} s in all, score {report['score']:g} / {total:g}")
    for t in accuracy:
        print(f"  {t['name']}: {t['score']:g} / {t['max_score']:g}")


if __name__ == "__main__":
    main()
