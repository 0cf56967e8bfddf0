"""nbgrader settings for the nncourse course directory."""

from nbgrader.preprocessors import (
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    IncludeHeaderFooter,
    LockCells,
)

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "nncourse"
c.CourseDirectory.solution_directory = "solutions"

# solutions/ is what an instructor may publish after the deadline, so it must not
# hold hidden checks. nbgrader's default pipeline also executes the notebooks,
# which would make the committed solutions depend on timing and randomness; CI
# executes them separately instead.
c.GenerateSolution.preprocessors = [
    IncludeHeaderFooter,
    LockCells,
    ClearOutput,
    ClearMarkScheme,
    ClearHiddenTests,
]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# The MNIST capstone trains a network while it is autograded.
c.ExecutePreprocessor.timeout = 600

# Late work. `nncourse grade` (and `nbgrader autograde`) read each submission's
# timestamp.txt, which nbgrader's exchange writes, and the assignment's due date
# from the gradebook (`nbgrader db assignment add 01_forward --duedate="2025-03-01
# 17:00:00 UTC"`, or the formgrader), then take `penalty` points off for each
# started hour late. Penalty 0 records lateness without taking points off;
# nbgrader's own "zero" policy is `plugin_class = LateSubmissionPlugin` with
# `c.LateSubmissionPlugin.penalty_method = "zero"`.
c.AssignLatePenalties.plugin_class = "nncourse.grading.gradebook.SubtractEachHour"
c.SubtractEachHour.penalty = 1.0

# `nbgrader zip_collect 01_forward` collects the files in downloaded/01_forward/archive/
# (notebooks, or zips of them) named <student_id>_<notebook>.ipynb, as
# alice_01_forward.ipynb, into submitted/alice/01_forward/01_forward.ipynb. The
# student id is what comes before the first "_NN_" of the name.
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+?)_(?P<file_id>\d\d_[^/]+)\.ipynb$"
