"""Hidden checks run under nncourse's grading plugin (fixtures `student` and `reference`)."""

pytest_plugins = ["nncourse.grading.plugin"]
