"""Shared fixtures for the kit's own tests."""

import functools
import shutil
from pathlib import Path

import pytest

from nncourse.build import build_fresh
from nncourse.verify import load_course

ROOT = Path(__file__).resolve().parent.parent

@functools.cache
def the_course():
    """Return the repo's course (nncourse.verify.Course) with its hidden checks collected, once per session."""
    return load_course(ROOT)


def hidden_points(assignment):
    """Return {function: points} of `assignment`'s hidden checks, the one place points are set."""
    return the_course().points[assignment]


def total_points(assignment):
    """Return what full marks are on `assignment`: the points of all its hidden checks."""
    return sum(hidden_points(assignment).values())


def hidden_check_count(assignment):
    """Return how many hidden checks grade `assignment` (the tests of its results.json)."""
    return sum(1 for check in the_course().hidden if check["assignment"] == assignment)


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="module")
def course():
    """Return a course folder with source/ and release/ of 01_forward: the repo's, or a fresh build."""
    if (ROOT / "release" / "01_forward" / "01_forward.ipynb").is_file():
        yield ROOT
        return
    scratch = build_fresh(ROOT, ["01_forward"])
    yield scratch
    shutil.rmtree(scratch)
