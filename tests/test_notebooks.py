"""Do the published solution notebooks run top to bottom in a real kernel, cleanly?"""

import nbclient
import nbformat
import pytest

from conftest import ROOT
from nncourse.build import assignments

NOTEBOOKS = [
    pytest.param(a, id=a, marks=[pytest.mark.slow] if a in ("04_training", "05_mnist", "06_extensions") else [])
    for a in assignments(ROOT)
]


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_solution_notebook_runs_top_to_bottom_without_errors_or_warnings(assignment, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # the kernel inherits it: one core, as promised
    folder = ROOT / "solutions" / assignment
    nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    # nbclient raises CellExecutionError on the first failing cell.
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    # Errors raised while a figure is drawn land in the outputs without stopping the run.
    trouble = [
        (i, out.get("text", out.get("evalue", ""))[:300])
        for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr")
    ]
    assert trouble == []
