"""Are submitted cells read as Jupyter reads them, so honest code is never altered?"""

import json

import numpy as np
import pytest

from conftest import ROOT
from nncourse.authoring import completed_notebook
from nncourse.grading.submission import read_submission
from nncourse.notebook import execute_cells, python_source

CONTINUED = {
    "percent": "def remainder(a, b):\n    return (a\n            % b)\n",
    "not_equal": "def differ(a, b):\n    return (a\n            != b)\n",
}


@pytest.mark.parametrize("kind", CONTINUED, ids=list(CONTINUED))
def test_python_source_keeps_continuation_lines_when_they_start_like_magics(kind):
    """Is a continuation line that starts with `%` or `!=` left exactly as written?"""
    assert python_source(CONTINUED[kind]) == CONTINUED[kind]


def test_execute_cells_ignores_magics_and_shell_escapes_where_ipython_sees_them():
    """Does a cell with `%matplotlib`, `!pip` and `x = !ls` still define its function?"""
    source = "%matplotlib inline\n!pip install nothing\nlisting = !ls\ndef double(z):\n    return 2 * z\n%time double(1)\n"
    namespace, errors = execute_cells([("cell", python_source(source))])
    assert errors == {}
    assert namespace["double"](3) == 6 and namespace["listing"] == []


def test_read_submission_keeps_honest_code_whose_lines_start_with_percent_or_not_equal(tmp_path):
    """Does a correct sigmoid written with `%` and `!=` continuation lines run unchanged?"""
    sigmoid = ("def sigmoid(z):\n    odd = (np.arange(z.size)\n           % 2)\n    same = (odd\n            != 2)\n"
               "    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)) * same.all()\n")
    nb = completed_notebook(ROOT, "01_forward", {"sigmoid": sigmoid})
    folder = tmp_path / "01_forward"
    folder.mkdir()
    (folder / "01_forward.ipynb").write_text(json.dumps(nb))
    submission = read_submission("s", folder, "01_forward", ROOT / "source/01_forward/01_forward.ipynb")
    namespace, errors = execute_cells(submission.cells)
    assert errors == {}
    assert np.allclose(namespace["sigmoid"](np.array([0.0, 2.0])), [0.5, 0.8807970779778823])


def test_read_submission_reports_malformed_grade_id_instead_of_crashing(tmp_path):
    """Is a list-valued grade_id reported as a problem while the other cells are graded?"""
    nb = completed_notebook(ROOT, "01_forward")
    nb.cells[0].metadata["nbgrader"] = {"grade_id": ["sigmoid"], "solution": True}
    folder = tmp_path / "01_forward"
    folder.mkdir()
    (folder / "01_forward.ipynb").write_text(json.dumps(nb))
    submission = read_submission("s", folder, "01_forward", ROOT / "source/01_forward/01_forward.ipynb")
    assert any("['sigmoid']" in problem for problem in submission.problems)
    assert any(cid == "sigmoid" for cid, _ in submission.cells)
