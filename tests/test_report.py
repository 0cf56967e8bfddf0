"""Are results.json, feedback.md and grades.csv bounded and safe whatever student code puts in them?"""

import csv
import json

import mistune
import pytest

from nncourse.checks import CheckInfo, Result
from nncourse.grading.report import MESSAGE_LIMIT, feedback_markdown, grades_csv, results_json, write_student

FORGERY = ("wrong values\n```\n\n# Score: 61 / 61\n\n## Instructor note\nFull marks, well done.\n````\n"
           "| pass | sigmoid: everything | 61 / 61 |")


def report_with(message, problems=()):
    results = [Result(CheckInfo("softmax", "stable for |z| up to 1e4", 2.0), False, message),
               Result(CheckInfo("sigmoid_prime", "matches values", 1.0), True)]
    return results_json(results, list(problems))


def headings(markdown):
    html = mistune.html(markdown)
    return [line for line in html.splitlines() if line.startswith(("<h1", "<h2", "<h3"))]


def test_feedback_keeps_forged_headings_and_notes_inside_a_code_block():
    """Can an exception message add a heading, a score or an instructor note to the feedback?"""
    text = feedback_markdown("alice", "01_forward", report_with(FORGERY, problems=[FORGERY]))
    found = headings(text)
    assert found == ["<h1>01_forward: feedback for alice</h1>", "<h2>About your submission</h2>", "<h2>Checks</h2>",
                     "<h2>What went wrong</h2>", "<h3>softmax: stable for |z| up to 1e4</h3>"]
    html = mistune.html(text)
    assert html.count("<strong>Score:") == 1


def test_feedback_table_keeps_check_names_with_pipes_in_one_cell():
    """Does a check name with `|z|` stay in its table cell?"""
    html = mistune.create_markdown(plugins=["table"])(feedback_markdown("alice", "01_forward", report_with("x")))
    row = next(line for line in html.split("<tr>") if "softmax" in line)
    assert row.count("<td") == 3 and "|z|" in row


@pytest.mark.parametrize("student", ["bob\n# Score: 100", "=HYPERLINK(\"http://x\")", "+1", "@sum"],
                         ids=["newline", "formula", "plus", "at"])
def test_student_ids_cannot_inject_headings_or_formulas(student):
    """Is a student id with a newline or a formula start shown as plain text?"""
    assert len(headings(feedback_markdown(student, "01_forward", report_with("x")))) == 4
    rows = list(csv.reader(grades_csv([(student, report_with("x"))]).splitlines()))
    assert len(rows) == 2 and not rows[1][0].startswith(("=", "+", "-", "@"))


def test_results_cap_each_message_and_note():
    """Does a 5 MB exception message reach the student as a few KB?"""
    report = report_with("x" * 5_000_000, problems=["y" * 5_000_000])
    assert len(report["tests"][0]["output"]) < MESSAGE_LIMIT + 100
    assert len(report["output"]) < MESSAGE_LIMIT + 100


def test_write_student_writes_any_text_as_utf8(tmp_path):
    """Are a surrogate character and a non-UTF-8 folder name written, not a crash?"""
    student = "caf\udce9"  # how Python spells a folder name that is not valid UTF-8
    write_student(tmp_path, student, "01_forward", report_with("bad \ud800 char"))
    json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert "caf" in (tmp_path / "feedback.md").read_text(encoding="utf-8")


def test_find_students_lists_every_folder_whatever_its_name(tmp_path):
    """Is a folder whose name starts with a dot, or is not UTF-8, still a student to grade?"""
    import os

    from nncourse.grading.grader import find_students

    for name in (b".hidden_student", b"caf\xe9", b"plain", b".ipynb_checkpoints"):
        os.mkdir(os.path.join(os.fsencode(tmp_path), name))
    (tmp_path / "notes.txt").write_text("not a student")
    assert find_students(tmp_path, "01_forward") == sorted([".hidden_student", "caf\udce9", "plain"])


def hidden_and_public_report():
    results = [Result(CheckInfo("softmax", "rows sum to one", 1.0), False, "PUBLIC-DETAIL input [1, 2]"),
               Result(CheckInfo("softmax", "random batches", 2.0), False, "HIDDEN-DETAIL input [3, 4]", public=False)]
    return results_json(results, [])


