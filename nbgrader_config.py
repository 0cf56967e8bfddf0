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
