"""Does reading a submission follow no link a student could plant?"""

import shutil

from conftest import ROOT
from nncourse.grading.submission import read_submission

INSTRUCTOR = ROOT / "source" / "01_forward" / "01_forward.ipynb"


def test_read_submission_refuses_a_notebook_that_is_a_link_to_the_instructors(tmp_path):
    """Is a submitted notebook that links to the instructor's notebook refused, not graded?"""
    folder = tmp_path / "01_forward"
    folder.mkdir()
    (folder / "01_forward.ipynb").symlink_to(INSTRUCTOR)
    submission = read_submission("mallory", folder, "01_forward", INSTRUCTOR)
    assert submission.cells == [] and any("is a link" in p for p in submission.problems)


def test_read_submission_refuses_a_renamed_link_and_a_linked_folder(tmp_path):
    """Are a link under another name, and a link to a folder of notebooks, both passed over?"""
    folder = tmp_path / "01_forward"
    folder.mkdir()
    (folder / "mine.ipynb").symlink_to(INSTRUCTOR)
    shutil.copytree(INSTRUCTOR.parent, tmp_path / "elsewhere")
    (folder / "sub").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert read_submission("mallory", folder, "01_forward", INSTRUCTOR).cells == []
    linked = tmp_path / "linked"
    linked.symlink_to(INSTRUCTOR.parent, target_is_directory=True)
    submission = read_submission("mallory", linked, "01_forward", INSTRUCTOR)
    assert submission.cells == [] and any("is a link" in p for p in submission.problems)
