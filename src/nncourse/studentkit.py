"""`nncourse student-kit`: write what students get, and nothing else.

The kit is a folder an instructor pushes as the students' own repository (or zips):
- release/: the student notebooks, as `nncourse build` wrote them;
- wheels/: the nncourse package as a wheel (public checks, notebook helpers, the `nncourse` command);
- README.md: the student guide (docs/students.md), with its pictures in img/;
- requirements.txt: the wheel from wheels/, with the course's JupyterLab and nbgrader (the `course` extra);
- binder/: the course's Binder configuration, installing the wheel instead of the instructor's source.

Before anything reaches the kit's folder, `leaks` scans every file (and every file inside the wheel)
for instructor material: solution lines, hidden checks, mistake examples. The kit is written only
when it finds none.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import nbformat

from nncourse.grading.gradescope import build_wheel, project_root
from nncourse.leaks import meaningful_lines, source_regions

INSTRUCTOR_FOLDERS = ("source", "solutions", "autograder")
# What the kit writes: a folder holding these (and maybe .git or files of the instructor's own) is a kit to refresh.
KIT_ENTRIES = ("release", "wheels", "binder", "img", "README.md", "requirements.txt", ".gitignore")
BINDER_INSTALL = "python -m pip install --no-cache-dir -e ."
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
# Instructor modules whose every line is secret: the reference math of the hidden checks and mistaken versions
# of the graded functions (one step from a solution).
SECRET_MODULES = ("hidden_math.py", "mistake_examples.py")
PICTURE = re.compile(r"!\[[^\]]*\]\((img/[^)\s]+)\)")
GITIGNORE = ".venv/\n.ipynb_checkpoints/\n__pycache__/\n"


class StudentKitError(Exception):
    """The kit cannot be written; the message says why and what to do."""


def write_kit(root, out):
    """Write the student kit of the course at `root` into the folder `out`; return `out`.

    `out` must be new, empty, or an earlier kit (whose kit files are replaced; a .git folder stays).
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    release = root / "release"
    if not sorted(release.glob("*/*.ipynb")):
        raise StudentKitError(f"no release notebooks in {release}: run `nncourse build` first")
    if out == root or root.is_relative_to(out) or out.is_relative_to(root / "release"):
        raise StudentKitError(f"{out} holds the course itself: write the kit to a folder outside it")
    if out.exists() and not out.is_dir():
        raise StudentKitError(f"{out} is a file: name a folder")
    if out.exists() and not is_kit_or_empty(out):
        raise StudentKitError(f"{out} is not empty and is not a student kit: name a new folder")
    with tempfile.TemporaryDirectory(prefix="nncourse-kit-") as tmp:
        staged = Path(tmp) / "kit"
        stage_kit(root, staged, Path(tmp) / "project")
        found = leaks(staged, root)
        if found:
            shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
            raise StudentKitError(f"the kit would hold instructor material, so nothing was written: {shown}")
        out.mkdir(parents=True, exist_ok=True)
        for entry in KIT_ENTRIES:
            remove(out / entry)
            if (staged / entry).exists():
                shutil.move(staged / entry, out / entry)
    return out


def is_kit_or_empty(folder):
    """Is `folder` empty, or an earlier kit (a release/ and a wheels/ holding an nncourse wheel)?"""
    return not any(folder.iterdir()) or ((folder / "release").is_dir() and any((folder / "wheels").glob("nncourse-*.whl")))


def remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def stage_kit(root, kit, scratch):
    """Write the kit's files into the new folder `kit`, building the wheel in the new folder `scratch`."""
    guide = root / "docs" / "students.md"
    if not guide.is_file():
        raise StudentKitError(f"no student guide at {guide}: the kit's README is made from it")
    kit.mkdir(parents=True)
    shutil.copytree(root / "release", kit / "release", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    wheel = kit_wheel(guide, scratch, kit / "wheels")
    (kit / "README.md").write_text(guide.read_text())
    for picture in sorted(set(PICTURE.findall(guide.read_text()))):
        (kit / picture).parent.mkdir(exist_ok=True)
        shutil.copy(root / "docs" / picture, kit / picture)
    (kit / "requirements.txt").write_text(
        "# Everything the course needs: its public checks (the wheel in this folder), JupyterLab and nbgrader.\n"
        "# Install from this folder: python -m pip install -r requirements.txt\n"
        f"./wheels/{wheel.name}[course]\n"
    )
    (kit / ".gitignore").write_text(GITIGNORE)
    write_binder(root / "binder", kit / "binder", wheel)


def kit_wheel(guide, scratch, into):
    """Build the nncourse wheel, with the student guide as its description, into `into`; return its path.

    The wheel is built from a copy of the package's source, so that nothing is written into the
    instructor's repository and nothing but the package goes in.
    """
    project = project_root()
    scratch.mkdir(parents=True)
    shutil.copy(project / "pyproject.toml", scratch)
    shutil.copytree(project / "src", scratch / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", ".*"))
    (scratch / "README.md").write_text(guide.read_text())
    into.mkdir(parents=True)
    try:
        wheel = build_wheel(scratch, into)
    except (subprocess.CalledProcessError, StopIteration):
        raise StudentKitError("building the nncourse wheel failed (see pip's messages above)") from None
    with zipfile.ZipFile(wheel) as members:
        stray = [name for name in members.namelist()
                 if not (name.startswith("nncourse/") or re.match(r"nncourse-[^/]+\.dist-info/", name))]
    if stray:
        raise StudentKitError(f"the wheel holds files outside the nncourse package: {', '.join(stray)}")
    return wheel


def write_binder(course_binder, kit_binder, wheel):
    """Write the kit's Binder configuration: the course's own, installing the kit's wheel instead of the source."""
    post_build = course_binder / "postBuild"
    if not post_build.is_file() or BINDER_INSTALL not in post_build.read_text():
        raise StudentKitError(f"{post_build} does not install the package with `{BINDER_INSTALL}`, "
                              "so the kit's Binder configuration cannot be made from it")
    kit_binder.mkdir()
    for name in ("requirements.txt", "runtime.txt"):
        if (course_binder / name).is_file():
            lines = [line for line in (course_binder / name).read_text().splitlines() if not line.startswith("#")]
            (kit_binder / name).write_text("\n".join(lines) + "\n")
    script = post_build.read_text().replace(BINDER_INSTALL, f"python -m pip install --no-cache-dir wheels/{wheel.name}")
    (kit_binder / "postBuild").write_text(script)
    (kit_binder / "postBuild").chmod(0o755)


# --- The scan for instructor material ---


def secret_lines(root):
    """Return {line: where it comes from} for every solution line of source/ and every line of SECRET_MODULES.

    A line the source notebooks also show students (outside solution and hidden regions) is not a secret.
    Returns of bare names are not compared: public code shares them.
    """
    def lines(text):
        return meaningful_lines(text, bare_returns=False)

    regions, public = source_regions(root, lines)
    secret = {line: f"a solution line of {name}" for kind, name, line in regions if kind == "solution"}
    for name in SECRET_MODULES:
        if (root / "autograder" / name).is_file():
            secret.update(dict.fromkeys(lines((root / "autograder" / name).read_text()), f"a line of {name}"))
    return {line: where for line, where in secret.items() if line not in public}


def hidden_check_names(root):
    """Return the names of the test functions defined in autograder/ (the hidden checks)."""
    names = set()
    for path in sorted((root / "autograder").glob("*.py")):
        tree = ast.parse(path.read_text())
        names |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return names


def kit_files(kit):
    """Yield (relative path, text) for every file of the kit, and for every file inside its wheels.

    Notebooks yield their cells' sources; files that are not text (pictures) yield None.
    """
    for path in sorted(p for p in Path(kit).rglob("*") if p.is_file() and ".git" not in p.relative_to(kit).parts):
        name = str(path.relative_to(kit))
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                for member in wheel.namelist():
                    yield f"{name}/{member}", as_text(wheel.read(member))
        elif path.suffix == ".ipynb":
            yield name, "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
        else:
            yield name, as_text(path.read_bytes())


def as_text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def leaks(kit, root):
    """Return one line per piece of instructor material found in the kit (empty when it holds none).

    Looked for: files under source/, solutions/ or autograder/ or named like a file of autograder/;
    solution and hidden-test markers; solution lines of source/; lines of the hidden checks' reference
    math and of the mistake examples; names of hidden checks.
    """
    root = Path(root)
    secret, names = secret_lines(root), hidden_check_names(root)
    instructor_files = {p.name for p in (root / "autograder").iterdir() if p.is_file()}
    names_pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b") if names else None
    found = []
    for name, text in kit_files(kit):
        parts = Path(name).parts
        if set(parts) & set(INSTRUCTOR_FOLDERS) or parts[-1] in instructor_files:
            found.append(f"{name}: an instructor file")
        if text is None:
            continue
        if name.endswith(".ipynb"):
            found += [f"{name}: the marker {marker!r}" for marker in MARKERS if marker in text]
        lines = {line.strip() for line in text.splitlines()}
        found += [f"{name}: {where}: {line}" for line, where in sorted(secret.items()) if line in lines]
        if names_pattern:
            found += [f"{name}: the hidden check {hit}" for hit in sorted(set(names_pattern.findall(text)))]
    return found
