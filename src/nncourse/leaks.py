"""What instructor material looks like, for the scans that keep it from students.

`nncourse verify` looks for it in release/ and solutions/, `nncourse student-kit`
in everything the kit holds. Both compare lines of code: the lines of the
source notebooks' solution and hidden-test regions, less those the notebooks
also show students outside them.
"""

from __future__ import annotations

import re
from pathlib import Path

from nncourse.notebook import read_notebook

SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
BARE_RETURN = re.compile(r"return [\w\s,()\[\]]+")


def meaningful_lines(text, bare_returns=True):
    """Return the lines of code worth looking for elsewhere: not blank, short, comments, imports or docstring quotes.

    bare_returns=False also leaves out returns of names (`return params, activation`), which say nothing of how
    a result is computed and which public code shares.
    """
    lines = {line.strip() for line in text.splitlines()}
    return {line for line in lines if len(line) >= 20 and not line.startswith(("#", "import ", "from ", '"""'))
            and (bare_returns or not BARE_RETURN.fullmatch(line))}


def source_regions(root, lines=meaningful_lines):
    """Return (regions, public) of the source notebooks under `root`.

    regions: [(kind, notebook file name, line)], kind "hidden" or "solution", each
    notebook's hidden lines before its solution lines; public: the lines (as
    `lines` picks them) that the notebooks show outside those regions.
    """
    regions, public = [], set()
    for path in sorted(Path(root, "source").glob("*/*.ipynb")):
        text = "\n".join(cell.source for cell in read_notebook(path).cells)
        for kind, pattern in (("hidden", HIDDEN_REGION), ("solution", SOLUTION_REGION)):
            regions += [(kind, path.name, line) for block in pattern.findall(text) for line in lines(block)]
        public |= lines(SOLUTION_REGION.sub("", HIDDEN_REGION.sub("", text)))
    return regions, public
