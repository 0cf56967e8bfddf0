"""Print how long each solution notebook takes to run top to bottom, with one BLAS thread."""

import os
import sys
import time
from pathlib import Path

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"

import nbclient  # noqa: E402 (after pinning threads, which the kernel inherits)
import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def run(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main(names):
    folders = sorted((ROOT / "solutions").iterdir())
    print(f"{'notebook':<16} {'seconds':>8}")
    for folder in folders:
        if names and folder.name not in names:
            continue
        print(f"{folder.name:<16} {run(folder / f'{folder.name}.ipynb'):8.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