def test_results_give_hidden_checks_the_visibility_the_instructor_chose():
    """Are public checks visible and hidden ones after_published unless the instructor says otherwise?"""
    assert [t["visibility"] for t in hidden_and_public_report()["tests"]] == ["visible", "after_published"]
    results = [Result(CheckInfo("softmax", "random batches", 2.0), True, public=False)]
    assert results_json(results, [], hidden_visibility="hidden")["tests"][0]["visibility"] == "hidden"


def test_feedback_names_hidden_checks_and_points_only_until_published():
    """Before publication, does feedback show a hidden check's name and points but not its inputs or message?"""
    before = feedback_markdown("alice", "01_forward", hidden_and_public_report())
    after = feedback_markdown("alice", "01_forward", hidden_and_public_report(), published=True)
    assert "random batches" in before and "0 / 2" in before and "PUBLIC-DETAIL" in before
    assert "HIDDEN-DETAIL" not in before
    assert "HIDDEN-DETAIL" in after


def late_and_overridden(penalty):
    from nncourse.grading.report import Standing, final_report

    standing = Standing(True, "2025-03-02 09:30:00 UTC", "2025-03-01 17:00:00 UTC", 16.5 * 3600, {"softmax": 1.5})
    return final_report(report_with("x"), "01_forward", standing, lambda score, seconds: penalty)


def test_final_report_replaces_a_functions_points_by_the_manual_grade_then_takes_the_penalty_off():
    """Does a manual grade replace softmax's checks, and the late penalty come off the total after it?"""
    report = late_and_overridden(0.5)
    assert report["extra_data"]["score_before_penalty"] == 1.5 + 1.0  # softmax set to 1.5, sigmoid_prime's 1 point
    assert report["score"] == 2.0 and report["extra_data"]["late_penalty"] == 0.5
    names = [t["name"] for t in report["tests"]]
    assert names[-2:] == ["softmax: manual grade", "01_forward: late submission"]
    assert sum(t["score"] for t in report["tests"]) == report["score"]
    assert sum(t["max_score"] for t in report["tests"]) == 3.0


@pytest.mark.parametrize(("penalty", "taken"), [(-4, 0), (100, 2.5), (None, 0)], ids=["negative", "beyond-score", "none"])
def test_final_report_keeps_the_penalty_between_zero_and_the_score(penalty, taken):
    report = late_and_overridden(penalty)
    assert report["extra_data"]["late_penalty"] == taken and report["score"] == 2.5 - taken


def test_feedback_with_manual_grade_and_penalty_keeps_every_table_row_whole():
    """Do the adjustments stay out of the checks table, and do its rows keep three cells?"""
    text = feedback_markdown("alice", "01_forward", late_and_overridden(0.5))
    html = mistune.create_markdown(plugins=["table"])(text)
    rows = html.split("<tr>")[1:]
    assert len(rows) == 3 and all(row.count("<td") + row.count("<th") == 3 for row in rows)
    assert "## How your score is made" in text and "set softmax to 1.5 / 2 points" in text
    assert "16.5 h after the due date" in text and "Your score: 2 / 3" in text


def test_grades_csv_keeps_the_contract_columns_first_and_notes_a_missing_submission():
    from nncourse.grading.report import Standing, final_report

    missing = final_report(report_with("x"), "01_forward", Standing(submitted=False))
    rows = list(csv.DictReader(grades_csv([("dana", missing), ("alice", late_and_overridden(0.5))]).splitlines()))
    assert list(rows[0])[:3] == ["student_id", "score", "max_score"]
    assert rows[0]["note"] == "no submission" and rows[1]["note"] == "manual grade: softmax"
    assert (rows[1]["hours_late"], rows[1]["late_penalty"], rows[1]["timestamp"]) == ("16.5", "0.5", "2025-03-02 09:30:00 UTC")


def test_feedback_html_shows_markup_from_student_text_as_text():
    """Can an exception message put a script into the HTML feedback?"""
    from nncourse.grading.gradebook import feedback_html

    page = feedback_html("01_forward", feedback_markdown("alice", "01_forward", report_with("<script>alert(1)</script>")))
    assert "<script>" not in page and "&lt;script&gt;" in page
