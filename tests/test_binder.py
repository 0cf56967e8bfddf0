"""Is the Binder (repo2docker) configuration consistent: installs the kit, fetches MNIST, opens release/?"""

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from conftest import ROOT

BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LAUNCH_LINK = re.compile(r"https://mybinder\.org/v2/gh/[^\s)]+\?urlpath=lab/tree/release\b")
NBGRADER_LAB = Path(sys.prefix) / "share/jupyter/labextensions/@jupyter/nbgrader"


def post_build():
    return (BINDER / "postBuild").read_text()


def requirements(text):
    lines = (line.split("#")[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def test_postbuild_is_an_executable_bash_script():
    path = BINDER / "postBuild"
    assert os.access(path, os.X_OK), "chmod +x binder/postBuild (and commit the mode)"
    assert post_build().startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in post_build()
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(r"python -m pip install --no-cache-dir -e \.$", id="installs-the-kit"),
        pytest.param(r"nncourse mnist\b", id="fetches-mnist"),
    ],
)
def test_postbuild_runs(command):
    assert re.search(rf"^{command}", post_build(), re.M)


def test_requirements_are_the_course_extra():
    assert requirements((BINDER / "requirements.txt").read_text()) == PYPROJECT["project"]["optional-dependencies"]["course"]


def test_runtime_is_a_python_the_kit_supports():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), runtime
    assert runtime.removeprefix("python-") in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_binder_has_no_file_that_overrides_the_python_build_pack():
    """Does repo2docker pick the Python build pack, with no other environment file taking precedence?"""
    others = {"environment.yml", "Pipfile", "Pipfile.lock", "install.R", "Project.toml", "Dockerfile"}
    assert [p.name for p in BINDER.iterdir() if p.name in others] == []


@pytest.mark.parametrize(
    "document",
    [pytest.param(ROOT / "docs/students.md", id="student-guide"), pytest.param(BINDER / "postBuild", id="postBuild")],
)
def test_launch_link_opens_release_in_jupyterlab(document):
    assert LAUNCH_LINK.search(document.read_text()), f"{document.name} has no Binder link ending ?urlpath=lab/tree/release"
    assert (ROOT / "release").is_dir()


def test_postbuild_disables_only_nbgrader_extensions_that_exist_and_keeps_validate():
    text = post_build()
    servers = re.findall(r"server extension disable --sys-prefix nbgrader\.server_extensions\.(\w+)", text)
    plugins = re.findall(r"labextension disable --level=sys_prefix @jupyter/nbgrader:([\w-]+)", text)
    assert servers and plugins
    assert "validate_assignment" not in servers and "validate-assignment" not in plugins
    assert [s for s in servers if importlib.util.find_spec(f"nbgrader.server_extensions.{s}") is None] == []
    bundled = "".join(p.read_text(errors="replace") for p in (NBGRADER_LAB / "static").glob("*.js"))
    assert [p for p in plugins if f"@jupyter/nbgrader:{p}" not in bundled] == []
